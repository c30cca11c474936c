"""R15, property-tested: at every step, any update the bot can receive (any Unicode
text up to 4096 characters, media, others' contacts, edits, forged and stale buttons,
unknown commands, groups and channels, pre-checkouts of unknown invoices) leaves no
unhandled error, gets the person a reply, keeps the step and the data already given,
and the valid input still works afterwards. Fixed seed, bounded budget (CI time)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import AnswerCallbackQuery, AnswerPreCheckoutQuery, SendMessage
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    Location,
    Message,
    PhotoSize,
    PreCheckoutQuery,
    Sticker,
    Update,
    Voice,
)
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bot.adapters.payments import SandboxPaymentGateway
from bot.app import create_dispatcher, instrument_bot
from bot.domain.policy import Policy
from bot.ui.keyboards import Autopay, GetStarted
from states import Registration
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL, link_in
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import at_card_step, at_code_step, at_phone_step, services_on, settle_log
from tests.support.session import BOT_USER, RecordingSession

USER = 5005
_ids = itertools.count(10**6)


@dataclass
class World:
    chat: ChatDriver
    outbox: EmailOutbox
    sms: SmsOutbox
    session: RecordingSession


# -- reaching each step, and the valid input that moves it on --------------------------


async def to_email(w: World) -> None:
    await w.chat.send("/start")


async def to_password(w: World) -> None:
    await w.chat.send("/start")
    await w.chat.send(WORK_EMAIL)


async def to_link(w: World) -> None:
    await to_password(w)
    await w.chat.send(GOOD_PASSWORD)


async def to_phone(w: World) -> None:
    await at_phone_step(w.chat, w.outbox)


async def to_code(w: World) -> None:
    await at_code_step(w.chat, w.outbox, w.sms)


async def to_card(w: World) -> None:
    await at_card_step(w.chat, w.outbox, w.sms)


async def to_activation(w: World) -> None:
    replies = await at_card_step(w.chat, w.outbox, w.sms)
    pay = next(d for _, d in replies.inline_buttons() if d.startswith("sbx_pay"))
    await w.chat.press(pay)


async def to_active(w: World) -> None:
    await to_activation(w)
    await w.chat.press(Autopay(action="skip").pack())
    await w.chat.press(GetStarted().pack())


async def valid_email(w: World) -> bool:
    await w.chat.send(WORK_EMAIL)
    return await w.chat.is_in(Registration.password)


async def valid_password(w: World) -> bool:
    await w.chat.send(GOOD_PASSWORD)
    return await w.chat.is_in(Registration.awaiting_email_link)


async def valid_link(w: World) -> bool:
    await w.chat.send(f"/start {link_in(w.outbox.sent[-1])}")
    return await w.chat.is_in(Registration.phone)


async def valid_phone(w: World) -> bool:
    await w.chat.send("+7 916 123-45-67")
    return await w.chat.is_in(Registration.sms_code)


async def valid_code(w: World) -> bool:
    await w.chat.send(w.sms.last_code())
    return await w.chat.is_in(Registration.card)


async def valid_payment(w: World) -> bool:
    replies = await w.chat.send("/card")
    pay = next(d for _, d in replies.inline_buttons() if d.startswith("sbx_pay"))
    await w.chat.press(pay)
    return await w.chat.is_in(Registration.activation)


async def valid_skip(w: World) -> bool:
    await w.chat.press(Autopay(action="skip").pack())
    await w.chat.press(GetStarted().pack())
    return await w.chat.is_in(Registration.active)


async def valid_balance(w: World) -> bool:
    return (await w.chat.send("/balance")).mentions("Total")


Step = tuple[str | None, Callable[[World], Awaitable[None]], Callable[[World], Awaitable[bool]]]
STEPS: list[Step] = [
    (Registration.email.state, to_email, valid_email),
    (Registration.password.state, to_password, valid_password),
    (Registration.awaiting_email_link.state, to_link, valid_link),
    (Registration.phone.state, to_phone, valid_phone),
    (Registration.sms_code.state, to_code, valid_code),
    (Registration.card.state, to_card, valid_payment),
    (Registration.activation.state, to_activation, valid_skip),
    (Registration.active.state, to_active, valid_balance),
]


# -- every kind of update ------------------------------------------------------------

# Any Unicode, control characters included, up to Telegram's 4096 characters; what
# could be valid input at some step is left out (a valid email, password or code moves
# the step on, which is right, not a fault).
bad_text = st.text(min_size=1, max_size=4096).filter(
    lambda s: "@" not in s and not any(ch.isdigit() for ch in s[:12]) and not s.startswith("/")
)
update_kind = st.sampled_from(
    [
        "text",
        "sticker",
        "photo",
        "voice",
        "document",
        "location",
        "contact_of_other",
        "edited",
        "forged_button",
        "stale_button",
        "unknown_command",
        "group",
        "channel",
        "pre_checkout",
    ]
)


def make_update(chat: ChatDriver, kind: str, text: str, data: str) -> Update:
    uid = next(_ids)
    now = chat.clock.now()
    if kind == "channel":
        post = Message(message_id=uid, date=now, chat=Chat(id=-100123, type="channel"), text=text)
        return Update(update_id=uid, channel_post=post)
    if kind == "forged_button" or kind == "stale_button":
        query = CallbackQuery(
            id=str(uid),
            from_user=chat.user,
            chat_instance="p",
            message=chat.message(text="(buttons)"),
            data=data if kind == "forged_button" else "sbx_pay:stale-invoice",
        )
        return Update(update_id=uid, callback_query=query)
    if kind == "pre_checkout":
        query_pc = PreCheckoutQuery(
            id=str(uid),
            from_user=chat.user,
            currency="RUB",
            total_amount=50000,
            invoice_payload=data or "x",
        )
        return Update(update_id=uid, pre_checkout_query=query_pc)
    content: dict[str, Any]
    if kind == "text":
        content = {"text": text}
    elif kind == "unknown_command":
        content = {"text": "/definitely_unknown " + text[:50]}
    elif kind == "sticker":
        content = {
            "sticker": Sticker(
                file_id="s",
                file_unique_id="s",
                type="regular",
                width=1,
                height=1,
                is_animated=False,
                is_video=False,
            )
        }
    elif kind == "photo":
        content = {"photo": [PhotoSize(file_id="p", file_unique_id="p", width=1, height=1)]}
    elif kind == "voice":
        content = {"voice": Voice(file_id="v", file_unique_id="v", duration=1)}
    elif kind == "document":
        content = {"document": Document(file_id="d", file_unique_id="d")}
    elif kind == "location":
        content = {"location": Location(latitude=55.75, longitude=37.61)}
    elif kind == "contact_of_other":
        content = {"contact": Contact(phone_number="79161234567", first_name="X", user_id=424242)}
    elif kind == "group":
        group = Chat(id=-4242, type="group")
        return Update(update_id=uid, message=chat.message(text=text, chat=group))
    else:  # edited
        edited = chat.message(text=text, edit_date=int(now.timestamp()))
        return Update(update_id=uid, edited_message=edited)
    return Update(update_id=uid, message=chat.message(**content))


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


async def scenario(step: Step, kind: str, text: str, data: str, folder: Path) -> None:
    state_name, reach, valid = step
    database = await Database.open(folder / f"{next(_ids)}.sqlite3")
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        session = RecordingSession()
        bot = Bot(
            f"{BOT_USER.id}:TEST",
            session=session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        outbox, sms, clock = EmailOutbox(), SmsOutbox(), FakeClock()
        services = services_on(database, Policy(), outbox, sms, clock, SandboxPaymentGateway(bot))
        instrument_bot(bot, services)
        dispatcher = create_dispatcher(services=services, storage=SqliteStorage(database))
        world = World(ChatDriver(dispatcher, bot, session, user_id=USER), outbox, sms, session)
        await reach(world)
        assert await world.chat.state() == state_name
        data_before = await world.chat.data()

        start = len(session.calls)
        await world.chat.feed(make_update(world.chat, kind, text, data))
        calls = session.calls[start:]

        assert errors.records == [], errors.records  # nothing reached the error handler
        if kind == "group":
            assert any(isinstance(c, SendMessage) and c.chat_id == -4242 for c in calls)
        elif kind != "channel":
            assert any(
                isinstance(c, SendMessage | AnswerCallbackQuery | AnswerPreCheckoutQuery)
                for c in calls
            ), "the person gets an answer"
        assert await world.chat.state() == state_name
        assert await world.chat.data() == data_before
        assert await valid(world), "the valid input still works"
        await settle_log(services)
    finally:
        logging.getLogger().removeHandler(errors)
        await database.close()


@pytest.mark.parametrize("step", STEPS, ids=[str(s[0]).split(":")[1] for s in STEPS])
@seed(20261127)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(kind=update_kind, text=bad_text, data=st.text(max_size=64))
def test_any_update_at_any_step_is_answered_and_changes_nothing(
    step: Step, kind: str, text: str, data: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(scenario(step, kind, text, data, Path(folder)))
