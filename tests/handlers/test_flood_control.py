"""R15: someone flooding the bot is slowed down with one notice, without losing their
step; others are not affected."""

from __future__ import annotations

import dataclasses

from aiogram import Bot

from bot.adapters.payments import SandboxPaymentGateway
from bot.app import create_dispatcher
from bot.domain.policy import Policy
from bot.telegram.flood import FloodControl
from states import Registration
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from tests.conftest import WORK_EMAIL
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import services_on
from tests.support.session import RecordingSession


async def test_a_flood_is_slowed_with_one_notice_and_the_step_is_kept(
    database: Database,
    policy: Policy,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
) -> None:
    now = [0.0]
    services = services_on(database, policy, outbox, sms, clock, SandboxPaymentGateway(bot))
    flood = FloodControl(max_events=3, per_seconds=2.0, clock=lambda: now[0])
    dispatcher = create_dispatcher(
        services=dataclasses.replace(services, flood_control=flood),
        storage=SqliteStorage(database),
    )
    person = ChatDriver(dispatcher, bot, session, user_id=4001)
    other = person.other_person(4002)

    await person.send("/start")
    await person.send(WORK_EMAIL)
    flooded = [await person.send("spam") for _ in range(5)]
    calm = await other.send("/start")

    notices = [r for r in flooded if r.mentions("very fast")]
    assert len(notices) == 1
    assert all(not r.messages for r in flooded[2:])  # the rest are not handled at all
    assert calm.mentions("work email")  # someone else is not slowed
    assert await person.is_in(Registration.password)
    assert await person.data() == {"email": WORK_EMAIL}

    now[0] += 2.5  # a moment later the person is heard again
    assert (await person.send("Strong-Pass-42")).mentions("account has been created")
