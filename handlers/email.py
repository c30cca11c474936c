"""Sign-up, first question: the work email (R1). Owns the sign-up step's prompt."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.types import Message

from bot.domain.emails import EmailProblem
from bot.domain.registration import Position, RegistrationService
from bot.domain.signup import SignupService
from bot.domain.steps import Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import no_keyboard
from handlers.filters import Matches
from handlers.flow import StepRouter
from handlers.password import ask_password
from states import Registration


async def ask_email(conv: Conversation) -> None:
    await conv.enter(Registration.email)
    await conv.say(conv.t("ask_email"), reply_markup=no_keyboard())


async def sign_up_prompt(
    conv: Conversation, where: Position, signup: SignupService, registration: RegistrationService
) -> None:
    """No account yet: the open question of the sign-up. Half-way (the email given, the
    password not yet), the password question again, the email kept. Someone whose
    earlier sign-up expired unconfirmed is told so first (R24), once."""
    if where.expired_signup:
        days = conv.t.count(signup.policy.unconfirmed_account_days, "days")
        await conv.say(conv.t("signup_expired", days=days))
        await registration.expired_signup_told(conv.user_id)
        await ask_email(conv)
        return
    email = await conv.state.get_value("email")
    if await conv.at(Registration.password) and email:
        await ask_password(conv, email, signup)
        return
    await ask_email(conv)


async def email_given(message: Message, conv: Conversation, signup: SignupService) -> None:
    assert message.text is not None
    verdict = await signup.check_email(message.text)
    t = conv.t
    if verdict.problem is EmailProblem.TAKEN:
        await message.answer(t("email_taken"))
        return
    if not verdict.ok or verdict.email is None:
        await message.answer(t("email_invalid"))
        return
    if verdict.free_mail:
        await message.answer(t("email_free_mail_note", email=verdict.email))
    await conv.enter(Registration.password, email=verdict.email)
    await ask_password(conv, verdict.email, signup)


async def email_fallback(message: Message, conv: Conversation) -> None:
    await message.answer(conv.t("email_expected"), reply_markup=no_keyboard())


def router() -> StepRouter:
    router = StepRouter(name=__name__, prompts={Step.SIGN_UP: sign_up_prompt})
    router.message.register(email_given, StateFilter(Registration.email), Matches(F.text))
    router.message.register(email_fallback, StateFilter(Registration.email))
    return router
