"""Commands that work at every step: /help, /status, /cancel, /delete, /language (R16,
R17, R32)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.phones import display_phone
from bot.domain.preferences import PreferenceService
from bot.domain.registration import Position
from bot.domain.signup import DeletionStatus, SignupService
from bot.domain.steps import Progress, Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import (
    ChooseLanguage,
    DeleteAccount,
    DeleteAction,
    delete_keyboard,
    help_keyboard,
    language_keyboard,
    no_keyboard,
    with_talk,
)
from bot.ui.texts import Html, Texts, texts_for
from handlers.flow import Flow
from states import Registration


async def show_help(message: Message, conv: Conversation, flow: Flow) -> None:
    """R33: what the person's own step needs, its buttons, how to correct or go back,
    and how to reach a person; then the commands."""
    t = conv.t
    position = await flow.position(conv.user_id)
    step = position.step
    at_password = step is Step.SIGN_UP and await conv.at(Registration.password)
    here = t.of("help_step", "password") if at_password else t.of("help_step", step)
    # R35: a way to a human under every /help.
    keyboard = with_talk(
        t,
        help_keyboard(
            t, step, at_password=at_password, at_code=await conv.at(Registration.sms_code)
        ),
    )
    await conv.say(f"{here}\n\n{t('help_commands')}", reply_markup=keyboard)


_MARKS = {
    Progress.DONE: "✅",
    Progress.CURRENT: "▶️",
    Progress.TODO: "⬜",
    Progress.NOT_REQUIRED: "➖",
}


def status_text(position: Position, t: Texts) -> str:
    """The three confirmation steps with done / current / to do (R16, R12)."""
    account = position.account
    if account is None:
        return t("status_signing_up")
    lines = [t("status_title")]
    for number, (step, progress) in enumerate(position.progress, start=1):
        line = t(
            "status_line",
            mark=_MARKS[progress],
            number=number,
            name=t.of("step_name", step),
            progress=t.of("progress", progress),
        )
        detail = None
        if step is Step.EMAIL:
            detail = account.email
        elif step is Step.PHONE and account.phone and progress is Progress.DONE:
            detail = display_phone(account.phone)
        if detail is not None:
            line = t("status_detail", line=Html(line), detail=detail)
        lines.append(line)
    if position.step in (Step.ACTIVATION, Step.ACTIVE):
        lines.append(t("status_all_confirmed"))
    return "\n".join(lines)


async def status(message: Message, conv: Conversation, flow: Flow) -> None:
    """Where the person is and what is left; then the current step's question again,
    with its keyboard, so the answer can follow at once."""
    position = await flow.position(conv.user_id)
    if position.account is None:
        signing_up = await conv.state.get_state() is not None
        await message.answer(conv.t("status_signing_up" if signing_up else "status_no_account"))
        return  # mid-sign-up: the question already asked still stands
    await message.answer(status_text(position, conv.t))
    await flow.show(conv, position)


async def cancel(message: Message, conv: Conversation, flow: Flow) -> None:
    """Stops the current input, says what is kept and how to come back (R12, R32): the
    account, if there is one, is kept; the next message or /start resumes."""
    t = conv.t
    position = await flow.position(conv.user_id)
    current = await conv.state.get_state()
    await conv.forget_ephemeral()
    await conv.state.clear()
    account = position.account
    if account is not None and position.step is Step.ACTIVE:
        text = t("cancelled_active")
    elif account is not None:
        step = t.of("step_label", position.step)
        text = t("cancelled_kept", email=account.email, step=step)
    elif current is None:
        text = t("cancelled_nothing")
    else:
        text = t("cancelled_signup")
    await message.answer(text, reply_markup=no_keyboard())


async def delete_command(message: Message, conv: Conversation, flow: Flow) -> None:
    """R32: deleting an account that is not activated, after a confirmation."""
    t = conv.t
    position = await flow.position(conv.user_id)
    account = position.account
    if account is None:
        await conv.state.clear()
        await message.answer(t("delete_nothing"), reply_markup=no_keyboard())
    elif position.step is Step.ACTIVE:
        await message.answer(t("delete_active"))
    else:
        await conv.say(t("delete_ask", email=account.email), reply_markup=delete_keyboard(t))


async def delete_button(
    callback: CallbackQuery,
    callback_data: DeleteAccount,
    conv: Conversation,
    signup: SignupService,
    flow: Flow,
) -> None:
    await callback.answer()
    t = conv.t
    if callback_data.action is DeleteAction.KEEP:
        await conv.say(t("delete_kept"))
        await flow.show(conv)
        return
    status = await signup.delete_account(conv.user_id)
    if status is DeletionStatus.DELETED:
        await conv.forget_ephemeral()
        await conv.state.clear()
        await conv.say(t("deleted"), reply_markup=no_keyboard())
    elif status is DeletionStatus.HAS_MONEY:
        await conv.say(t("delete_has_money"))
    elif status is DeletionStatus.ACTIVE:
        await conv.say(t("delete_active"))
    else:
        await conv.say(t("delete_nothing"))


async def choose_language(message: Message, conv: Conversation) -> None:
    await message.answer(conv.t("language_prompt"), reply_markup=language_keyboard(conv.t))


async def language_chosen(
    callback: CallbackQuery,
    callback_data: ChooseLanguage,
    conv: Conversation,
    preferences: PreferenceService,
) -> None:
    code = callback_data.code.value
    if not await preferences.choose_language(conv.user_id, code):
        await callback.answer(conv.t("stale_button"))
        return
    await callback.answer()  # said once, in the chat
    await conv.say(texts_for(code, conv.t.support)("language_set"))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_help, Command("help"))
    router.message.register(status, Command("status"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(delete_command, Command("delete"))
    router.callback_query.register(delete_button, DeleteAccount.filter())
    router.message.register(choose_language, Command("language"))
    router.callback_query.register(language_chosen, ChooseLanguage.filter())
    return router
