"""Email confirmation (R5): the deep link, "Send the email again" and /resend."""

from __future__ import annotations

from bot.domain.policy import Policy
from bot.ui.keyboards import ChangeEmail, EmailAction, ResendEmail
from states import Registration
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL, link_in
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock


async def sign_up(chat: ChatDriver, email: str = WORK_EMAIL) -> None:
    await chat.send("/start")
    await chat.send(email)
    await chat.send(GOOD_PASSWORD)
    assert await chat.is_in(Registration.awaiting_email_link)


async def test_the_emailed_link_confirms_and_asks_for_the_phone(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await sign_up(chat)

    replies = await chat.send(f"/start {link_in(outbox.sent[-1])}")

    assert replies.mentions(f"{WORK_EMAIL}</b> is confirmed", "phone number", "+7")
    assert replies.asks_for_contact()
    assert await chat.is_in(Registration.phone)


async def test_a_link_opened_twice_says_it_is_done_and_stays_on_the_phone_step(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await sign_up(chat)
    token = link_in(outbox.sent[-1])
    await chat.send(f"/start {token}")

    replies = await chat.send(f"/start {token}")

    assert replies.mentions("already confirmed", "phone number")
    assert await chat.is_in(Registration.phone)


async def test_an_expired_link_offers_a_fresh_one(
    chat: ChatDriver, outbox: EmailOutbox, clock: FakeClock, policy: Policy
) -> None:
    await sign_up(chat)
    clock.advance(policy.email_link_ttl_seconds + 1)

    replies = await chat.send(f"/start {link_in(outbox.sent[-1])}")

    assert replies.mentions("expired")
    assert replies.inline_buttons() == [
        ("Send the email again", ResendEmail().pack()),
        ("Change the email", ChangeEmail(action=EmailAction.CHANGE).pack()),
    ]
    assert await chat.is_in(Registration.awaiting_email_link)

    fresh = await chat.press(ResendEmail().pack())
    assert fresh.mentions("A new email has been sent")
    confirmed = await chat.send(f"/start {link_in(outbox.sent[-1])}")
    assert confirmed.mentions("is confirmed")


async def test_a_forged_link_is_refused_and_the_step_kept(chat: ChatDriver) -> None:
    await sign_up(chat)

    replies = await chat.send("/start " + "A" * 43)

    assert replies.mentions("not valid")
    assert await chat.is_in(Registration.awaiting_email_link)


async def test_a_malformed_payload_is_refused(chat: ChatDriver) -> None:
    await sign_up(chat)
    replies = await chat.send("/start <script>")
    assert replies.mentions("not valid")


async def test_a_link_opened_from_another_telegram_account_does_not_confirm_and_stays_usable(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await sign_up(chat)
    token = link_in(outbox.sent[-1])
    stranger = chat.other_person(3003)

    replies = await stranger.send(f"/start {token}")

    assert replies.mentions("another Telegram account")
    assert await stranger.is_in(Registration.email)
    assert (await chat.send(f"/start {token}")).mentions("is confirmed")


async def test_resend_is_refused_with_the_seconds_left_until_the_delay_has_passed(
    chat: ChatDriver, outbox: EmailOutbox, clock: FakeClock, policy: Policy
) -> None:
    await sign_up(chat)
    clock.advance(10)

    replies = await chat.send("/resend")

    assert replies.mentions(f"{policy.email_resend_seconds - 10} seconds")
    assert len(outbox.sent) == 1


async def test_a_double_tap_on_send_again_sends_one_email(
    chat: ChatDriver, outbox: EmailOutbox, clock: FakeClock, policy: Policy
) -> None:
    await sign_up(chat)
    clock.advance(policy.email_resend_seconds)

    first = await chat.press(ResendEmail().pack())
    second = await chat.press(ResendEmail().pack())

    assert first.mentions("A new email has been sent")
    assert second.mentions("ask for another one in")
    assert len(first.callback_answers) == len(second.callback_answers) == 1
    assert len(outbox.sent) == 2


async def test_after_a_resend_only_the_newest_link_works(
    chat: ChatDriver, outbox: EmailOutbox, clock: FakeClock, policy: Policy
) -> None:
    await sign_up(chat)
    old = link_in(outbox.sent[-1])
    clock.advance(policy.email_resend_seconds)
    await chat.send("/resend")
    new = link_in(outbox.sent[-1])

    assert (await chat.send(f"/start {old}")).mentions("no longer works")
    assert (await chat.send(f"/start {new}")).mentions("is confirmed")


async def test_resend_after_confirmation_sends_no_email_and_asks_for_the_phone(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await sign_up(chat)
    await chat.send(f"/start {link_in(outbox.sent[-1])}")

    replies = await chat.send("/resend")

    # At the phone step /resend is about the SMS code, and none was asked for yet.
    assert replies.mentions("no number to send a code to", "phone number")
    assert replies.asks_for_contact()
    assert len(outbox.sent) == 1


async def test_the_email_button_after_confirmation_sends_nothing_and_resumes(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await sign_up(chat)
    await chat.send(f"/start {link_in(outbox.sent[-1])}")

    replies = await chat.press(ResendEmail().pack())

    assert replies.mentions("already confirmed", "phone number")
    assert len(outbox.sent) == 1


async def test_resend_without_an_account_points_to_start(chat: ChatDriver) -> None:
    replies = await chat.send("/resend")
    assert replies.mentions("/start")


async def test_any_message_while_waiting_for_the_link_repeats_what_to_do(chat: ChatDriver) -> None:
    await sign_up(chat)

    for replies in (await chat.send("hello?"), await chat.send_sticker()):
        assert replies.mentions("confirm your email", WORK_EMAIL, "spam")
        assert await chat.is_in(Registration.awaiting_email_link)


async def test_start_with_an_account_resumes_at_the_email_step(chat: ChatDriver) -> None:
    await sign_up(chat)
    replies = await chat.send("/start")
    assert replies.mentions("confirm your email")
    assert not replies.mentions("Hello!")
