"""Handler-tier fixtures beyond tests/conftest.py: a person paying with Telegram Payments."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher

from bot.adapters.payments import TelegramPaymentGateway
from bot.app import create_dispatcher
from bot.domain.policy import Policy
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import services_on
from tests.support.session import RecordingSession

PROVIDER_TOKEN = "381764678:TEST:provider"


@pytest.fixture
def telegram_payments(
    database: Database,
    policy: Policy,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
) -> Dispatcher:
    """The dispatcher with PAYMENT_BACKEND=telegram: real money (R9), not the sandbox."""
    gateway = TelegramPaymentGateway(bot, PROVIDER_TOKEN)
    services = services_on(database, policy, outbox, sms, clock, gateway)
    return create_dispatcher(services=services, storage=SqliteStorage(database))


@pytest.fixture
def payer(telegram_payments: Dispatcher, bot: Bot, session: RecordingSession) -> ChatDriver:
    return ChatDriver(telegram_payments, bot, session, user_id=2001)
