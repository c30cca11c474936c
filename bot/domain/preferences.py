"""R17: the person's language, chosen from Telegram's and switchable."""

from __future__ import annotations

import enum

from bot.domain.ports import Store


class Language(enum.Enum):
    RU = "ru"
    EN = "en"


SUPPORTED_LANGUAGES = frozenset(language.value for language in Language)


class PreferenceService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def language_of(self, telegram_user_id: int) -> str | None:
        async with self._store.reading() as tx:
            return await tx.preferences.language(telegram_user_id)

    async def choose_language(self, telegram_user_id: int, language: str) -> bool:
        if language not in SUPPORTED_LANGUAGES:
            return False
        async with self._store.transaction() as tx:
            await tx.preferences.set_language(telegram_user_id, language)
        return True
