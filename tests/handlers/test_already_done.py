"""Every "already done" carries the next step (R12): a person who sends again what a step
before took (a link, a code, a payment, a button), or whose chat state was left behind
the account by a crash, is told where they are and given that step's prompt or its
button, never a dead end."""

from __future__ import annotations

from aiogram.fsm.state import State

from bot.ui.keyboards import Autopay, GetStarted, NewInvoice, ResendEmail, ResendSms, SandboxPay
from states import Registration
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL, link_in
from tests.support.chat import ChatDriver, Replies
from tests.support.fakes import EmailOutbox, SmsOutbox
from tests.support.journey import (
    at_card_step,
    at_code_step,
    at_phone_step,
    card_linked,
    sandbox_payload,
)


def asks_for_the_phone(replies: Replies) -> bool:
    return replies.asks_for_contact() and replies.mentions("phone")


def offers_the_card(replies: Replies) -> bool:
    """The payment form, or the button that sends it again."""
    buttons = [data for _, data in replies.inline_buttons()]
    return bool(replies.invoices) or any(
        d.startswith(("sbx_pay", NewInvoice.__prefix__)) for d in buttons
    )


def asks_about_autopay(replies: Replies) -> bool:
    return any(d.startswith(Autopay.__prefix__) for _, d in replies.inline_buttons())


def offers_to_get_started(replies: Replies) -> bool:
    return any(d.startswith(GetStarted.__prefix__) for _, d in replies.inline_buttons())


async def left_behind(chat: ChatDriver, state: State) -> None:
    """What a kill between the account's commit and the FSM's write leaves: the chat's
    state one step behind the account."""
    await chat.dispatcher.storage.set_state(chat.key(), state)


async def test_the_email_sent_again_at_the_password_keeps_asking_for_the_password(
    chat: ChatDriver,
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)

    again = await chat.send(WORK_EMAIL)

    assert again.mentions("password")
    assert await chat.is_in(Registration.password)


async def test_the_password_sent_again_while_the_link_is_awaited_asks_for_the_link(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send(GOOD_PASSWORD)

    again = await chat.send(GOOD_PASSWORD)

    assert again.mentions("confirm your email")
    assert any(d.startswith(ResendEmail.__prefix__) for _, d in again.inline_buttons())
    assert await chat.is_in(Registration.awaiting_email_link)


async def test_the_email_link_opened_again_asks_for_the_phone(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await at_phone_step(chat, outbox)

    again = await chat.send(f"/start {link_in(outbox.sent[-1])}")

    assert again.mentions("already confirmed")
    assert asks_for_the_phone(again)
    assert await chat.is_in(Registration.phone)


async def test_the_old_resend_email_button_asks_for_the_phone(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await at_phone_step(chat, outbox)

    again = await chat.press(ResendEmail().pack())

    assert again.mentions("already confirmed")
    assert asks_for_the_phone(again)


async def test_the_sms_code_sent_again_offers_the_card(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(chat, outbox, sms)

    again = await chat.send(sms.last_code())

    assert offers_the_card(again)
    assert await chat.is_in(Registration.card)


async def test_the_sms_code_after_a_crash_left_the_chat_at_the_code_offers_the_card(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(chat, outbox, sms)
    await left_behind(chat, Registration.sms_code)

    again = await chat.send(sms.last_code())

    assert again.mentions("already confirmed")
    assert offers_the_card(again)
    assert await chat.is_in(Registration.card)


async def test_the_old_resend_sms_button_offers_the_card(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(chat, outbox, sms)

    again = await chat.press(ResendSms().pack())

    assert offers_the_card(again)


async def test_the_phone_number_sent_again_at_the_code_asks_for_the_code(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)

    again = await chat.send("+7 916 123-45-67")

    assert again.mentions("code")
    assert await chat.is_in(Registration.sms_code)


async def test_a_paid_form_pressed_again_asks_about_autopay(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    payload = await card_linked(chat, outbox, sms)

    again = await chat.press(SandboxPay(payload=payload).pack())

    assert asks_about_autopay(again)
    assert await chat.is_in(Registration.activation)


async def test_a_card_linked_after_a_crash_left_the_chat_at_the_card_asks_about_autopay(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await left_behind(chat, Registration.card)

    again = await chat.send("I paid")

    assert asks_about_autopay(again)
    assert await chat.is_in(Registration.activation)


async def test_card_asked_for_again_once_linked_asks_about_autopay(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)

    again = await chat.send("/card")

    assert again.mentions("already linked")
    assert asks_about_autopay(again)


async def test_the_autopay_answer_pressed_again_offers_to_get_started(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(Autopay(action="skip").pack())

    again = await chat.press(Autopay(action="skip").pack())

    assert offers_to_get_started(again)


async def test_get_started_pressed_again_says_the_account_is_active(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(Autopay(action="skip").pack())
    await chat.press(GetStarted().pack())

    again = await chat.press(GetStarted().pack())

    [alert] = again.callback_answers
    assert "already active" in (alert.text or "")  # where they are: at the end
    assert again.messages == []  # a double tap sends nothing more
    assert await chat.is_in(Registration.active)


async def test_another_form_paid_once_the_card_is_linked_asks_about_autopay(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    first = sandbox_payload(await at_card_step(chat, outbox, sms))
    second = sandbox_payload(await chat.send("/card"))
    await chat.press(SandboxPay(payload=second).pack())

    again = await chat.press(SandboxPay(payload=first).pack())

    [alert] = again.callback_answers
    assert "already paid" in (alert.text or "")
    assert asks_about_autopay(again)
