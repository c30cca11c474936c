"""Whatever no step took (R15): unknown commands, no state, buttons gone stale, edits."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from bot.telegram.conversation import Conversation
from bot.ui.texts import Texts
from handlers.filters import Matches
from handlers.flow import Flow


async def resume(message: Message, conv: Conversation, flow: Flow) -> None:
    """A message with no step waiting for it: continue where the person stopped (R12)."""
    position = await flow.position(conv.user_id)
    if position.account is None and message.text is None:
        await message.answer(conv.t("text_expected"))
    await flow.show(conv, position)


async def edited(message: Message, t: Texts) -> None:
    await message.answer(t("edit_ignored"))


async def stale_button(callback: CallbackQuery, t: Texts) -> None:
    # Its message's buttons go with it (bot/telegram/buttons.py).
    await callback.answer(t("stale_button"), show_alert=True)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(resume)
    router.edited_message.register(edited, Matches(F.chat.type == ChatType.PRIVATE))
    router.callback_query.register(stale_button)
    return router
