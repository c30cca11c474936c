"""Sign-up, first question: the work email (R1)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.domain.emails import EmailProblem
from bot.domain.signup import SignupService
from bot.texts import Texts
from handlers.filters import Magic
from handlers.password import ask_password
from states import Registration


async def email_given(message: Message, state: FSMContext, signup: SignupService, t: Texts) -> None:
    assert message.text is not None
    verdict = await signup.check_email(message.text)
    if verdict.problem is EmailProblem.TAKEN:
        await message.answer(t("email_taken"))
        return
    if not verdict.ok or verdict.email is None:
        await message.answer(t("email_invalid"))
        return
    if verdict.free_mail:
        await message.answer(t("email_free_mail_note", email=verdict.email))
    await state.set_state(Registration.password)
    await state.set_data({"email": verdict.email})
    await ask_password(message, verdict.email, signup, t)


async def email_fallback(message: Message, t: Texts) -> None:
    await message.answer(t("email_expected"))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(email_given, StateFilter(Registration.email), Magic(F.text))
    router.message.register(email_fallback, StateFilter(Registration.email))
    return router
