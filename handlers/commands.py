"""Commands that work at every step: /help, /status, /cancel, /language (R16, R17)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.phones import display_phone
from bot.domain.preferences import PreferenceService
from bot.domain.registration import Position
from bot.domain.signup import SignupService
from bot.domain.steps import Progress, Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import ChooseLanguage, language_keyboard, no_keyboard
from bot.ui.texts import Html, Texts, texts_for
from handlers.flow import Flow


async def show_help(message: Message, conv: Conversation) -> None:
    await message.answer(conv.t("help"))


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


async def cancel(message: Message, conv: Conversation, signup: SignupService) -> None:
    """Stops the current input. The account, if there is one, is kept; the next
    message or /start resumes where the person stopped (R12)."""
    account = await signup.account_of(conv.user_id)
    current = await conv.state.get_state()
    await conv.forget_ephemeral()
    await conv.state.clear()
    if account is not None:
        text = conv.t("cancelled_kept")
    elif current is None:
        text = conv.t("cancelled_nothing")
    else:
        text = conv.t("cancelled_signup")
    await message.answer(text, reply_markup=no_keyboard())


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
    chosen = texts_for(code)
    await callback.answer(chosen("language_set"))
    await conv.say(chosen("language_set"))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_help, Command("help"))
    router.message.register(status, Command("status"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(choose_language, Command("language"))
    router.callback_query.register(language_chosen, ChooseLanguage.filter())
    return router
