"""The card check, the ledger and activation on a real SQLite file (R9-R11, R19)."""

from __future__ import annotations

import asyncio

from bot.app import Services
from bot.domain.activation import ActivationStatus
from bot.domain.autopay import AutopayStatus
from bot.domain.card import CheckProblem, OfferStatus, PaymentStatus
from bot.domain.money import rubles
from bot.domain.policy import Policy
from bot.domain.steps import Step
from storage.backend import Backend
from tests.conftest import GOOD_PASSWORD, link_in
from tests.support.fakes import EmailOutbox, FakeClock, PaymentInbox, SmsOutbox
from tests.support.journey import services_on

USER = 1


async def at_card_step(
    services: Services,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    user: int = USER,
    domain: str = "corp.example",
) -> None:
    await services.signup.create_account(user, f"u{user}@{domain}", GOOD_PASSWORD, "en")
    await services.signup.confirm_email(user, link_in(outbox.sent[-1]))
    await services.phone.submit_phone(user, f"+7916000{user:04d}", "en")
    await services.phone.check_code(user, sms.last_code())


async def pay(
    services: Services, payload: str, charge: str, amount: int | None = None
) -> PaymentStatus:
    total = services.card.amount_kopecks if amount is None else amount
    outcome = await services.card.record_payment(
        USER, payload, "RUB", total, charge, "prov-" + charge
    )
    return outcome.status


async def test_the_invoice_is_for_the_policy_amount_in_rubles_with_an_unguessable_payload(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox, policy: Policy
) -> None:
    await at_card_step(billing, outbox, sms)

    first = await billing.card.offer(USER, chat_id=USER, language="en")
    await billing.card.offer(USER, chat_id=USER, language="en")

    assert first.status is OfferStatus.INVOICE_SHOWN
    a, b = payments.shown
    assert (a.currency, a.amount_kopecks) == ("RUB", rubles(policy.card_check_amount_rub))
    assert len(a.payload) >= 22  # at least 128 bits
    assert a.payload != b.payload


async def test_no_invoice_before_the_phone_is_confirmed(
    billing: Services, outbox: EmailOutbox, payments: PaymentInbox
) -> None:
    await billing.signup.create_account(USER, "a@corp.example", GOOD_PASSWORD, "en")
    assert (await billing.card.offer(USER, USER, "en")).status is OfferStatus.NOT_YET
    assert payments.shown == []


async def test_the_pre_checkout_question_accepts_only_the_newest_invoice_of_its_owner(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox
) -> None:
    await at_card_step(billing, outbox, sms)
    await billing.card.offer(USER, USER, "en")
    await billing.card.offer(USER, USER, "en")
    old, new = (i.payload for i in payments.shown)
    amount = billing.card.amount_kopecks
    check = billing.card.check_before_payment

    assert (await check(USER, new, "RUB", amount)).ok
    assert (await check(USER, old, "RUB", amount)).problem is CheckProblem.SUPERSEDED
    assert (await check(USER, "forged-payload", "RUB", amount)).problem is CheckProblem.UNKNOWN
    assert (await check(USER, new, "RUB", amount - 1)).problem is CheckProblem.WRONG_AMOUNT
    assert (await check(USER, new, "USD", amount)).problem is CheckProblem.WRONG_AMOUNT
    assert (await check(999, new, "RUB", amount)).problem is CheckProblem.OTHER_ACCOUNT


async def test_a_payment_links_the_card_and_is_credited_exactly_once(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox
) -> None:
    await at_card_step(billing, outbox, sms)
    await billing.card.offer(USER, USER, "en")
    payload = payments.shown[-1].payload

    assert await pay(billing, payload, "charge-1") is PaymentStatus.CARD_LINKED
    assert await pay(billing, payload, "charge-1") is PaymentStatus.DUPLICATE  # redelivered

    account, balance = await billing.activation.balance_of(USER)
    assert account is not None
    assert account.has_done(Step.CARD)
    assert balance.money_kopecks == billing.card.amount_kopecks
    check = billing.card.check_before_payment
    verdict = await check(USER, payload, "RUB", billing.card.amount_kopecks)
    assert verdict.problem is CheckProblem.ALREADY_PAID


async def test_money_paid_for_a_superseded_invoice_is_still_credited(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox
) -> None:
    # Paid in the seconds between the pre-checkout answer and a fresh invoice: the
    # money was taken, so it is credited, not dropped (R19).
    await at_card_step(billing, outbox, sms)
    await billing.card.offer(USER, USER, "en")
    await billing.card.offer(USER, USER, "en")
    old = payments.shown[0].payload

    assert await pay(billing, old, "charge-old") is PaymentStatus.CARD_LINKED
    _, balance = await billing.activation.balance_of(USER)
    assert balance.money_kopecks == billing.card.amount_kopecks


async def test_a_payment_for_someone_elses_invoice_credits_nobody(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox
) -> None:
    await at_card_step(billing, outbox, sms)
    await billing.card.offer(USER, USER, "en")
    payload = payments.shown[-1].payload

    outcome = await billing.card.record_payment(
        999, payload, "RUB", billing.card.amount_kopecks, "charge-x", None
    )

    assert outcome.status is PaymentStatus.UNMATCHED
    _, balance = await billing.activation.balance_of(USER)
    assert balance.money_kopecks == 0


async def test_activation_credits_the_bonus_once_even_when_pressed_twice_at_once(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox, policy: Policy
) -> None:
    await at_card_step(billing, outbox, sms)
    await billing.card.offer(USER, USER, "en")
    await pay(billing, payments.shown[-1].payload, "charge-1")

    first, second = await asyncio.gather(
        billing.activation.activate(USER), billing.activation.activate(USER)
    )

    statuses = sorted(o.status.value for o in (first, second))
    assert statuses == sorted(
        [ActivationStatus.ACTIVATED.value, ActivationStatus.ALREADY_ACTIVE.value]
    )
    _, balance = await billing.activation.balance_of(USER)
    assert balance.bonus_points == policy.bonus_points
    assert balance.total_kopecks == billing.card.amount_kopecks + rubles(policy.bonus_points)


async def test_activation_waits_for_the_card_unless_the_domain_is_exempt(
    outbox: EmailOutbox, sms: SmsOutbox, backend: Backend, clock: FakeClock
) -> None:
    policy = Policy(card_exempt_email_domains=frozenset({"bigcorp.ru"}))
    services = services_on(backend, policy, outbox, sms, clock, PaymentInbox())
    await at_card_step(services, outbox, sms, user=1)
    await at_card_step(services, outbox, sms, user=2, domain="bigcorp.ru")

    assert (await services.activation.activate(1)).status is ActivationStatus.NOT_YET
    exempt = await services.activation.activate(2)
    assert exempt.status is ActivationStatus.ACTIVATED
    assert exempt.balance.money_kopecks == 0
    assert exempt.balance.bonus_points == policy.bonus_points


async def test_autopay_needs_a_card_keeps_the_ranges_and_survives_a_skip(
    billing: Services, outbox: EmailOutbox, sms: SmsOutbox, payments: PaymentInbox, policy: Policy
) -> None:
    await at_card_step(billing, outbox, sms)
    assert (await billing.autopay.save(USER, 1000, 300)).status is AutopayStatus.NO_CARD
    await billing.card.offer(USER, USER, "en")
    await pay(billing, payments.shown[-1].payload, "charge-1")

    too_much = await billing.autopay.save(USER, policy.autopay_max_rub + 1, 300)
    saved = await billing.autopay.save(USER, 1000, 300)
    await billing.autopay.skip(USER)  # a stale "Skip" later does not undo it

    assert too_much.status is AutopayStatus.OUT_OF_RANGE
    assert saved.status is AutopayStatus.SAVED
    _, settings = await billing.autopay.settings_of(USER)
    assert settings is not None
    assert (settings.enabled, settings.amount_kopecks, settings.threshold_kopecks) == (
        True,
        rubles(1000),
        rubles(300),
    )
    await billing.autopay.turn_off(USER)
    _, off = await billing.autopay.settings_of(USER)
    assert off is not None
    assert not off.enabled
    assert off.amount_kopecks == rubles(1000)  # kept for turning it on again
