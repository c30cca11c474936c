"""R13 on a real SQLite file: set-up, replay, backup codes, locks, and secrets at rest."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp

from bot.app import Services
from bot.domain.two_factor import MAX_ATTEMPTS, ApiStatus, TwoFactorCheck
from storage.backend import Backend
from tests.conftest import GOOD_PASSWORD, link_in
from tests.storage.conftest import stored_text
from tests.support.fakes import EmailOutbox, FakeClock, PaymentInbox, SmsOutbox

USER = 1


async def activated(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox
) -> None:
    await services.signup.create_account(USER, "ops@corp.example", GOOD_PASSWORD, "en")
    await services.signup.confirm_email(USER, link_in(outbox.sent[-1]))
    await services.phone.submit_phone(USER, "+79161234567", "en")
    await services.phone.check_code(USER, sms.last_code())
    await services.card.offer(USER, USER, "en")
    await services.card.record_payment(
        USER, payments.shown[-1].payload, "RUB", services.card.amount_kopecks, "charge", None
    )
    await services.activation.activate(USER)


def code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


async def test_api_access_is_refused_until_the_registration_is_finished(
    billing: Services, outbox: EmailOutbox
) -> None:
    await billing.signup.create_account(USER, "ops@corp.example", GOOD_PASSWORD, "en")
    assert (await billing.api_access.status(USER)).status is ApiStatus.NOT_ACTIVE
    assert await billing.api_access.start_setup(USER) is None


async def test_the_first_code_turns_on_2fa_and_api_access_and_gives_ten_backup_codes(
    billing: Services,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    payments: PaymentInbox,
    clock: FakeClock,
    backend: Backend,
) -> None:
    await activated(billing, outbox, sms, payments)
    setup = await billing.api_access.start_setup(USER)
    assert setup is not None

    outcome = await billing.api_access.confirm_setup(USER, code(setup.secret, clock.now()))

    assert outcome.result is TwoFactorCheck.ACCEPTED
    assert len(set(outcome.backup_codes)) == 10
    assert (await billing.api_access.status(USER)).status is ApiStatus.ON
    stored = await stored_text(backend)
    assert setup.secret not in stored
    for backup in outcome.backup_codes:
        assert backup not in stored
        assert backup.replace("-", "") not in stored


async def test_a_code_from_the_previous_step_works_but_one_already_used_does_not(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox, clock: FakeClock
) -> None:
    await activated(billing, outbox, sms, payments)
    setup = await billing.api_access.start_setup(USER)
    assert setup is not None
    first = code(setup.secret, clock.now())
    await billing.api_access.confirm_setup(USER, first)

    replay = await billing.api_access.switch(USER, first, on=False)
    clock.advance(30)
    previous_step = await billing.api_access.switch(
        USER, code(setup.secret, clock.now() - timedelta(seconds=30)), on=False
    )
    clock.advance(30)
    current = await billing.api_access.switch(USER, code(setup.secret, clock.now()), on=False)

    assert replay.result is TwoFactorCheck.REPLAYED
    assert previous_step.result is TwoFactorCheck.REPLAYED  # the step of `first`: no reuse
    assert current.result is TwoFactorCheck.ACCEPTED
    assert (await billing.api_access.status(USER)).status is ApiStatus.OFF


async def test_a_code_two_steps_old_is_wrong(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox, clock: FakeClock
) -> None:
    await activated(billing, outbox, sms, payments)
    setup = await billing.api_access.start_setup(USER)
    assert setup is not None
    old = code(setup.secret, clock.now())
    clock.advance(60)

    outcome = await billing.api_access.confirm_setup(USER, old)

    assert outcome.result is TwoFactorCheck.WRONG
    assert outcome.attempts_left == MAX_ATTEMPTS - 1


async def test_five_wrong_set_up_codes_void_the_secret(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox, clock: FakeClock
) -> None:
    await activated(billing, outbox, sms, payments)
    setup = await billing.api_access.start_setup(USER)
    assert setup is not None
    right = code(setup.secret, clock.now())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    results = [
        (await billing.api_access.confirm_setup(USER, wrong)).result for _ in range(MAX_ATTEMPTS)
    ]

    assert results == [TwoFactorCheck.WRONG] * (MAX_ATTEMPTS - 1) + [TwoFactorCheck.EXHAUSTED]
    assert (
        await billing.api_access.confirm_setup(USER, right)
    ).result is TwoFactorCheck.NOTHING_PENDING


async def test_a_backup_code_works_once(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox, clock: FakeClock
) -> None:
    await activated(billing, outbox, sms, payments)
    setup = await billing.api_access.start_setup(USER)
    assert setup is not None
    backups = (
        await billing.api_access.confirm_setup(USER, code(setup.secret, clock.now()))
    ).backup_codes

    first = await billing.api_access.switch(USER, backups[0].upper(), on=False)
    again = await billing.api_access.switch(USER, backups[0], on=True)
    other = await billing.api_access.switch(USER, backups[1], on=True)

    assert first.result is TwoFactorCheck.ACCEPTED
    assert first.used_backup_code
    assert again.result is TwoFactorCheck.WRONG
    assert other.result is TwoFactorCheck.ACCEPTED
    assert (await billing.api_access.status(USER)).status is ApiStatus.ON


async def test_wrong_codes_lock_switching_for_a_while(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox, clock: FakeClock
) -> None:
    await activated(billing, outbox, sms, payments)
    setup = await billing.api_access.start_setup(USER)
    assert setup is not None
    await billing.api_access.confirm_setup(USER, code(setup.secret, clock.now()))

    for _ in range(MAX_ATTEMPTS):
        last = await billing.api_access.switch(USER, "zzzzz-zzzzz", on=False)
    clock.advance(60)
    locked = await billing.api_access.switch(USER, code(setup.secret, clock.now()), on=False)
    clock.advance(15 * 60)
    unlocked = await billing.api_access.switch(USER, code(setup.secret, clock.now()), on=False)

    assert last.result is TwoFactorCheck.LOCKED
    assert locked.result is TwoFactorCheck.LOCKED
    assert unlocked.result is TwoFactorCheck.ACCEPTED
