"""The machine's faults (issue 7): a locked database gives the person "try again
shortly" and the operator a log line, and never leaves a half-written account."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from aiogram import Bot

from bot.adapters.payments import SandboxPaymentGateway
from bot.app import create_dispatcher
from bot.domain.policy import Policy
from states import Registration
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import services_on
from tests.support.session import RecordingSession


async def test_a_locked_database_asks_to_try_again_and_writes_nothing_half(
    tmp_path: Path,
    bot: Bot,
    session: RecordingSession,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await Database.open(path, busy_timeout_ms=50)
    try:
        services = services_on(database, Policy(), outbox, sms, clock, SandboxPaymentGateway(bot))
        chat = ChatDriver(
            create_dispatcher(services=services, storage=SqliteStorage(database)),
            bot,
            session,
            user_id=6001,
        )
        await chat.send("/start")
        await chat.send(WORK_EMAIL)

        other = sqlite3.connect(path, timeout=0)
        other.execute("BEGIN EXCLUSIVE")  # e.g. a long maintenance job holding the lock
        try:
            locked = await chat.send(GOOD_PASSWORD)
        finally:
            other.rollback()
            other.close()

        assert locked.mentions("went wrong", "try again")
        assert "OperationalError" in caplog.text
        assert GOOD_PASSWORD not in caplog.text
        with sqlite3.connect(path) as check:
            assert check.execute("SELECT count(*) FROM accounts").fetchone() == (0,)
        assert outbox.sent == []
        # Nothing the person gave is lost: the step and the email are still there.
        assert await chat.is_in(Registration.password)
        assert await chat.data() == {"email": WORK_EMAIL}

        retried = await chat.send(GOOD_PASSWORD)
        assert retried.mentions("account has been created")
        with sqlite3.connect(path) as check:
            assert check.execute("SELECT count(*) FROM accounts").fetchone() == (1,)
    finally:
        await database.close()
