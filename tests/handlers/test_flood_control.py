"""R15, R20: someone flooding the bot is slowed down with one notice, without losing their
step; the excess is dropped as it arrives, before it waits for anyone's turn; others
are not affected. A message counts when it was sent, so what people wrote calmly while
the bot was down is answered in full, though it arrives as one batch."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

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
from tests.support.fakes import FakeClock
from tests.support.session import RecordingSession

_ids = itertools.count(900_000)


async def through_the_gate(
    gate: FloodGate, chat: ChatDriver, text: str, *, sent: Message | None = None
) -> Replies:
    """What polling and the webhook do: the gate first, then the dispatcher."""
    update = Update(update_id=next(_ids), message=sent or chat.message(text=text))
    start = len(chat.session.calls)
    if gate.admit(update, chat.bot):
        await chat.dispatcher.feed_update(chat.bot, update)
    await gate.settle()
    return Replies(chat.session.calls[start:])


async def test_a_flood_is_slowed_with_one_notice_and_the_step_is_kept(
    chat: ChatDriver, clock: FakeClock
) -> None:
    gate = FloodGate(max_events=3, per_seconds=2.0, clock=clock)
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

    clock.advance(2.5)  # a moment later the person is heard again
    assert (await through_the_gate(gate, chat, "Strong-Pass-42")).mentions("account has been")


async def test_what_was_written_calmly_during_a_restart_is_all_answered(
    chat: ChatDriver, clock: FakeClock
) -> None:
    """Six messages typed one a second while the bot was down reach it together, a
    minute later; none is a flood, and the email, the sixth, is not lost."""
    gate = FloodGate(max_events=5, per_seconds=2.0, clock=clock)
    await through_the_gate(gate, chat, "/start")
    typed = ["hello", "is anyone there?", "hello?", "I want an account", "please", WORK_EMAIL]
    written = []
    for text in typed:
        clock.advance(1)
        written.append(chat.message(text=text))
    clock.advance(60)  # the bot starts again and polls: all six at once

    replies = [await through_the_gate(gate, chat, m.text or "", sent=m) for m in written]

    assert gate.dropped == 0
    assert not any(r.mentions("very fast") for r in replies)
    assert all(r.texts for r in replies)  # each one answered
    assert replies[-1].mentions("password")
    assert await chat.is_in(Registration.password)


async def test_a_flood_written_during_a_restart_is_still_cut(
    chat: ChatDriver, clock: FakeClock
) -> None:
    """300 messages typed within three seconds while the bot was down are a flood when
    they arrive, as they would have been live: 5 in each 2 seconds get through."""
    gate = FloodGate(max_events=5, per_seconds=2.0, clock=clock)
    other = chat.other_person(4003)
    start = clock.now()
    written = [
        chat.message(text=f"spam {n}").model_copy(
            update={"date": start + timedelta(seconds=n // 100)}
        )
        for n in range(300)
    ]
    clock.advance(60)

    for message in written:
        await through_the_gate(gate, chat, "", sent=message)
    calm = await through_the_gate(gate, other, "/start")

    assert gate.dropped == 300 - 10  # 5 in the window of seconds 0-1, 5 in that of 2-3
    assert calm.mentions("work email")


async def test_button_presses_count_when_they_arrive(chat: ChatDriver, clock: FakeClock) -> None:
    """A pressed button carries no date of its own: presses are counted as they come,
    on a timeline apart from the messages' dates."""
    gate = FloodGate(max_events=2, per_seconds=2.0, clock=clock)

    def press(n: int) -> Update:
        query = CallbackQuery(id=f"p{n}", from_user=_user(7), chat_instance="x", data="x")
        return Update(update_id=200 + n, callback_query=query)

    assert gate.admit(press(1), chat.bot)
    assert gate.admit(press(2), chat.bot)
    assert not gate.admit(press(3), chat.bot)
    # Messages the same person sent in that second are on their own timeline.
    assert gate.admit(Update(update_id=210, message=_message(7, clock, text="hi")), chat.bot)
    clock.advance(2)
    assert gate.admit(press(4), chat.bot)
    await gate.settle()


def _user(user_id: int) -> User:
    return User(id=user_id, is_bot=False, first_name="P", language_code="en")


def _message(user_id: int, clock: FakeClock, **content: object) -> Message:
    return Message(
        message_id=next(_ids),
        date=clock.now(),
        chat=Chat(id=user_id, type="private"),
        from_user=_user(user_id),
        **content,  # type: ignore[arg-type]
    )


async def test_money_is_never_dropped_however_fast_it_comes(
    bot: Bot, session: RecordingSession, clock: FakeClock
) -> None:
    gate = FloodGate(max_events=1, per_seconds=60.0, clock=clock)
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
    assert gate.admit(Update(update_id=1, message=_message(5, clock, text="hi")), bot)
    assert not gate.admit(Update(update_id=2, message=_message(5, clock, text="hi")), bot)
    assert gate.admit(Update(update_id=3, pre_checkout_query=query), bot)
    assert gate.admit(
        Update(update_id=4, message=_message(5, clock, successful_payment=payment)), bot
    )
    await gate.settle()


async def test_a_dropped_button_press_gets_its_spinner_stopped(
    bot: Bot, session: RecordingSession, clock: FakeClock
) -> None:
    gate = FloodGate(max_events=1, per_seconds=60.0, clock=clock)

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


async def test_the_gate_forgets_people_whose_window_has_passed(bot: Bot, clock: FakeClock) -> None:
    gate = FloodGate(max_events=5, per_seconds=2.0, clock=clock)
    for user_id in range(1, 10_001):
        gate.admit(Update(update_id=user_id, message=_message(user_id, clock, text="x")), bot)
    assert gate.people <= 10_000
    clock.advance(30)  # ten windows and more
    for user_id in range(20_001, 20_011):
        gate.admit(Update(update_id=user_id, message=_message(user_id, clock, text="x")), bot)
    assert gate.people == 10
    await asyncio.sleep(0)
