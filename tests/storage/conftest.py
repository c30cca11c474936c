"""Storage-tier fixtures: the services on a real file with in-memory outside world."""

from __future__ import annotations

import pytest

from bot.app import Services
from bot.domain.policy import Policy
from storage.database import Database
from tests.support.fakes import EmailOutbox, FakeClock, PaymentInbox, SmsOutbox
from tests.support.journey import services_on


@pytest.fixture
def payments() -> PaymentInbox:
    return PaymentInbox()


@pytest.fixture
def billing(
    database: Database,
    policy: Policy,
    clock: FakeClock,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    payments: PaymentInbox,
) -> Services:
    """The services with a gateway that records invoices, so payloads can be paid."""
    return services_on(database, policy, outbox, sms, clock, payments)
