"""Step 2: the phone number (R6-R8)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from bot.keyboards import phone_request_keyboard
from bot.texts import Texts
from states import Registration


async def phone_fallback(message: Message, t: Texts) -> None:
    await message.answer(t("ask_phone"), reply_markup=phone_request_keyboard(t))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(phone_fallback, Registration.phone)
    return router
