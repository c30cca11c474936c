"""Phone confirmation (R6-R8) on a real SQLite file: the service and its guarantees."""

from __future__ import annotations

import sqlite3

import pytest

from bot.app import Services
from bot.domain.phone_confirmation import PhoneService, PhoneStatus, SmsCodeStatus
from bot.domain.policy import Policy
from bot.domain.steps import Step
from storage.backend import Backend
from storage.sqlite.database import Database
from tests.conftest import GOOD_PASSWORD, link_in
from tests.storage.conftest import stored_text
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox

PHONE = "+79161234567"


async def confirmed_account(services: Services, outbox: EmailOutbox, user_id: int) -> None:
    """An account whose email is confirmed: the phone step is next."""
    await services.signup.create_account(
        user_id, f"user{user_id}@corp.example", GOOD_PASSWORD, "en"
    )
    await services.signup.confirm_email(user_id, link_in(outbox.sent[-1]))


async def confirm_phone(
    services: Services, sms: SmsOutbox, user_id: int, number: str
) -> SmsCodeStatus:
    sent = await services.phone.submit_phone(user_id, number, "en")
    assert sent.status is PhoneStatus.CODE_SENT
    return (await services.phone.check_code(user_id, sms.last_code())).status


async def test_a_typed_number_gets_one_sms_with_a_code_that_confirms_it(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    await confirmed_account(services, outbox, 1)

    sent = await services.phone.submit_phone(1, "8 (916) 123-45-67", "en")

    assert sent.status is PhoneStatus.CODE_SENT
    assert [s.phone for s in sms.sent] == [PHONE]
    assert len(sms.last_code()) == policy.sms_code_length
    confirmed = await services.phone.check_code(1, sms.last_code())
    assert confirmed.status is SmsCodeStatus.CONFIRMED
    assert confirmed.account is not None
    assert confirmed.account.phone == PHONE
    assert confirmed.account.has_done(Step.PHONE)


async def test_the_code_is_never_stored_in_clear(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, backend: Backend
) -> None:
    await confirmed_account(services, outbox, 1)
    await services.phone.submit_phone(1, PHONE, "en")
    code = sms.last_code()

    stored = await stored_text(backend)
    assert PHONE in stored  # the rows are there
    assert code not in stored


async def test_a_code_in_the_wrong_format_does_not_count_as_a_try(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    await confirmed_account(services, outbox, 1)
    await services.phone.submit_phone(1, PHONE, "en")

    for text in ("12345", "1234567", "abcdef", "１２３４５６"):  # the last: full-width digits
        assert (await services.phone.check_code(1, text)).status is SmsCodeStatus.MALFORMED
    code = sms.last_code()
    spaced = f"{code[:3]} {code[3:]}"
    assert (await services.phone.check_code(1, spaced)).status is SmsCodeStatus.CONFIRMED


async def test_wrong_codes_count_down_and_the_last_one_voids_the_code(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    await confirmed_account(services, outbox, 1)
    await services.phone.submit_phone(1, PHONE, "en")
    right = sms.last_code()
    wrong = f"{(int(right) + 1) % 10**policy.sms_code_length:0{policy.sms_code_length}d}"

    lefts = []
    for _ in range(policy.sms_max_attempts - 1):
        outcome = await services.phone.check_code(1, wrong)
        assert outcome.status is SmsCodeStatus.WRONG
        lefts.append(outcome.attempts_left)
    last = await services.phone.check_code(1, wrong)

    assert lefts == list(range(policy.sms_max_attempts - 1, 0, -1))
    assert last.status is SmsCodeStatus.EXHAUSTED
    # Void: even the right code does not work any more.
    assert (await services.phone.check_code(1, right)).status is SmsCodeStatus.EXHAUSTED


async def test_an_expired_code_does_not_confirm_and_is_not_counted(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock, policy: Policy
) -> None:
    await confirmed_account(services, outbox, 1)
    await services.phone.submit_phone(1, PHONE, "en")

    clock.advance(policy.sms_code_ttl_seconds)

    assert (await services.phone.check_code(1, sms.last_code())).status is SmsCodeStatus.EXPIRED
    pending = await services.phone.pending_code(await account_id(services, 1))
    assert pending is not None
    assert pending.attempts_left == policy.sms_max_attempts


async def account_id(services: Services, user_id: int) -> int:
    account = await services.signup.account_of(user_id)
    assert account is not None
    return account.id


async def test_a_new_code_waits_for_the_resend_delay_and_then_voids_the_old_one(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock, policy: Policy
) -> None:
    await confirmed_account(services, outbox, 1)
    await services.phone.submit_phone(1, PHONE, "en")
    old = sms.last_code()

    clock.advance(policy.sms_resend_seconds - 10)
    early = await services.phone.resend_code(1, "en")
    assert early.status is PhoneStatus.TOO_SOON
    assert early.seconds_left == 10
    assert len(sms.sent) == 1

    clock.advance(10)
    later = await services.phone.resend_code(1, "en")
    assert later.status is PhoneStatus.CODE_SENT
    assert len(sms.sent) == 2
    new = sms.last_code()
    if new != old:  # one in a million they are equal, and then "old" is the new code
        replaced = await services.phone.check_code(1, old)
        assert replaced.status is SmsCodeStatus.REPLACED  # told apart, costs no try (R31)
        assert replaced.attempts_left == policy.sms_max_attempts
    assert (await services.phone.check_code(1, new)).status is SmsCodeStatus.CONFIRMED


async def test_the_same_number_again_within_the_delay_sends_no_second_sms(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    # A second tap, or the same update delivered again after a crash (R19).
    await confirmed_account(services, outbox, 1)
    first = await services.phone.submit_phone(1, PHONE, "en")
    again = await services.phone.submit_phone(1, "8 916 123 45 67", "en")

    assert again.status is PhoneStatus.CODE_ALREADY_SENT
    assert again.code == first.code
    assert len(sms.sent) == 1


async def test_a_failed_resend_is_reported_and_the_code_sent_before_still_works(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock, policy: Policy
) -> None:
    await confirmed_account(services, outbox, 1)
    await services.phone.submit_phone(1, PHONE, "en")
    working = sms.last_code()
    clock.advance(policy.sms_resend_seconds)

    sms.failing = True
    failed = await services.phone.resend_code(1, "en")

    assert failed.status is PhoneStatus.DELIVERY_FAILED
    assert (await services.phone.check_code(1, working)).status is SmsCodeStatus.CONFIRMED


async def test_a_failed_delivery_leaves_no_usable_code_and_starts_no_resend_timer(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await confirmed_account(services, outbox, 1)
    sms.failing = True
    assert (await services.phone.submit_phone(1, PHONE, "en")).status is (
        PhoneStatus.DELIVERY_FAILED
    )
    assert (await services.phone.check_code(1, "123456")).status is SmsCodeStatus.NO_CODE
    sms.failing = False
    # At once, with no wait: the failed attempt was not a sent code.
    assert (await services.phone.submit_phone(1, PHONE, "en")).status is PhoneStatus.CODE_SENT


async def test_a_number_confirmed_on_the_maximum_of_accounts_gets_no_sms(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    for user_id in range(1, policy.phone_max_accounts + 1):
        await confirmed_account(services, outbox, user_id)
        assert await confirm_phone(services, sms, user_id, PHONE) is SmsCodeStatus.CONFIRMED
    sent_before = len(sms.sent)
    late = policy.phone_max_accounts + 1
    await confirmed_account(services, outbox, late)

    refused = await services.phone.submit_phone(late, PHONE, "en")

    assert refused.status is PhoneStatus.LIMIT_REACHED
    assert len(sms.sent) == sent_before
    other = await services.phone.submit_phone(late, "+79161234500", "en")
    assert other.status is PhoneStatus.CODE_SENT


async def test_the_limit_is_checked_again_when_the_code_is_confirmed(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    # Every account gets its code while places are free; then they confirm in turn.
    users = list(range(1, policy.phone_max_accounts + 2))
    codes = {}
    for user_id in users:
        await confirmed_account(services, outbox, user_id)
        assert (await services.phone.submit_phone(user_id, PHONE, "en")).status is (
            PhoneStatus.CODE_SENT
        )
        codes[user_id] = sms.last_code()

    results = [(await services.phone.check_code(u, codes[u])).status for u in users]

    assert results[:-1] == [SmsCodeStatus.CONFIRMED] * policy.phone_max_accounts
    assert results[-1] is SmsCodeStatus.LIMIT_REACHED
    last = await services.signup.account_of(users[-1])
    assert last is not None
    assert not last.has_done(Step.PHONE)


async def test_the_database_itself_refuses_a_second_holder_of_the_same_place(
    database: Database,
) -> None:
    async with database.writing() as connection:
        await connection.execute(
            "INSERT INTO accounts (telegram_user_id, email, email_key, password_hash, created_at)"
            " VALUES (1, 'a@x.ru', 'a@x.ru', '$argon2id$x', 't'), "
            "(2, 'b@x.ru', 'b@x.ru', '$argon2id$x', 't')"
        )
        await connection.execute("INSERT INTO phone_confirmations VALUES (?, 1, 1, 't')", (PHONE,))
        with pytest.raises(sqlite3.IntegrityError):
            await connection.execute(
                "INSERT INTO phone_confirmations VALUES (?, 1, 2, 't')", (PHONE,)
            )


async def test_phone_steps_are_refused_before_the_email_is_confirmed(
    services: Services, sms: SmsOutbox
) -> None:
    await services.signup.create_account(1, "a@corp.example", GOOD_PASSWORD, "en")

    assert (await services.phone.submit_phone(1, PHONE, "en")).status is PhoneStatus.NOT_YET
    assert (await services.phone.check_code(1, "123456")).status is SmsCodeStatus.NOT_YET
    assert (await services.phone.submit_phone(2, PHONE, "en")).status is PhoneStatus.NOT_YET
    assert sms.sent == []


async def test_a_confirmed_phone_is_not_confirmed_again(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await confirmed_account(services, outbox, 1)
    await confirm_phone(services, sms, 1, PHONE)

    again = await services.phone.submit_phone(1, "+79161234500", "en")

    assert again.status is PhoneStatus.ALREADY_CONFIRMED
    assert (await services.phone.check_code(1, sms.last_code())).status is (
        SmsCodeStatus.ALREADY_CONFIRMED
    )


async def test_the_code_prompt_is_due_once_the_resend_delay_has_passed(
    services: Services, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock, policy: Policy
) -> None:
    phone: PhoneService = services.phone
    await confirmed_account(services, outbox, 1)
    sent = await phone.submit_phone(1, PHONE, "en")
    assert sent.code is not None
    await phone.remember_prompt(sent.code.id, chat_id=1, message_id=77, language="ru")

    assert await phone.prompts_due() == []
    assert await phone.next_prompt_due() == sent.code.resend_at

    clock.advance(policy.sms_resend_seconds)
    due = await phone.prompts_due()
    assert [(d.chat_id, d.message_id, d.language, d.phone) for d in due] == [(1, 77, "ru", PHONE)]

    await phone.prompt_refreshed(sent.code.id)
    assert await phone.prompts_due() == []
    assert await phone.next_prompt_due() is None
