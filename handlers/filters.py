"""Filters that run on the event loop."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter


class Matches(Filter):
    """`Matches(F.text)`: the event matches a magic filter, checked on the event loop.

    aiogram runs any filter that is not a coroutine function, a bare magic filter
    included, through `asyncio.to_thread`: a trip to a worker thread for an attribute
    look-up, about five per update. The benchmark of issue 8 showed those trips among
    the largest costs of an update.
    """

    def __init__(self, rule: MagicFilter) -> None:
        self._rule = rule

    async def __call__(self, event: TelegramObject) -> bool:
        return bool(self._rule.resolve(event))

    def __str__(self) -> str:
        return f"Matches({self._rule!r})"
