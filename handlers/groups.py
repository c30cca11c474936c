"""R15: the bot works in private chats only; groups get a polite redirect."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from bot.ui.texts import Texts
from handlers.filters import Matches


async def redirect_to_private(message: Message, t: Texts) -> None:
    await message.reply(t("group_redirect"))


async def group_button(callback: CallbackQuery, t: Texts) -> None:
    await callback.answer(t("group_redirect"), show_alert=True)


def router() -> Router:
    router = Router(name=__name__)
    router.message.filter(Matches(F.chat.type != ChatType.PRIVATE))
    router.message.register(redirect_to_private)
    router.callback_query.register(group_button, Matches(F.message.chat.type != ChatType.PRIVATE))
    return router
