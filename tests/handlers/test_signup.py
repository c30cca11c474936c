"""Sign-up through the dispatcher: /start, email, password, account created (R1-R4)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.domain.policy import Policy
from states import Registration
from storage.sqlite.database import Database
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox


async def reach_password(chat: ChatDriver, email: str = WORK_EMAIL) -> None:
    await chat.send("/start")
    await chat.send(email)
    assert await chat.is_in(Registration.password)


async def test_start_greets_names_the_three_steps_and_asks_for_the_email(chat: ChatDriver) -> None:
    replies = await chat.send("/start")

    assert replies.mentions("email", "phone", "payment card")
    assert replies.texts[-1].startswith("Please send your <b>work email</b>")
    assert await chat.is_in(Registration.email)


async def test_a_valid_email_leads_to_the_password_question_with_the_rules(
    chat: ChatDriver, policy: Policy
) -> None:
    await chat.send("/start")
    replies = await chat.send(" Alice@CORP.example ")

    assert replies.mentions("password", f"at least {policy.password_min_length} characters")
    assert await chat.is_in(Registration.password)
    assert await chat.data() == {"email": "Alice@corp.example"}


async def test_an_invalid_email_is_refused_and_the_step_kept(chat: ChatDriver) -> None:
    await chat.send("/start")
    replies = await chat.send("not an address")

    assert replies.mentions("does not look like an email")
    assert await chat.is_in(Registration.email)


async def test_a_free_mail_address_is_accepted_with_the_work_email_note(chat: ChatDriver) -> None:
    await chat.send("/start")
    replies = await chat.send("someone@gmail.com")

    assert replies.mentions("free-mail", "work email", "special")
    assert await chat.is_in(Registration.password)


async def test_a_sticker_at_the_email_step_gets_a_hint_and_keeps_the_step(chat: ChatDriver) -> None:
    await chat.send("/start")
    replies = await chat.send_sticker()

    assert replies.mentions("as a text message")
    assert await chat.is_in(Registration.email)


async def test_a_weak_password_is_deleted_refused_with_every_reason_and_the_step_kept(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await reach_password(chat)
    replies = await chat.send("weak")

    assert len(replies.deleted) == 1
    assert replies.mentions("shorter than", "upper-case", "digit")
    assert await chat.is_in(Registration.password)
    assert await chat.data() == {"email": WORK_EMAIL}
    assert outbox.sent == []


async def test_a_good_password_creates_the_account_and_sends_the_email(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await reach_password(chat)
    replies = await chat.send(GOOD_PASSWORD)

    assert len(replies.deleted) == 1, "the password message is deleted"
    assert replies.mentions("account has been created", WORK_EMAIL, "spam")
    assert [text for text, _ in replies.inline_buttons()] == [
        "Send the email again",
        "Change the email",
    ]
    assert await chat.is_in(Registration.awaiting_email_link)
    assert await chat.data() == {}
    [email] = outbox.sent
    assert email.to == WORK_EMAIL
    assert "Complete your registration" in email.subject
    assert "https://t.me/vkcloud_test_bot?start=" in email.text
    assert "24 hours" in email.text
    assert GOOD_PASSWORD not in email.text + email.html


async def test_the_password_message_is_deleted_before_the_reply(chat: ChatDriver) -> None:
    await reach_password(chat)
    replies = await chat.send(GOOD_PASSWORD)

    kinds = [type(call).__name__ for call in replies.calls]
    assert kinds.index("DeleteMessage") < kinds.index("SendMessage")


async def test_the_same_password_update_twice_creates_one_account_and_sends_one_email(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await reach_password(chat)
    await chat.send(GOOD_PASSWORD)
    await chat.dispatcher.storage.set_state(chat.key(), Registration.password)
    await chat.dispatcher.storage.set_data(chat.key(), {"email": WORK_EMAIL})

    replies = await chat.send(GOOD_PASSWORD)

    assert replies.mentions("confirm your email", WORK_EMAIL)
    assert await chat.is_in(Registration.awaiting_email_link)
    assert len(outbox.sent) == 1


async def test_an_address_that_has_an_account_is_refused_without_details(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await reach_password(chat)
    await chat.send(GOOD_PASSWORD)
    other = chat.other_person(2002)
    await other.send("/start")

    replies = await other.send(WORK_EMAIL.upper().replace("CORP.EXAMPLE", "corp.example"))

    assert replies.mentions("already exists", "sign in", "support")
    assert await other.is_in(Registration.email)
    assert len(outbox.sent) == 1


async def test_when_the_email_cannot_be_sent_the_account_stays_and_a_retry_is_offered(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    outbox.failing = True
    await reach_password(chat)

    replies = await chat.send(GOOD_PASSWORD)

    assert replies.mentions("could not be sent")
    assert [text for text, _ in replies.inline_buttons()] == [
        "Send the email again",
        "Change the email",
    ]
    assert await chat.is_in(Registration.awaiting_email_link)

    outbox.failing = False
    retry = await chat.press(replies.inline_buttons()[0][1])
    assert retry.mentions("A new email has been sent")
    assert len(outbox.sent) == 1, "a failed delivery does not start the resend timer"


async def test_start_in_the_middle_of_sign_up_asks_the_same_question_again(
    chat: ChatDriver,
) -> None:
    await reach_password(chat)
    replies = await chat.send("/start")

    assert replies.mentions("choose a <b>password</b>")
    assert await chat.is_in(Registration.password)


async def test_the_password_is_nowhere_in_the_database_fsm_or_log(
    chat: ChatDriver, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await reach_password(chat)
    await chat.send(GOOD_PASSWORD)

    raw = b"".join(p.read_bytes() for p in Path(database.path).parent.glob("*.sqlite3*"))
    assert GOOD_PASSWORD.encode() not in raw
    assert b"$argon2id$" in raw
    assert GOOD_PASSWORD not in caplog.text
    assert GOOD_PASSWORD not in str(await chat.data())


async def test_a_password_that_starts_with_a_slash_is_a_password_not_a_command(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await reach_password(chat)
    replies = await chat.send("/Strong-Pass-42")

    assert len(replies.deleted) == 1
    assert replies.mentions("account has been created")
    assert len(outbox.sent) == 1


async def test_a_password_step_that_lost_its_email_asks_for_the_email_again(
    chat: ChatDriver, outbox: EmailOutbox
) -> None:
    await reach_password(chat)
    await chat.dispatcher.storage.set_data(chat.key(), {})

    replies = await chat.send(GOOD_PASSWORD)

    assert len(replies.deleted) == 1
    assert replies.mentions("work email")
    assert await chat.is_in(Registration.email)
    assert outbox.sent == []
