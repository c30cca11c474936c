"""Commands that work at every step: /help, /status, /cancel, /language (R16, R17)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.phones import display_phone
from bot.domain.preferences import PreferenceService
from bot.domain.registration import Position
from bot.domain.signup import SignupService
from bot.domain.steps import Progress, Step
from bot.keyboards import ChooseLanguage, language_keyboard, no_keyboard
from bot.texts import Html, Texts, texts_for
from handlers.flow import Flow


async def show_help(message: Message, t: Texts) -> None:
    await message.answer(t("help"))


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
            name=t(f"step_name.{step.value}"),
            progress=t(f"progress.{progress.value}"),
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


async def status(message: Message, state: FSMContext, bot: Bot, flow: Flow, t: Texts) -> None:
    """Where the person is and what is left; then the current step's question again,
    with its keyboard, so the answer can follow at once."""
    assert message.from_user is not None
    position = await flow.position(message.from_user.id)
    if position.account is None:
        current = await state.get_state()
        await message.answer(t("status_signing_up" if current else "status_no_account"))
        return  # mid-sign-up: the question already asked still stands
    await message.answer(status_text(position, t))
    await flow.show(bot, message.chat.id, state, t, message.from_user.id, position)


async def cancel(
    message: Message, state: FSMContext, signup: SignupService, flow: Flow, t: Texts
) -> None:
    """Stops the current input. The account, if there is one, is kept; the next
    message or /start resumes where the person stopped (R12)."""
    assert message.from_user is not None
    account = await signup.account_of(message.from_user.id)
    current = await state.get_state()
    assert message.bot is not None
    await flow.forget_secret_message(message.bot, message.chat.id, state)
    await state.clear()
    if account is not None:
        text = t("cancelled_kept")
    elif current is None:
        text = t("cancelled_nothing")
    else:
        text = t("cancelled_signup")
    await message.answer(text, reply_markup=no_keyboard())


async def choose_language(message: Message, t: Texts) -> None:
    await message.answer(t("language_prompt"), reply_markup=language_keyboard(t))


async def language_chosen(
    callback: CallbackQuery,
    callback_data: ChooseLanguage,
    preferences: PreferenceService,
    t: Texts,
) -> None:
    if not await preferences.choose_language(callback.from_user.id, callback_data.code):
        await callback.answer(t("stale_button"))
        return
    chosen = texts_for(callback_data.code)
    await callback.answer(chosen("language_set"))
    if callback.message is not None:
        await callback.bot.send_message(callback.message.chat.id, chosen("language_set"))  # type: ignore[union-attr]


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_help, Command("help"))
    router.message.register(status, Command("status"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(choose_language, Command("language"))
    router.callback_query.register(language_chosen, ChooseLanguage.filter())
    return router
