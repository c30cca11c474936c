"""R22-R24 tried as an attacker would, on both engines: SMS and email pumping, the
hourly budget, two instances racing for the last unit, and sign-ups that squat an
address. Each limit is read from the policy, never repeated here."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import Services
from bot.domain.limits import Quota, day_window, hour_window
from bot.domain.phone_confirmation import PhoneStatus
from bot.domain.policy import Policy
from bot.domain.signup import ResendStatus, SignupStatus
from bot.domain.steps import Step
from storage.backend import Backend
from tests.conftest import GOOD_PASSWORD, link_in
from tests.storage.conftest import another_instance
from tests.support.fakes import EmailOutbox, FakeClock, PaymentInbox, SmsOutbox
from tests.support.journey import services_on

PHONE = "+79161234567"


def a_number(n: int) -> str:
    """Distinct Russian mobile numbers: what an attacker would cycle through."""
    return f"+7916{n:07d}"


async def at_phone_step(services: Services, outbox: EmailOutbox, user: int) -> None:
    await services.signup.create_account(user, f"u{user}@corp.example", GOOD_PASSWORD, "en")
    await services.signup.confirm_email(user, link_in(outbox.sent[-1]))


@pytest.fixture
def policy() -> Policy:
    # The resend pause would only slow the attack down; the daily caps are what stop it.
    return Policy(sms_resend_seconds=0, email_resend_seconds=0)


async def test_an_account_gets_at_most_the_days_sms_whatever_numbers_it_gives(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy, clock: FakeClock
) -> None:
    await at_phone_step(services, outbox, 1)

    outcomes = [
        await services.phone.submit_phone(1, a_number(n), "en")
        for n in range(policy.sms_per_account_per_day + 3)
    ]

    statuses = [o.status for o in outcomes]
    assert statuses.count(PhoneStatus.CODE_SENT) == policy.sms_per_account_per_day
    assert len(sms.sent) == policy.sms_per_account_per_day
    refused = outcomes[-1]
    assert refused.status is PhoneStatus.SMS_LIMIT
    assert refused.limit is not None
    assert refused.limit.quota is Quota.SMS_PER_ACCOUNT
    # The day ends at midnight where the people are (the bot's time zone).
    assert refused.limit.retry_at == day_window(clock.now(), ZoneInfo(policy.timezone)).ends_at

    clock.advance(24 * 3600)  # the next day
    again = await services.phone.submit_phone(1, a_number(99), "en")
    assert again.status is PhoneStatus.CODE_SENT


async def test_a_number_gets_at_most_the_days_sms_across_all_accounts(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    users = range(1, policy.sms_per_phone_per_day + 3)
    for user in users:
        await at_phone_step(services, outbox, user)

    statuses = [(await services.phone.submit_phone(u, PHONE, "en")).status for u in users]

    assert statuses.count(PhoneStatus.CODE_SENT) == policy.sms_per_phone_per_day
    assert statuses[-1] is PhoneStatus.SMS_LIMIT
    assert [s.phone for s in sms.sent] == [PHONE] * policy.sms_per_phone_per_day


async def test_the_hourly_budget_stops_every_sms_and_tells_the_operator(
    backend: Backend,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    policy = Policy(sms_per_hour=3, sms_resend_seconds=0)
    services = services_on(backend, policy, outbox, sms, clock, PaymentInbox())
    for user in range(1, 6):
        await at_phone_step(services, outbox, user)

    with caplog.at_level(logging.ERROR):
        statuses = [
            (await services.phone.submit_phone(u, a_number(u), "en")).status for u in range(1, 6)
        ]

    assert statuses.count(PhoneStatus.CODE_SENT) == 3
    assert statuses[3:] == [PhoneStatus.SMS_LIMIT] * 2
    budget_lines = [r for r in caplog.records if "SMS budget" in r.getMessage()]
    assert len(budget_lines) == 1  # once per hour, not per refusal
    assert "SMS_PER_HOUR" in budget_lines[0].getMessage()
    clock.advance(3600)
    assert (await services.phone.submit_phone(5, a_number(5), "en")).status is (
        PhoneStatus.CODE_SENT
    )


async def test_a_failed_delivery_uses_none_of_the_limits(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    await at_phone_step(services, outbox, 1)
    sms.failing = True
    for _ in range(policy.sms_per_account_per_day + 2):
        assert (await services.phone.submit_phone(1, PHONE, "en")).status is (
            PhoneStatus.DELIVERY_FAILED
        )
    sms.failing = False
    assert (await services.phone.submit_phone(1, PHONE, "en")).status is PhoneStatus.CODE_SENT


async def test_two_instances_racing_never_go_past_a_limit(
    backend: Backend,
    tmp_path: Path,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
) -> None:
    policy = Policy(sms_per_phone_per_day=2, sms_resend_seconds=0)
    a = services_on(backend, policy, outbox, sms, clock, PaymentInbox())
    other = await another_instance(backend, tmp_path)
    try:
        b = services_on(other, policy, outbox, sms, clock, PaymentInbox())
        users = list(range(1, 9))
        for user in users:
            await at_phone_step(a, outbox, user)

        outcomes = await asyncio.gather(
            *((a if u % 2 else b).phone.submit_phone(u, PHONE, "en") for u in users)
        )

        sent = [o for o in outcomes if o.status is PhoneStatus.CODE_SENT]
        assert len(sent) == 2
        assert len(sms.sent) == 2
    finally:
        await other.close()


async def test_confirmation_emails_stop_at_the_days_limit(
    services: Services, outbox: EmailOutbox, policy: Policy, clock: FakeClock
) -> None:
    created = await services.signup.create_account(1, "a@corp.example", GOOD_PASSWORD, "en")
    assert created.status is SignupStatus.CREATED  # the first of the day's emails

    resends = [
        await services.signup.resend_confirmation(1, "en")
        for _ in range(policy.emails_per_account_per_day + 2)
    ]

    statuses = [r.status for r in resends]
    assert statuses.count(ResendStatus.SENT) == policy.emails_per_account_per_day - 1
    assert len(outbox.sent) == policy.emails_per_account_per_day
    assert resends[-1].status is ResendStatus.LIMIT_REACHED
    assert resends[-1].limit is not None
    assert resends[-1].limit.retry_at > clock.now()


async def test_an_unconfirmed_sign_up_frees_its_address_after_the_days(
    services: Services, outbox: EmailOutbox, policy: Policy, clock: FakeClock
) -> None:
    await services.signup.create_account(1, "victim@corp.example", GOOD_PASSWORD, "en")
    squatted = await services.signup.check_email("victim@corp.example")
    assert not squatted.ok

    clock.advance(policy.unconfirmed_account_days * 86400 + 1)

    assert (await services.signup.check_email("victim@corp.example")).ok
    owner = await services.signup.create_account(2, "victim@corp.example", GOOD_PASSWORD, "en")
    assert owner.status is SignupStatus.CREATED
    # The squatter, back: no account, and told once.
    position = await services.registration.position(1)
    assert position.account is None
    assert position.expired_signup
    await services.registration.expired_signup_told(1)
    assert not (await services.registration.position(1)).expired_signup


async def test_the_housekeeping_removes_expired_sign_ups_and_keeps_confirmed_ones(
    services: Services, outbox: EmailOutbox, policy: Policy, clock: FakeClock
) -> None:
    await services.signup.create_account(1, "left@corp.example", GOOD_PASSWORD, "en")
    await at_phone_step(services, outbox, 2)  # confirmed: never expires
    clock.advance(policy.unconfirmed_account_days * 86400 + 1)

    swept = await services.housekeeping.sweep()

    assert swept.accounts == 1
    assert await services.signup.account_of(1) is None
    kept = await services.signup.account_of(2)
    assert kept is not None
    assert kept.has_done(Step.EMAIL)
    assert (await services.registration.position(1)).expired_signup


def test_a_day_window_follows_the_zone_and_an_hour_window_the_clock() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    late = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 01:30 on 2 December in Moscow
    window = day_window(late, moscow)
    assert window.starts_at == datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    assert window.ends_at - window.starts_at == timedelta(days=1)
    assert hour_window(late).starts_at == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
