"""R15: flood control. One person sending faster than anyone types is slowed down."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User


class FloodControl(BaseMiddleware):
    """Someone sending more than `max_events` messages or presses in `per_seconds` is
    slowed down: the excess is not handled, and they get one notice per flood. Their
    step and data stay as they were, and nobody else waits for them (R15)."""

    def __init__(
        self,
        max_events: int = 5,
        per_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_events
        self._window = per_seconds
        self._clock = clock
        self._events: dict[int, deque[float]] = {}
        self._noticed: dict[int, float] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        now = self._clock()
        if len(self._events) > 100_000:
            self._events.clear()  # a crude bound on memory; windows are seconds long
        recent = self._events.setdefault(user.id, deque())
        while recent and now - recent[0] > self._window:
            recent.popleft()
        if len(recent) < self._max:
            recent.append(now)
            return await handler(event, data)
        if self._noticed.get(user.id, float("-inf")) < recent[0]:
            self._noticed[user.id] = now
            text = data["t"]("flood_notice")
            if isinstance(event, Message | CallbackQuery):
                await event.answer(text)
        elif isinstance(event, CallbackQuery):
            await event.answer()  # no spinner left on the button
        return None
