"""Commands that work at every step: /help, /cancel, /language (R16, R17)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.preferences import PreferenceService
from bot.domain.signup import SignupService
from bot.keyboards import ChooseLanguage, language_keyboard, no_keyboard
from bot.texts import Texts, texts_for


async def show_help(message: Message, t: Texts) -> None:
    await message.answer(t("help"))


async def cancel(message: Message, state: FSMContext, signup: SignupService, t: Texts) -> None:
    """Stops the current input. The account, if there is one, is kept; the next
    message or /start resumes where the person stopped (R12)."""
    assert message.from_user is not None
    account = await signup.account_of(message.from_user.id)
    current = await state.get_state()
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
    router.message.register(cancel, Command("cancel"))
    router.message.register(choose_language, Command("language"))
    router.callback_query.register(language_chosen, ChooseLanguage.filter())
    return router
