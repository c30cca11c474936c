"""/resend (R16): whatever the current step sends, sent again: the confirmation email
at the email step (R5), the SMS code at the phone step (R8)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.domain.phone_confirmation import PhoneService, PhoneStatus
from bot.domain.signup import SignupService
from bot.domain.steps import Step
from bot.texts import Texts
from handlers.email_link import resend_email
from handlers.flow import Flow
from handlers.phone import show_phone_outcome


async def resend_command(
    message: Message,
    state: FSMContext,
    bot: Bot,
    signup: SignupService,
    phone: PhoneService,
    flow: Flow,
    t: Texts,
) -> None:
    assert message.from_user is not None
    user_id, chat_id = message.from_user.id, message.chat.id
    position = await flow.position(user_id)
    if position.step is Step.EMAIL:
        await resend_email(user_id, chat_id, state, bot, signup, flow, t)
    elif position.step is Step.PHONE:
        outcome = await phone.resend_code(user_id, t.language)
        if outcome.status is PhoneStatus.TOO_SOON:
            wait = t.count(outcome.seconds_left, "seconds")
            await message.answer(t("sms_too_soon", wait=wait))
            return
        await show_phone_outcome(outcome, user_id, chat_id, state, bot, flow, t, resend=True)
    elif position.step is Step.SIGN_UP:
        await message.answer(t("resend_no_account"))
    else:
        await message.answer(t("resend_nothing"))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(resend_command, Command("resend"))
    return router
