"""Showing a step: the FSM state and the prompt that go with where the person is.

Used wherever the conversation resumes (R12): /start, after a link, after /cancel.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext

from bot.domain.accounts import Account, Step, next_step
from bot.domain.policy import Policy
from bot.keyboards import no_keyboard, phone_request_keyboard, resend_email_keyboard
from bot.texts import Texts
from states import Registration


async def ask_for_email(bot: Bot, chat_id: int, state: FSMContext, t: Texts) -> None:
    await state.set_state(Registration.email)
    await state.set_data({})
    await bot.send_message(chat_id, t("ask_email"), reply_markup=no_keyboard())


async def show_step(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    t: Texts,
    account: Account | None,
    policy: Policy,
) -> None:
    """Sets the state for the account's next step and asks for what it needs."""
    step = next_step(account, policy)
    if step is Step.SIGN_UP or account is None:
        await ask_for_email(bot, chat_id, state, t)
    elif step is Step.EMAIL:
        await state.set_state(Registration.awaiting_email_link)
        await state.set_data({})
        await bot.send_message(
            chat_id,
            t("awaiting_link", email=account.email),
            reply_markup=resend_email_keyboard(t),
        )
    else:
        await state.set_state(Registration.phone)
        await state.set_data({})
        await bot.send_message(chat_id, t("ask_phone"), reply_markup=phone_request_keyboard(t))
