"""A command no router knows (R15). Runs after every command router, before the steps."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import Message

from bot.ui.texts import Texts
from handlers.filters import Matches
from states import Registration


async def unknown_command(message: Message, t: Texts) -> None:
    await message.answer(t("unknown_command"))


def router() -> Router:
    router = Router(name=__name__)
    # At the password step a leading "/" is one of the allowed symbols (R2): there the
    # text is the password, not a command.
    router.message.register(
        unknown_command, Matches(F.text.startswith("/")), ~StateFilter(Registration.password)
    )
    return router
