"""/resend (R16): whatever the current step sends, sent again: the confirmation email
at the email step (R5), the SMS code at the phone step (R8)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.domain.phone_confirmation import PhoneService, PhoneStatus
from bot.domain.signup import SignupService
from bot.domain.steps import Step
from bot.jobs.code_prompts import CodePromptRefresher
from bot.telegram.conversation import Conversation
from handlers.email_link import resend_email
from handlers.flow import Flow
from handlers.phone import show_phone_outcome


async def resend_command(
    message: Message,
    conv: Conversation,
    signup: SignupService,
    phone: PhoneService,
    code_prompts: CodePromptRefresher,
    flow: Flow,
) -> None:
    t = conv.t
    position = await flow.position(conv.user_id)
    if position.step is Step.EMAIL:
        await resend_email(conv, signup, flow)
    elif position.step is Step.PHONE:
        outcome = await phone.resend_code(conv.user_id, conv.language)
        if outcome.status is PhoneStatus.TOO_SOON:
            await message.answer(t("sms_too_soon", wait=t.count(outcome.seconds_left, "seconds")))
            return
        await show_phone_outcome(conv, outcome, phone, code_prompts, flow, resend=True)
    elif position.step is Step.SIGN_UP:
        await message.answer(t("resend_no_account"))
    else:
        await message.answer(t("resend_nothing"))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(resend_command, Command("resend"))
    return router
