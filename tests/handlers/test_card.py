"""Step 3 through the dispatcher (R9): Telegram Payments and the sandbox."""

from __future__ import annotations

import pytest
from aiogram import Bot

from bot.domain.policy import Policy
from bot.ui.keyboards import GetStarted, NewInvoice, SandboxDecline, SandboxPay
from states import Registration
from storage.sqlite.database import Database
from tests.conftest import link_in
from tests.handlers.conftest import PROVIDER_TOKEN
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import at_card_step, at_code_step, chat_on
from tests.support.session import RecordingSession

AMOUNT = 500_00  # kopecks, the default CARD_CHECK_AMOUNT_RUB


async def invoice_payload(payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox) -> str:
    replies = await at_card_step(payer, outbox, sms)
    [invoice] = replies.invoices
    return invoice.payload


# -- Telegram Payments --------------------------------------------------------------


async def test_the_card_step_says_what_the_payment_is_and_sends_an_invoice_in_rubles(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    replies = await at_card_step(payer, outbox, sms)

    # Told before paying: the amount, credited to the balance, non-refundable (R9).
    assert replies.mentions("500\u00a0₽", "goes to your VK Cloud balance", "not refunded")
    assert replies.mentions("never in this chat")
    [invoice] = replies.invoices
    assert invoice.currency == "RUB"
    assert [p.amount for p in invoice.prices] == [AMOUNT]
    assert invoice.provider_token == PROVIDER_TOKEN
    assert len(invoice.payload) >= 22
    assert not replies.asks_for_contact()


async def test_the_pre_checkout_of_the_pending_invoice_is_approved(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = await invoice_payload(payer, outbox, sms)

    replies = await payer.pre_checkout(payload, AMOUNT)

    [answer] = replies.pre_checkout_answers
    assert answer.ok is True


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda p: ("not-our-payload", AMOUNT, "RUB"), "not valid"),
        (lambda p: (p, AMOUNT - 1, "RUB"), "does not match"),
        (lambda p: (p, AMOUNT, "USD"), "does not match"),
    ],
)
async def test_a_forged_or_wrong_pre_checkout_is_declined_with_a_reason(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, forge: object, reason: str
) -> None:
    payload = await invoice_payload(payer, outbox, sms)
    forged_payload, amount, currency = forge(payload)  # type: ignore[operator]

    replies = await payer.pre_checkout(forged_payload, amount, currency)

    [answer] = replies.pre_checkout_answers
    assert answer.ok is False
    assert reason in (answer.error_message or "")


async def test_someone_elses_invoice_is_declined_at_pre_checkout(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = await invoice_payload(payer, outbox, sms)

    replies = await payer.other_person(2002).pre_checkout(payload, AMOUNT)

    [answer] = replies.pre_checkout_answers
    assert answer.ok is False
    assert "another account" in (answer.error_message or "")


async def test_an_older_invoice_is_declined_once_a_new_one_was_issued(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    old = await invoice_payload(payer, outbox, sms)
    fresh = await payer.send("/card")
    [new_invoice] = fresh.invoices

    assert (await payer.pre_checkout(new_invoice.payload, AMOUNT)).pre_checkout_answers[0].ok
    refused = await payer.pre_checkout(old, AMOUNT)

    # docs/rules.md, R9: one payable form; an older one says so, no money is taken,
    # and the newest is sent again at the bottom of the chat.
    [answer] = refused.pre_checkout_answers
    assert answer.ok is False
    assert "replaced by a newer one" in (answer.error_message or "")
    [newest] = refused.invoices
    assert (await payer.pre_checkout(newest.payload, AMOUNT)).pre_checkout_answers[0].ok


async def test_a_successful_payment_links_the_card_credits_it_and_offers_autopayment(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = await invoice_payload(payer, outbox, sms)
    await payer.pre_checkout(payload, AMOUNT)

    replies = await payer.paid(payload, AMOUNT, "tg-charge-1")

    assert replies.mentions("500\u00a0₽ is on your balance", "card is linked")
    assert replies.mentions("autopayment")
    assert await payer.is_in(Registration.activation)
    balance = await payer.send("/balance")
    assert balance.mentions("Balance: 500\u00a0₽")


async def test_a_duplicated_successful_payment_credits_nothing(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = await invoice_payload(payer, outbox, sms)
    update = payer.payment_update(payload, AMOUNT, "tg-charge-1")

    await payer.feed(update)
    again = await payer.feed(update)

    assert not again.mentions("credited")
    assert (await payer.send("/balance")).mentions("Balance: 500\u00a0₽", "Total: 500\u00a0₽")


async def test_a_payment_that_arrives_in_another_state_is_still_recorded(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = await invoice_payload(payer, outbox, sms)
    await payer.send("/cancel")

    replies = await payer.paid(payload, AMOUNT, "tg-charge-1")

    assert replies.mentions("card is linked")


async def test_a_sandbox_button_is_refused_when_real_payments_are_on(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = await invoice_payload(payer, outbox, sms)

    replies = await payer.press(SandboxPay(payload=payload).pack())

    assert replies.callback_answers[0].show_alert
    assert (await payer.send("/balance")).mentions("Balance: 0\u00a0₽")


async def test_an_invoice_that_cannot_be_sent_is_told_with_a_retry(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, session: RecordingSession
) -> None:
    await at_code_step(payer, outbox, sms)
    session.fail_next("sendInvoice")

    replies = await payer.send(sms.last_code())

    assert replies.mentions("could not be opened")
    assert replies.has_button(NewInvoice().pack())
    retried = await payer.press(NewInvoice().pack())
    assert len(retried.invoices) == 1


# -- the sandbox --------------------------------------------------------------------


def sandbox_payload(replies_buttons: list[tuple[str, str]]) -> str:
    for _, data in replies_buttons:
        if data.startswith("sbx_pay:"):
            return SandboxPay.unpack(data).payload
    raise AssertionError("no sandbox payment button")


async def test_the_sandbox_is_clearly_marked_and_never_asks_for_a_card(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    replies = await at_card_step(chat, outbox, sms)

    assert replies.mentions("Test mode", "no card is needed")
    assert replies.invoices == []
    assert sandbox_payload(replies.inline_buttons())


async def test_a_sandbox_payment_links_the_card_once(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = sandbox_payload((await at_card_step(chat, outbox, sms)).inline_buttons())

    paid = await chat.press(SandboxPay(payload=payload).pack())
    again = await chat.press(SandboxPay(payload=payload).pack())

    assert paid.mentions("card is linked")
    assert not again.mentions("credited")
    # Once, and as what it is: the sandbox's pretend money (R21).
    assert (await chat.send("/balance")).mentions("Test payments (not real money): 500")


async def test_a_declined_sandbox_payment_keeps_the_step_and_offers_a_new_invoice(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = sandbox_payload((await at_card_step(chat, outbox, sms)).inline_buttons())

    declined = await chat.press(SandboxDecline(payload=payload).pack())

    assert declined.mentions("declined", "Nothing was charged")
    assert await chat.is_in(Registration.card)
    stale = await chat.press(SandboxPay(payload=payload).pack())
    assert stale.callback_answers[0].show_alert  # that invoice is closed
    fresh = await chat.press(NewInvoice().pack())
    new_payload = sandbox_payload(fresh.inline_buttons())
    assert new_payload != payload
    assert (await chat.press(SandboxPay(payload=new_payload).pack())).mentions("card is linked")


async def test_a_forged_sandbox_button_pays_nothing(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(chat, outbox, sms)

    replies = await chat.press(SandboxPay(payload="made-up").pack())

    assert replies.callback_answers[0].show_alert
    assert await chat.is_in(Registration.card)


async def test_text_at_the_card_step_says_where_the_card_goes(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(chat, outbox, sms)

    replies = await chat.send("4276 1234 5678 9012")

    assert replies.mentions("Never send card details")
    assert replies.has_button(NewInvoice().pack())


async def test_card_before_the_phone_says_it_comes_later(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)

    replies = await chat.send("/card")

    assert replies.mentions("after the email and the phone")
    assert replies.invoices == []


# -- exempt domains and resuming ------------------------------------------------------


async def test_an_exempt_domain_goes_from_the_phone_to_get_started_with_no_invoice(
    outbox: EmailOutbox,
    sms: SmsOutbox,
    database: Database,
    bot: Bot,
    session: RecordingSession,
    clock: FakeClock,
) -> None:
    exempt = Policy(card_exempt_email_domains=frozenset({"bigcorp.ru"}))
    chat = chat_on(database, exempt, outbox, sms, clock, bot, session, user_id=2100)
    await chat.send("/start")
    await chat.send("cto@bigcorp.ru")
    await chat.send("Strong-Pass-42")
    await chat.send(f"/start {link_in(outbox.sent[-1])}")
    await chat.send("+7 916 123-45-67")

    replies = await chat.send(sms.last_code())

    assert replies.mentions("not required", "/card")
    assert replies.has_button(GetStarted().pack())
    assert not any(d.startswith("sbx_pay") for _, d in replies.inline_buttons())
    activated = await chat.press(GetStarted().pack())
    assert activated.mentions("3,000 bonus points", "Total: 3,000\u00a0₽")
    # Linking a card later is optional and works the same way.
    later = await chat.send("/card")
    assert later.mentions("optional")
    assert any(d.startswith("sbx_pay") for _, d in later.inline_buttons())


async def test_after_a_restart_start_resumes_at_the_card_with_a_fresh_invoice(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    old = await invoice_payload(payer, outbox, sms)

    replies = await payer.send("/start")

    [invoice] = replies.invoices
    assert invoice.payload != old
    assert await payer.is_in(Registration.card)


async def test_a_failing_pre_checkout_is_declined_at_once_rather_than_left_to_time_out(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.domain.card import CardService

    payload = await invoice_payload(payer, outbox, sms)

    async def broken(self: CardService, *args: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(CardService, "check_before_payment", broken)

    replies = await payer.pre_checkout(payload, AMOUNT)

    [answer] = replies.pre_checkout_answers
    assert answer.ok is False
    assert "went wrong" in (answer.error_message or "")
