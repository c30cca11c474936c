"""Whatever no step took (R15): unknown commands, no state, buttons gone stale, edits."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.texts import Texts
from handlers.filters import Magic
from handlers.flow import Flow


async def resume(message: Message, state: FSMContext, bot: Bot, flow: Flow, t: Texts) -> None:
    """A message with no step waiting for it: continue where the person stopped (R12)."""
    assert message.from_user is not None
    position = await flow.position(message.from_user.id)
    if position.account is None and message.text is None:
        await message.answer(t("text_expected"))
    await flow.show(bot, message.chat.id, state, t, message.from_user.id, position)


async def edited(message: Message, t: Texts) -> None:
    await message.answer(t("edit_ignored"))


async def stale_button(callback: CallbackQuery, t: Texts) -> None:
    await callback.answer(t("stale_button"))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(resume)
    router.edited_message.register(edited, Magic(F.chat.type == ChatType.PRIVATE))
    router.callback_query.register(stale_button)
    return router
