"""After the card (R10, R11): the autopayment offer, "Get started", /autopay, /balance."""

from __future__ import annotations

import pytest

from bot.domain.policy import Policy
from bot.ui.keyboards import Autopay, GetStarted, SandboxPay
from states import Registration
from tests.support.chat import ChatDriver, Replies
from tests.support.fakes import EmailOutbox, SmsOutbox
from tests.support.journey import at_card_step

SET_UP = Autopay(action="setup").pack()
SKIP = Autopay(action="skip").pack()
SAVE = Autopay(action="save").pack()
OFF = Autopay(action="off").pack()
GET_STARTED = GetStarted().pack()


async def card_linked(chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox) -> Replies:
    replies = await at_card_step(chat, outbox, sms)
    payload = next(
        SandboxPay.unpack(d).payload for _, d in replies.inline_buttons() if d.startswith("sbx_pay")
    )
    linked = await chat.press(SandboxPay(payload=payload).pack())
    assert linked.has_button(SET_UP)
    return linked


async def test_the_autopayment_offer_comes_after_the_card_with_set_up_and_skip(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    replies = await card_linked(chat, outbox, sms)

    assert replies.mentions("autopayment", "/autopay")
    assert replies.has_button(SKIP)
    assert await chat.is_in(Registration.activation)


async def test_skip_leads_to_get_started(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)

    replies = await chat.press(SKIP)

    assert replies.mentions("not set up", "/autopay")
    assert replies.has_button(GET_STARTED)


async def test_setting_up_autopayment_asks_both_numbers_and_saves_them(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)

    amount_question = await chat.press(SET_UP)
    threshold_question = await chat.send("1 500 ₽")
    summary = await chat.send("300 руб.")
    saved = await chat.press(SAVE)

    assert amount_question.mentions("100\u00a0₽", "20,000\u00a0₽")
    assert threshold_question.mentions("0\u00a0₽", "9,999,999\u00a0₽")
    assert summary.mentions("below 300\u00a0₽", "1,500\u00a0₽")
    assert saved.mentions("Autopayment is on", "1,500\u00a0₽", "300\u00a0₽")
    assert saved.has_button(GET_STARTED)
    shown = await chat.send("/autopay")
    assert shown.mentions("1,500\u00a0₽", "300\u00a0₽")
    assert shown.has_button(OFF)


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("99", "out of range"),
        ("20001", "out of range"),
        ("lots", "whole number"),
        ("1500.50", "without kopecks"),
        ("-5", "cannot be below zero"),
    ],
)
async def test_an_amount_out_of_range_or_not_a_number_is_refused_and_asked_again(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, typed: str, answer: str
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(SET_UP)

    replies = await chat.send(typed)

    assert replies.mentions(answer)
    assert await chat.is_in(Registration.autopay_amount)


async def test_a_threshold_above_the_maximum_is_refused(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(SET_UP)
    await chat.send("1000")

    replies = await chat.send(str(policy.autopay_threshold_max_rub + 1))

    assert replies.mentions("out of range")
    assert await chat.is_in(Registration.autopay_threshold)
    assert (await chat.send("0")).has_button(SAVE)  # zero is allowed


async def test_a_second_tap_on_save_changes_nothing(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(SET_UP)
    await chat.send("1000")
    await chat.send("200")
    await chat.press(SAVE)

    again = await chat.press(SAVE)

    assert again.callback_answers[0].text is not None
    assert again.messages == []


async def test_autopay_can_be_turned_off_and_explains_itself_without_a_card(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    stranger = chat.other_person(2500)
    await at_card_step(stranger, outbox, sms, email="stranger@corp.example")
    assert (await stranger.send("/autopay")).mentions("no card is linked", "/card")

    await card_linked(chat, outbox, sms)
    await chat.press(SET_UP)
    await chat.send("1000")
    await chat.send("200")
    await chat.press(SAVE)
    assert (await chat.press(OFF)).mentions("Autopayment is off")
    assert (await chat.send("/autopay")).mentions("Autopayment is off")


async def test_get_started_activates_credits_the_bonus_and_shows_the_balance(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(SKIP)

    replies = await chat.press(GET_STARTED)

    assert replies.mentions("services are active", "3,000 bonus points")
    # The sandbox's payment is shown apart and never counted as money (R21).
    assert replies.mentions("Balance: 0\u00a0₽", "Bonus points: 3,000", "Total: 3,000\u00a0₽")
    assert replies.mentions("Test payments (not real money): 500\u00a0₽")
    assert replies.mentions("legal entity", "trial period", "console", "https://mcs.mail.ru/app/")
    assert await chat.is_in(Registration.active)


async def test_a_second_press_of_get_started_credits_nothing(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(SKIP)
    await chat.press(GET_STARTED)

    again = await chat.press(GET_STARTED)

    assert again.messages == []
    assert again.callback_answers[0].show_alert
    assert (await chat.send("/balance")).mentions("Total: 3,000\u00a0₽")  # one bonus


async def test_get_started_before_the_card_is_linked_shows_the_card_step(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_card_step(chat, outbox, sms)

    replies = await chat.press(GET_STARTED)

    assert replies.mentions("payment card")
    assert (await chat.send("/balance")).mentions("Total: 0\u00a0₽")


async def test_balance_in_russian_and_without_an_account(chat: ChatDriver) -> None:
    assert (await chat.send("/balance")).mentions("no account yet")
    russian = chat.other_person(2600, language_code="ru")
    await russian.send("/start")
    assert (await russian.send("/balance")).mentions("Аккаунта пока нет")


async def test_after_a_restart_start_resumes_at_the_autopayment_offer(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.send("/cancel")

    replies = await chat.send("/start")

    assert replies.has_button(SET_UP)
    assert replies.has_button(SKIP)


async def test_after_activation_a_message_says_the_registration_is_complete(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(SKIP)
    await chat.press(GET_STARTED)

    replies = await chat.send("hello")

    assert replies.mentions("registration is complete", "/balance")
    status = await chat.send("/status")
    assert status.mentions("✅ 3. Payment card: done", "All confirmation steps are done")


async def test_start_in_the_middle_of_autopayment_keeps_the_amount_already_given(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(SET_UP)
    await chat.send("1500")

    again = await chat.send("/start")
    summary = await chat.send("250")

    assert again.mentions("Minimum balance")
    assert summary.mentions("1,500\u00a0₽", "250\u00a0₽")
    assert summary.has_button(SAVE)


async def test_a_sticker_or_a_4096_character_text_at_the_amount_keeps_the_question(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await card_linked(chat, outbox, sms)
    await chat.press(SET_UP)

    sticker = await chat.send_sticker()
    long_text = await chat.send("я" * 4096)

    assert sticker.mentions("as a text message")
    assert long_text.mentions("whole number")
    assert await chat.is_in(Registration.autopay_amount)
    assert (await chat.send("1000")).mentions("Minimum balance")
