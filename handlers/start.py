"""/start: a new person is greeted and asked for the email; anyone else resumes (R12).
`/start <token>` is the deep link from the confirmation email (R5)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.domain.signup import LinkStatus, SignupService
from bot.keyboards import resend_email_keyboard
from bot.texts import Texts
from handlers.flow import Flow
from handlers.password import ask_password
from states import Registration


async def start_with_link(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    bot: Bot,
    signup: SignupService,
    flow: Flow,
    t: Texts,
) -> None:
    assert message.from_user is not None
    outcome = await signup.confirm_email(message.from_user.id, command.args or "")
    chat_id = message.chat.id
    if outcome.status is LinkStatus.CONFIRMED and outcome.account is not None:
        await message.answer(t("link_confirmed", email=outcome.account.email))
    elif outcome.status is LinkStatus.ALREADY_CONFIRMED:
        await message.answer(t("email_already_confirmed"))
    elif outcome.status in (LinkStatus.EXPIRED, LinkStatus.SUPERSEDED):
        await state.set_state(Registration.awaiting_email_link)
        key = "link_expired" if outcome.status is LinkStatus.EXPIRED else "link_superseded"
        await message.answer(t(key), reply_markup=resend_email_keyboard(t))
        return
    elif outcome.status is LinkStatus.OTHER_ACCOUNT:
        await message.answer(t("link_other_account"))
    else:
        await message.answer(t("link_invalid"))
    position = await flow.position(message.from_user.id)
    if position.account is None and await state.get_state() is not None:
        return  # mid-sign-up: the question already asked still stands
    await flow.show(bot, chat_id, state, t, message.from_user.id, position)


async def start(
    message: Message, state: FSMContext, bot: Bot, signup: SignupService, flow: Flow, t: Texts
) -> None:
    assert message.from_user is not None
    position = await flow.position(message.from_user.id)
    if position.account is None:
        email = await state.get_value("email")
        if await state.get_state() == Registration.password.state and email:
            await ask_password(message, email, signup, t)
            return
        await message.answer(t("greeting"))
    await flow.show(bot, message.chat.id, state, t, message.from_user.id, position)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_with_link, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    return router
