"""Waiting for the email link (R5): "Send confirmation again" and /resend."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.signup import ResendStatus, SignupService
from bot.keyboards import ResendEmail, resend_email_keyboard
from bot.texts import Texts
from handlers.flow import show_step
from states import Registration


async def _resend(
    user_id: int,
    chat_id: int,
    state: FSMContext,
    bot: Bot,
    signup: SignupService,
    t: Texts,
    language: str,
) -> None:
    outcome = await signup.resend_confirmation(user_id, language)
    if outcome.status is ResendStatus.SENT and outcome.account is not None:
        await state.set_state(Registration.awaiting_email_link)
        await bot.send_message(
            chat_id,
            t("resend_sent", email=outcome.account.email),
            reply_markup=resend_email_keyboard(t),
        )
        return
    if outcome.status is ResendStatus.TOO_SOON:
        # A double tap lands here: no second email, just how long to wait.
        wait = t.count(outcome.seconds_left, "seconds")
        await bot.send_message(chat_id, t("resend_too_soon", wait=wait))
        return
    if outcome.status is ResendStatus.DELIVERY_FAILED:
        await bot.send_message(chat_id, t("resend_failed"), reply_markup=resend_email_keyboard(t))
        return
    if outcome.status is ResendStatus.ALREADY_CONFIRMED:
        await bot.send_message(chat_id, t("email_already_confirmed"))
        await show_step(bot, chat_id, state, t, outcome.account, signup.policy)
        return
    await bot.send_message(chat_id, t("resend_no_account"))


async def resend_command(
    message: Message,
    state: FSMContext,
    bot: Bot,
    signup: SignupService,
    t: Texts,
    language: str,
) -> None:
    assert message.from_user is not None
    await _resend(message.from_user.id, message.chat.id, state, bot, signup, t, language)


async def resend_button(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    signup: SignupService,
    t: Texts,
    language: str,
) -> None:
    # Answered first: Telegram shows a spinner on the button until it is.
    await callback.answer()
    await _resend(callback.from_user.id, callback.from_user.id, state, bot, signup, t, language)


async def awaiting_link_fallback(
    message: Message, state: FSMContext, bot: Bot, signup: SignupService, t: Texts
) -> None:
    assert message.from_user is not None
    account = await signup.account_of(message.from_user.id)
    await show_step(bot, message.chat.id, state, t, account, signup.policy)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(resend_command, Command("resend"))
    router.callback_query.register(resend_button, ResendEmail.filter())
    router.message.register(awaiting_link_fallback, Registration.awaiting_email_link)
    return router
