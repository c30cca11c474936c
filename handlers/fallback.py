"""Whatever no step took (R15): unknown commands, no state, buttons gone stale, edits."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.signup import SignupService
from bot.texts import Texts
from handlers.flow import show_step


async def resume(
    message: Message, state: FSMContext, bot: Bot, signup: SignupService, t: Texts
) -> None:
    """A message with no step waiting for it: continue where the person stopped (R12)."""
    assert message.from_user is not None
    account = await signup.account_of(message.from_user.id)
    if account is None and message.text is None:
        await message.answer(t("text_expected"))
    await show_step(bot, message.chat.id, state, t, account, signup.policy)


async def edited(message: Message, t: Texts) -> None:
    await message.answer(t("edit_ignored"))


async def stale_button(callback: CallbackQuery, t: Texts) -> None:
    await callback.answer(t("stale_button"))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(resume)
    router.edited_message.register(edited, F.chat.type == ChatType.PRIVATE)
    router.callback_query.register(stale_button)
    return router
