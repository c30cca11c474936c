"""Step 2 through the dispatcher: the number (R6, R7), the code (R8), resuming (R12)."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.types import Update

from bot.adapters.payments import SandboxPaymentGateway
from bot.app import Services
from bot.domain.policy import Policy
from bot.ui.keyboards import ChangePhone, ResendSms
from states import Registration
from storage.sqlite.database import Database
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL
from tests.support.chat import ChatDriver, Replies
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import at_code_step, at_phone_step, chat_on, services_on
from tests.support.session import RecordingSession

PHONE = "+79161234567"
RESEND = ResendSms().pack()


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 10 ** len(right):0{len(right)}d}"


# -- the number --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+7 916 123-45-67", "8 (916) 123 45 67", "9161234567"])
async def test_a_typed_russian_mobile_gets_an_sms_and_the_question_for_the_code(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy, typed: str
) -> None:
    await at_phone_step(chat, outbox)

    replies = await chat.send(typed)

    assert [s.phone for s in sms.sent] == [PHONE]
    assert replies.mentions("+7 916 123-45-67", f"{policy.sms_code_length}-digit code")
    assert replies.mentions(f"in {policy.sms_resend_seconds} seconds")
    # The resend button comes only after the delay; the number can be changed at once.
    assert not replies.has_button(RESEND)
    assert replies.has_button(ChangePhone().pack())
    assert await chat.is_in(Registration.sms_code)


async def test_the_sms_is_in_the_persons_language_and_holds_only_the_code(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    russian = chat.other_person(2002, language_code="ru")
    await at_phone_step(russian, outbox)
    await russian.send("+7 916 123-45-67")

    text = sms.sent[-1].text
    assert "код подтверждения" in text
    assert "10 минут" in text
    assert "<" not in text  # no markup in an SMS


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("+7 701 123 4567", "Kazakhstan"),
        ("+44 7911 123456", "support"),
        ("+7 495 123-45-67", "landline"),
        ("8 800 555-35-35", "toll-free"),
        ("+7 916 123 45", "no such number"),
        ("my number", "not a phone number"),
    ],
)
async def test_a_refused_number_is_told_why_gets_no_sms_and_keeps_the_step(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, typed: str, reason: str
) -> None:
    await at_phone_step(chat, outbox)

    replies = await chat.send(typed)

    assert replies.mentions(reason)
    assert replies.asks_for_contact()
    assert sms.sent == []
    assert await chat.is_in(Registration.phone)


@pytest.mark.parametrize("shared", ["79161234567", "+79161234567"])
async def test_the_persons_own_contact_is_taken_with_or_without_plus(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, shared: str
) -> None:
    await at_phone_step(chat, outbox)

    replies = await chat.send_contact(shared)

    assert [s.phone for s in sms.sent] == [PHONE]
    assert replies.mentions("+7 916 123-45-67")


async def test_someone_elses_contact_is_refused(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_phone_step(chat, outbox)

    replies = await chat.send_contact("79161234567", owner=999)

    assert replies.mentions("someone else's contact")
    assert replies.asks_for_contact()
    assert sms.sent == []
    assert await chat.is_in(Registration.phone)


async def test_a_sticker_at_the_phone_step_asks_for_the_number_again(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_phone_step(chat, outbox)

    replies = await chat.send_sticker()

    assert replies.mentions("type it, or press")
    assert replies.asks_for_contact()
    assert await chat.is_in(Registration.phone)


async def test_a_number_on_the_maximum_of_accounts_is_refused_before_any_sms(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    for n in range(policy.phone_max_accounts):
        other = chat.other_person(3000 + n)
        await at_phone_step(other, outbox, email=f"user{n}@corp.example")
        await other.send(PHONE)
        await other.send(sms.last_code())
        assert await other.is_in(Registration.card)
    sent = len(sms.sent)
    await at_phone_step(chat, outbox)

    replies = await chat.send("+7 916 123-45-67")

    assert replies.mentions(f"already confirmed on {policy.phone_max_accounts} accounts")
    assert replies.asks_for_contact()
    assert len(sms.sent) == sent
    assert await chat.is_in(Registration.phone)


async def test_the_last_place_taken_while_entering_the_code_is_refused_at_confirmation(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    rivals = [chat.other_person(4000 + n) for n in range(policy.phone_max_accounts)]
    await at_code_step(chat, outbox, sms)
    mine = sms.last_code()
    for n, rival in enumerate(rivals):
        await at_phone_step(rival, outbox, email=f"rival{n}@corp.example")
        await rival.send(PHONE)
        await rival.send(sms.last_code())

    replies = await chat.send(mine)

    assert replies.mentions("the code is right", "another number")
    assert replies.asks_for_contact()
    assert await chat.is_in(Registration.phone)


async def test_a_gateway_failure_is_told_with_a_retry_and_loses_nothing(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_phone_step(chat, outbox)
    sms.failing = True

    replies = await chat.send("+7 916 123-45-67")

    assert replies.mentions("could not be sent", "again")
    assert await chat.is_in(Registration.phone)
    sms.failing = False
    retried = await chat.send("+7 916 123-45-67")  # no wait: nothing was sent
    assert retried.mentions("from the SMS sent to")
    assert len(sms.sent) == 1


async def test_the_same_number_sent_twice_gets_one_sms(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)

    again = await chat.send("8 916 123 45 67")

    assert len(sms.sent) == 1
    assert again.mentions("from the SMS sent to", "+7 916 123-45-67")


# -- the code ----------------------------------------------------------------------


async def test_the_right_code_confirms_the_phone_and_leads_to_the_card_step(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, services: Services
) -> None:
    await at_code_step(chat, outbox, sms)

    replies = await chat.send(sms.last_code())

    assert replies.mentions("+7 916 123-45-67", "is confirmed", "payment card")
    assert await chat.is_in(Registration.card)
    account = await services.signup.account_of(chat.user.id)
    assert account is not None
    assert account.phone == PHONE


async def test_an_exempt_domain_skips_the_card_after_the_phone(
    outbox: EmailOutbox,
    sms: SmsOutbox,
    database: Database,
    bot: Bot,
    session: RecordingSession,
    clock: FakeClock,
) -> None:
    exempt = Policy(card_exempt_email_domains=frozenset({"bigcorp.ru"}))
    chat = chat_on(database, exempt, outbox, sms, clock, bot, session, user_id=1500)
    await at_phone_step(chat, outbox, email="cto@bigcorp.ru")
    await chat.send(PHONE)

    replies = await chat.send(sms.last_code())

    assert replies.mentions("is confirmed", "card is not required")
    assert await chat.is_in(Registration.activation)


async def test_wrong_codes_count_down_then_the_code_is_void_and_a_new_one_offered(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    await at_code_step(chat, outbox, sms)
    right = sms.last_code()

    answers = [await chat.send(wrong_code(right)) for _ in range(policy.sms_max_attempts)]

    for n, replies in enumerate(answers[:-1], start=1):
        assert replies.mentions(f"Tries left: {policy.sms_max_attempts - n}")
    assert answers[-1].mentions("last try", "no longer works")
    assert answers[-1].has_button(RESEND)
    too_late = await chat.send(right)
    assert not too_late.mentions("is confirmed")
    assert await chat.is_in(Registration.sms_code)


async def test_a_wrong_code_delivered_twice_costs_one_attempt(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    # R19: after a crash Telegram delivers the unacknowledged update again.
    await at_code_step(chat, outbox, sms)
    update = Update(update_id=987_654, message=chat.message(text=wrong_code(sms.last_code())))

    first = await chat.feed(update)
    again = await chat.feed(update)
    later = await chat.send(wrong_code(sms.last_code()))

    left = policy.sms_max_attempts - 1
    assert first.mentions(f"Tries left: {left}")
    assert again.mentions(f"Tries left: {left}")
    assert later.mentions(f"Tries left: {left - 1}")


async def test_text_that_is_not_a_code_is_not_counted(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, policy: Policy
) -> None:
    await at_code_step(chat, outbox, sms)

    replies = await chat.send("the code?")
    sticker = await chat.send_sticker()

    assert replies.mentions(f"has {policy.sms_code_length} digits")
    assert sticker.mentions(f"{policy.sms_code_length}-digit code")
    assert (await chat.send(sms.last_code())).mentions("is confirmed")


async def test_an_expired_code_is_refused_and_a_new_one_offered(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock, policy: Policy
) -> None:
    await at_code_step(chat, outbox, sms)
    clock.advance(policy.sms_code_ttl_seconds + 1)

    replies = await chat.send(sms.last_code())

    assert replies.mentions("has expired")
    assert replies.has_button(RESEND)
    fresh = await chat.press(RESEND)
    assert len(sms.sent) == 2
    assert fresh.mentions("from the SMS sent to")
    assert (await chat.send(sms.last_code())).mentions("is confirmed")


async def test_a_number_typed_at_the_code_step_corrects_the_number(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock, policy: Policy
) -> None:
    await at_code_step(chat, outbox, sms)
    clock.advance(policy.sms_resend_seconds)

    replies = await chat.send("+7 999 765-43-21")

    assert sms.sent[-1].phone == "+79997654321"
    assert replies.mentions("+7 999 765-43-21")


async def test_change_the_number_asks_for_it_again(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)

    replies = await chat.press(ChangePhone().pack())

    assert replies.asks_for_contact()
    assert await chat.is_in(Registration.phone)


# -- a new code --------------------------------------------------------------------


async def test_resend_before_the_delay_says_how_many_seconds_remain(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock, policy: Policy
) -> None:
    await at_code_step(chat, outbox, sms)
    clock.advance(policy.sms_resend_seconds - 17)

    command = await chat.send("/resend")
    button = await chat.press(RESEND)

    assert command.mentions("in 17 seconds")
    assert button.callback_answers[0].text is not None
    assert "17 seconds" in button.callback_answers[0].text
    assert len(sms.sent) == 1


async def test_resend_after_the_delay_sends_a_new_code_and_voids_the_old_one(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock, policy: Policy
) -> None:
    await at_code_step(chat, outbox, sms)
    old = sms.last_code()
    clock.advance(policy.sms_resend_seconds)

    replies = await chat.send("/resend")

    assert len(sms.sent) == 2
    assert replies.mentions("from the SMS sent to")
    new = sms.last_code()
    if old != new:  # the older code is told apart, and costs no try (R31)
        assert (await chat.send(old)).mentions("a newer code was sent", "did not count")
    assert (await chat.send(new)).mentions("is confirmed")


async def test_the_button_appears_on_the_code_question_once_the_delay_has_passed(
    chat: ChatDriver,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    policy: Policy,
    services: Services,
    bot: Bot,
    session: RecordingSession,
) -> None:
    await at_code_step(chat, outbox, sms)
    prompt_id = session.last_message_id
    clock.advance(policy.sms_resend_seconds - 1)
    assert await services.code_prompts.refresh_due(bot) == 0

    clock.advance(1)
    start = len(session.calls)
    assert await services.code_prompts.refresh_due(bot) == 1

    edited = Replies(session.calls[start:])
    assert len(edited.edits) == 1
    assert (edited.edits[0].chat_id, edited.edits[0].message_id) == (chat.chat.id, prompt_id)
    assert edited.has_button(RESEND)
    assert "No SMS?" in (edited.edits[0].text or "")
    assert await services.code_prompts.refresh_due(bot) == 0  # once only


async def test_the_button_still_appears_after_a_restart(
    chat: ChatDriver,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    policy: Policy,
    database: Database,
    bot: Bot,
    session: RecordingSession,
) -> None:
    await at_code_step(chat, outbox, sms)
    clock.advance(policy.sms_resend_seconds)

    restarted = services_on(
        database, policy, outbox, sms, clock, SandboxPaymentGateway(bot)
    )  # nothing in memory
    start = len(session.calls)
    assert await restarted.code_prompts.refresh_due(bot) == 1
    assert Replies(session.calls[start:]).has_button(RESEND)


# -- resuming ----------------------------------------------------------------------


async def test_after_a_restart_start_resumes_at_the_code_and_the_code_still_works(
    chat: ChatDriver,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    policy: Policy,
    database: Database,
    bot: Bot,
    session: RecordingSession,
) -> None:
    await at_code_step(chat, outbox, sms)
    restarted = chat_on(database, policy, outbox, sms, clock, bot, session, user_id=chat.user.id)

    replies = await restarted.send("/start")

    assert replies.mentions("from the SMS sent to", "+7 916 123-45-67")
    assert len(sms.sent) == 1
    assert (await restarted.send(sms.last_code())).mentions("is confirmed")


async def test_coming_back_after_the_code_expired_offers_a_new_one(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock
) -> None:
    await at_code_step(chat, outbox, sms)
    clock.advance(3 * 24 * 3600)

    replies = await chat.send("/start")

    assert replies.mentions("has expired")
    assert replies.has_button(RESEND)
    await chat.press(RESEND)
    assert len(sms.sent) == 2


async def test_coming_back_after_the_link_expired_offers_a_fresh_one(
    chat: ChatDriver, outbox: EmailOutbox, clock: FakeClock, policy: Policy
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send(GOOD_PASSWORD)
    clock.advance(policy.email_link_ttl_seconds + 1)

    replies = await chat.send("hello again")

    assert replies.mentions("waiting for you to confirm your email", "support@mcs.mail.ru")
    assert replies.mentions("expired", "for a new one")
    assert replies.inline_buttons()


async def test_any_message_after_cancel_at_the_code_step_resumes_there(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)
    await chat.send("/cancel")
    assert await chat.state() is None

    replies = await chat.send("hi")

    assert replies.mentions("from the SMS sent to")
    assert await chat.is_in(Registration.sms_code)


async def test_resend_when_no_number_was_given_asks_for_it(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_phone_step(chat, outbox)

    replies = await chat.press(RESEND)

    assert replies.mentions("no number to send a code to")
    assert replies.asks_for_contact()
    assert sms.sent == []
