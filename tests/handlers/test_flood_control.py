"""R15, R20: someone flooding the bot is slowed down with one notice, without losing their
step; the excess is dropped as it arrives, before it waits for anyone's turn; others
are not affected."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import (
    CallbackQuery,
    Chat,
    Message,
    PreCheckoutQuery,
    SuccessfulPayment,
    Update,
    User,
)

from bot.telegram.flood import FloodGate
from states import Registration
from tests.conftest import WORK_EMAIL
from tests.support.chat import ChatDriver, Replies
from tests.support.session import RecordingSession

_ids = itertools.count(900_000)


async def through_the_gate(gate: FloodGate, chat: ChatDriver, text: str) -> Replies:
    """What polling and the webhook do: the gate first, then the dispatcher."""
    update = Update(update_id=next(_ids), message=chat.message(text=text))
    start = len(chat.session.calls)
    if gate.admit(update, chat.bot):
        await chat.dispatcher.feed_update(chat.bot, update)
    await gate.settle()
    return Replies(chat.session.calls[start:])


async def test_a_flood_is_slowed_with_one_notice_and_the_step_is_kept(chat: ChatDriver) -> None:
    now = [0.0]
    gate = FloodGate(max_events=3, per_seconds=2.0, clock=lambda: now[0])
    other = chat.other_person(4002)

    await through_the_gate(gate, chat, "/start")
    await through_the_gate(gate, chat, WORK_EMAIL)
    flooded = [await through_the_gate(gate, chat, "spam") for _ in range(5)]
    calm = await through_the_gate(gate, other, "/start")

    notices = [r for r in flooded if r.mentions("very fast")]
    assert len(notices) == 1
    assert all(not r.mentions("password") for r in flooded[1:])  # not handled at all
    assert calm.mentions("work email")  # someone else is not slowed
    assert await chat.is_in(Registration.password)
    assert await chat.data() == {"email": WORK_EMAIL}
    assert gate.dropped == 4

    now[0] += 2.5  # a moment later the person is heard again
    assert (await through_the_gate(gate, chat, "Strong-Pass-42")).mentions("account has been")


def _user(user_id: int) -> User:
    return User(id=user_id, is_bot=False, first_name="P", language_code="en")


def _message(user_id: int, **content: object) -> Message:
    return Message(
        message_id=next(_ids),
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=_user(user_id),
        **content,  # type: ignore[arg-type]
    )


async def test_money_is_never_dropped_however_fast_it_comes(
    bot: Bot, session: RecordingSession
) -> None:
    gate = FloodGate(max_events=1, per_seconds=60.0, clock=lambda: 0.0)
    payment = SuccessfulPayment(
        currency="RUB",
        total_amount=50000,
        invoice_payload="p",
        telegram_payment_charge_id="c",
        provider_payment_charge_id="pc",
    )
    query = PreCheckoutQuery(
        id="q", from_user=_user(5), currency="RUB", total_amount=50000, invoice_payload="p"
    )
    assert gate.admit(Update(update_id=1, message=_message(5, text="hi")), bot)
    assert not gate.admit(Update(update_id=2, message=_message(5, text="hi")), bot)
    assert gate.admit(Update(update_id=3, pre_checkout_query=query), bot)
    assert gate.admit(Update(update_id=4, message=_message(5, successful_payment=payment)), bot)
    await gate.settle()


async def test_a_dropped_button_press_gets_its_spinner_stopped(
    bot: Bot, session: RecordingSession
) -> None:
    gate = FloodGate(max_events=1, per_seconds=60.0, clock=lambda: 0.0)

    def press(n: int) -> Update:
        query = CallbackQuery(
            id=f"cb{n}", from_user=_user(6), chat_instance="x", data="resend_email"
        )
        return Update(update_id=100 + n, callback_query=query)

    assert gate.admit(press(1), bot)
    assert not gate.admit(press(2), bot)
    assert not gate.admit(press(3), bot)
    await gate.settle()

    answers = [c for c in session.calls if isinstance(c, AnswerCallbackQuery)]
    assert [a.callback_query_id for a in answers] == ["cb2", "cb3"]
    assert answers[0].text is not None
    assert "very fast" in answers[0].text
    assert answers[1].text is None  # one notice per flood
    assert not [c for c in session.calls if isinstance(c, SendMessage)]


async def test_the_gate_forgets_people_whose_window_has_passed(bot: Bot) -> None:
    now = [0.0]
    gate = FloodGate(max_events=5, per_seconds=2.0, clock=lambda: now[0])
    for user_id in range(1, 10_001):
        gate.admit(Update(update_id=user_id, message=_message(user_id, text="x")), bot)
    assert gate.people <= 10_000
    now[0] += 30  # ten windows and more
    for user_id in range(20_001, 20_011):
        gate.admit(Update(update_id=user_id, message=_message(user_id, text="x")), bot)
    assert gate.people == 10
    await asyncio.sleep(0)
