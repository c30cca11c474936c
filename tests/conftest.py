from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode

from bot.adapters.hashing import Argon2idHasher
from bot.adapters.payments import SandboxPaymentGateway
from bot.app import Services, create_dispatcher, instrument_bot
from bot.domain.policy import Policy
from bot.domain.ports import OutgoingEmail
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.session import BOT_USER, RecordingSession

GOOD_PASSWORD = "Strong-Pass-42"
SUPPORT = frozenset({9001})  # the support staff's Telegram user id in tests
WORK_EMAIL = "alice@corp.example"


def cheap_hasher() -> Argon2idHasher:
    # Real argon2id, with the cost turned down: the tests check behaviour, not cost.
    return Argon2idHasher(time_cost=1, memory_cost_kib=8, parallelism=1, max_concurrent=4)


def link_in(email: OutgoingEmail) -> str:
    found = re.search(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)", email.text)
    assert found, "the email holds a deep link"
    return found[2]


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox() -> EmailOutbox:
    return EmailOutbox()


@pytest.fixture
def sms() -> SmsOutbox:
    return SmsOutbox()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite3")
    yield db
    await db.close()


@pytest.fixture
def services(
    database: Database,
    policy: Policy,
    clock: FakeClock,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    bot: Bot,
) -> Services:
    # Imported here: the journey helpers import this module's constants.
    from tests.support.journey import services_on

    built = services_on(database, policy, outbox, sms, clock, SandboxPaymentGateway(bot), SUPPORT)
    instrument_bot(bot, built)
    return built


@pytest.fixture
def dispatcher(services: Services, database: Database) -> Dispatcher:
    return create_dispatcher(services=services, storage=SqliteStorage(database))


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def bot(session: RecordingSession) -> Bot:
    return Bot(
        f"{BOT_USER.id}:TEST-TOKEN",
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


@pytest.fixture
def chat(dispatcher: Dispatcher, bot: Bot, session: RecordingSession) -> ChatDriver:
    return ChatDriver(dispatcher, bot, session, user_id=1001)
