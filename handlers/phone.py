"""Step 2: the phone number (R6-R8).

Phone confirmation itself is the next issue. Until it exists, whatever the person
sends here gets an honest answer instead of the same question again, and the step
(with everything already confirmed) is kept for when it opens.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from bot.keyboards import no_keyboard
from bot.texts import Texts
from states import Registration


async def phone_not_open_yet(message: Message, t: Texts) -> None:
    await message.answer(t("phone_step_unavailable"), reply_markup=no_keyboard())


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(phone_not_open_yet, Registration.phone)
    return router
