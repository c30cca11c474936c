"""Per-update middleware: the person's language; a blocked chat unblocked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.domain.preferences import PreferenceService
from bot.telegram.faults import TelegramFaultsMiddleware
from bot.ui.texts import DEFAULT_SUPPORT_CONTACT, language_for, texts_for


class LanguageMiddleware(BaseMiddleware):
    """Puts `language` and `t` (the person's texts) into the handler's arguments:
    the language chosen with /language, else the one of the Telegram client (R17)."""

    def __init__(
        self, preferences: PreferenceService, support_contact: str = DEFAULT_SUPPORT_CONTACT
    ) -> None:
        self._preferences = preferences
        self._support = support_contact

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chosen = await self._preferences.language_of(user.id) if user else None
        language = chosen or language_for(user.language_code if user else None)
        data["language"] = language
        data["t"] = texts_for(language, self._support)
        return await handler(event, data)


class UnblockMiddleware(BaseMiddleware):
    """Someone who writes to the bot has unblocked it: replies may go to them again."""

    def __init__(self, faults: TelegramFaultsMiddleware) -> None:
        self._faults = faults

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is not None:
            self._faults.unblock(user.id)
        return await handler(event, data)
