"""/start: a new person is greeted and asked for the email; anyone else resumes where
they stopped (R12). `/start <token>` is the email step's (handlers/email_link.py)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.types import Message

from bot.domain.money import rubles
from bot.domain.signup import SignupService
from bot.telegram.conversation import Conversation
from handlers.flow import Flow


async def start(message: Message, conv: Conversation, flow: Flow, signup: SignupService) -> None:
    position = await flow.position(conv.user_id)
    if position.account is None and await conv.state.get_value("email") is None:
        t, policy = conv.t, signup.policy
        await message.answer(
            t(
                "greeting",
                amount=t.money(rubles(policy.card_check_amount_rub)),
                bonus=t.count(policy.bonus_points, "bonus_points"),
            )
        )
    await flow.show(conv, position)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    return router
