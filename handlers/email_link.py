"""Waiting for the email link (R5): "Send confirmation again"."""

from __future__ import annotations

import contextlib

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.signup import ResendStatus, SignupService
from bot.keyboards import ResendEmail, resend_email_keyboard
from bot.texts import Texts
from handlers.flow import Flow
from states import Registration


async def resend_email(
    user_id: int,
    chat_id: int,
    state: FSMContext,
    bot: Bot,
    signup: SignupService,
    flow: Flow,
    t: Texts,
) -> None:
    """A fresh link; used by the button and by /resend at the email step."""
    outcome = await signup.resend_confirmation(user_id, t.language)
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
        await flow.show(bot, chat_id, state, t, user_id)
        return
    await bot.send_message(chat_id, t("resend_no_account"))


async def resend_button(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    signup: SignupService,
    flow: Flow,
    t: Texts,
) -> None:
    # Answered first: Telegram shows a spinner on the button until it is.
    await callback.answer()
    user_id = callback.from_user.id
    await resend_email(user_id, user_id, state, bot, signup, flow, t)


async def awaiting_link_fallback(
    message: Message, state: FSMContext, bot: Bot, flow: Flow, t: Texts
) -> None:
    assert message.from_user is not None
    if message.text is not None:
        # Most likely the password sent a second time: it goes from the chat as the
        # first copy did (R3); nothing else is expected to be typed here.
        with contextlib.suppress(TelegramBadRequest):
            await message.delete()
    await flow.show(bot, message.chat.id, state, t, message.from_user.id)


def router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(resend_button, ResendEmail.filter())
    router.message.register(awaiting_link_fallback, StateFilter(Registration.awaiting_email_link))
    return router
