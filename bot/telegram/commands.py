"""The command menu in the Telegram client (R16), in both languages."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from bot.ui.menu import MENU
from bot.ui.texts import DEFAULT_LANGUAGE, LANGUAGES, texts_for


async def publish_commands(bot: Bot) -> None:
    for language in LANGUAGES:
        t = texts_for(language)
        commands = [BotCommand(command=name, description=t.of("command", name)) for name in MENU]
        await bot.set_my_commands(
            commands,
            scope=BotCommandScopeAllPrivateChats(),
            # The default language's menu is everyone else's too.
            language_code=None if language == DEFAULT_LANGUAGE else language,
        )
