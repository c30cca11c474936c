"""Issue 7: 200 people through the whole registration at once, with double taps and
two updates of one person arriving together: every account ends complete and
consistent, and nothing is sent or credited twice (R19)."""

from __future__ import annotations

import asyncio
import re

from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from bot.app import Services
from bot.domain.money import rubles
from bot.domain.policy import Policy
from bot.domain.steps import Step
from bot.ui.keyboards import Autopay, GetStarted, SandboxPay
from states import Registration
from tests.conftest import GOOD_PASSWORD
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, SmsOutbox
from tests.support.session import RecordingSession

PEOPLE = 200


def payload_for(session: RecordingSession, user_id: int) -> str:
    for call in reversed(session.calls):
        if isinstance(call, SendMessage) and call.chat_id == user_id:
            markup = call.reply_markup
            if isinstance(markup, InlineKeyboardMarkup):
                for row in markup.inline_keyboard:
                    for button in row:
                        if (button.callback_data or "").startswith("sbx_pay:"):
                            return SandboxPay.unpack(button.callback_data or "").payload
    raise AssertionError(f"no invoice for {user_id}")


async def register(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, session: RecordingSession
) -> None:
    user = chat.user.id
    email = f"p{user}@corp.example"
    phone = f"+7916{user:07d}"
    await chat.send("/start")
    await chat.send(email)
    # The password twice at once, as a double send: one account, one email.
    await asyncio.gather(chat.send(GOOD_PASSWORD), chat.send(GOOD_PASSWORD))
    letter = next(e for e in outbox.sent if e.to == email)
    token = re.search(r"\?start=([A-Za-z0-9_-]+)", letter.text)
    assert token
    await chat.send(f"/start {token[1]}")
    await asyncio.gather(chat.send(phone), chat.send(phone))
    text = next(s.text for s in sms.sent if s.phone == phone)
    code = re.search(r"\b(\d{6})\b", text)
    assert code
    await chat.send(code[1])
    pay = SandboxPay(payload=payload_for(session, user)).pack()
    await asyncio.gather(chat.press(pay), chat.press(pay))
    await chat.press(Autopay(action="skip").pack())
    await asyncio.gather(chat.press(GetStarted().pack()), chat.press(GetStarted().pack()))


async def test_two_hundred_people_at_once_all_finish_and_nothing_happens_twice(
    dispatcher: object,
    chat: ChatDriver,
    bot: Bot,
    session: RecordingSession,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    services: Services,
    policy: Policy,
) -> None:
    people = [chat.other_person(100_000 + n) for n in range(PEOPLE)]

    await asyncio.gather(*(register(p, outbox, sms, session) for p in people))

    assert len(outbox.sent) == PEOPLE  # one email each
    assert len(sms.sent) == PEOPLE  # one SMS each
    for person in people:
        account, balance = await services.activation.balance_of(person.user.id)
        assert account is not None
        assert account.has_done(Step.ACTIVATION)
        assert account.has_done(Step.CARD)
        assert account.phone == f"+7916{person.user.id:07d}"
        # Paid in the sandbox: simulated, once (R21).
        assert balance.simulated_kopecks == rubles(policy.card_check_amount_rub)
        assert balance.bonus_points == policy.bonus_points
        assert await person.is_in(Registration.active)
