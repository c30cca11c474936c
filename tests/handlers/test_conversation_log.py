"""R18 through the dispatcher: what is recorded, what is masked, and support commands."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage

from bot.app import Services
from bot.domain.conversation import MASK, Direction, LogEntry
from bot.support.masking import sensitive_reply
from bot.ui.keyboards import ResendEmail, SandboxPay
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database
from tests.conftest import GOOD_PASSWORD, SUPPORT, WORK_EMAIL, link_in
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import at_card_step, at_code_step, settle_log
from tests.support.session import RecordingSession

STAFF = next(iter(SUPPORT))


async def stored(services: Services, database: Database, user_id: int) -> list[LogEntry]:
    await settle_log(services)
    return await SqliteConversationLog(database).latest(user_id, 1000)


def texts(entries: list[LogEntry], direction: Direction | None = None) -> str:
    return "\n".join(e.text for e in entries if direction is None or e.direction is direction)


async def test_every_message_in_and_out_is_recorded_with_its_step_and_kind(
    chat: ChatDriver, services: Services, database: Database
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send_sticker()

    entries = await stored(services, database, chat.user.id)

    kinds = [(e.direction.value, e.kind) for e in entries]
    assert ("in", "command") in kinds
    assert ("in", "text") in kinds
    assert ("in", "media") in kinds
    assert ("out", "message") in kinds
    incoming_email = next(e for e in entries if e.text == WORK_EMAIL)
    assert incoming_email.step == "Registration:email"  # the step when it arrived
    assert "[sticker]" in texts(entries, Direction.IN)
    # Outgoing texts are stored as read: no HTML tags.
    assert "<b>" not in texts(entries, Direction.OUT)
    assert "work email" in texts(entries, Direction.OUT)


async def test_the_password_is_stored_only_as_a_mask(
    chat: ChatDriver, services: Services, database: Database
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send("weak")  # refused, still a password
    await chat.send(GOOD_PASSWORD)

    entries = await stored(services, database, chat.user.id)

    assert GOOD_PASSWORD not in texts(entries)
    assert "weak" not in texts(entries, Direction.IN)
    masks = [e for e in entries if e.direction is Direction.IN and e.text.startswith(MASK)]
    assert [e.step for e in masks] == ["Registration:password"] * 2
    assert any(e.kind == "delete" for e in entries)  # the deletion is on record too


async def test_the_link_token_and_the_sms_code_are_masked(
    chat: ChatDriver,
    services: Services,
    database: Database,
    outbox: EmailOutbox,
    sms: SmsOutbox,
) -> None:
    await at_code_step(chat, outbox, sms)
    token = link_in(outbox.sent[-1])
    code = sms.last_code()
    await chat.send(f"{code[:3]}000")  # a wrong code is a secret as much as the right one
    await chat.send(code)

    entries = await stored(services, database, chat.user.id)

    everything = texts(entries)
    assert token not in everything
    assert code not in everything
    # The link arrived at the wait for it: its token is masked, as every /start's (R26).
    assert f"/start {MASK} (link token)" in everything
    assert "+7 916 123-45-67" in everything  # the number is not a secret


async def test_a_reply_flagged_as_sensitive_is_stored_as_a_mask(
    chat: ChatDriver, services: Services, database: Database, bot: Bot
) -> None:
    with sensitive_reply("TOTP secret"):
        await bot.send_message(chat.user.id, "JBSWY3DPEHPK3PXP")

    entries = await stored(services, database, chat.user.id)

    assert [e.text for e in entries] == [f"{MASK} (TOTP secret)"]


async def test_buttons_contacts_and_payments_are_recorded_with_their_meaning(
    chat: ChatDriver,
    services: Services,
    database: Database,
    outbox: EmailOutbox,
    sms: SmsOutbox,
) -> None:
    replies = await at_card_step(chat, outbox, sms)
    payload = next(
        SandboxPay.unpack(d).payload for _, d in replies.inline_buttons() if d.startswith("sbx_pay")
    )
    await chat.press(SandboxPay(payload=payload).pack())
    await chat.press(ResendEmail().pack())  # a stale button: its name is still recorded

    entries = await stored(services, database, chat.user.id)

    buttons = [e.text for e in entries if e.kind == "button"]
    assert "(sbx_pay)" in buttons[0]
    assert payload not in texts(entries, Direction.IN)
    assert "(resend_email)" in buttons[1]
    assert any("[buttons: Pay 500" in e.text for e in entries if e.direction is Direction.OUT)


async def test_a_failing_log_write_never_fails_the_reply_and_is_written_later(
    chat: ChatDriver,
    services: Services,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(self: SqliteConversationLog, entries: list[LogEntry]) -> None:
        raise OSError("disk full")

    real = SqliteConversationLog.write
    monkeypatch.setattr(SqliteConversationLog, "write", broken)
    replies = await chat.send("/start")
    await services.recorder.flush()
    assert replies.mentions("work email")
    assert "conversation log not written" in caplog.text
    assert "/start" not in caplog.text

    monkeypatch.setattr(SqliteConversationLog, "write", real)
    entries = await stored(services, database, chat.user.id)
    assert [e.text for e in entries if e.direction is Direction.IN] == ["/start"]


# -- support staff --------------------------------------------------------------------


async def test_support_commands_do_not_exist_for_anyone_else(
    chat: ChatDriver, services: Services
) -> None:
    await chat.send("/start")
    for command in (f"/logs {chat.user.id}", f"/find {WORK_EMAIL}", "/stuck", "/watch 1"):
        replies = await chat.send(command)
        assert replies.texts == [
            "I do not know that command. /help shows what I can do at your step."
        ]


async def test_support_reads_a_persons_log_by_id_email_or_phone(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)
    await chat.send(sms.last_code())
    staff = chat.other_person(STAFF)

    by_id = await staff.send(f"/logs {chat.user.id} 5")
    by_email = await staff.send(f"/logs {WORK_EMAIL.upper()}")
    by_phone = await staff.send("/logs 8 916 123-45-67")

    assert by_id.mentions(f"User {chat.user.id}: the last 5 records")
    assert len(by_id.text.splitlines()) == 6
    assert by_email.mentions("→ bot", "← bot", "[text, phone: code]", "is confirmed")
    assert by_phone.text == by_email.text
    assert all(m.parse_mode is None for m in by_id.messages)  # shown as stored


async def test_a_long_log_is_split_across_messages(chat: ChatDriver, services: Services) -> None:
    await chat.send("/start")
    for n in range(40):
        await chat.send("x" * 300 + str(n))

    replies = await chat.other_person(STAFF).send(f"/logs {chat.user.id} 200")

    assert len(replies.messages) > 1
    assert all(len(m.text) <= 4096 for m in replies.messages)


async def test_support_finds_a_person_and_their_step(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)
    staff = chat.other_person(STAFF)

    found = await staff.send(f"/find {WORK_EMAIL}")
    nobody = await staff.send("/find nobody@corp.example")

    assert found.mentions(f"User {chat.user.id}", WORK_EMAIL, "Step: phone")
    assert nobody.mentions("Nobody found")


async def test_someone_mid_sign_up_is_found_by_user_id(chat: ChatDriver) -> None:
    await chat.send("/start")

    found = await chat.other_person(STAFF).send(f"/find {chat.user.id}")

    assert found.mentions("none yet (signing up)", "Step: sign-up")


async def test_stuck_lists_people_without_progress_oldest_first(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock
) -> None:
    first = chat.other_person(3101)
    await first.send("/start")
    await first.send("first@corp.example")
    await first.send(GOOD_PASSWORD)
    clock.advance(3600)
    await at_code_step(chat, outbox, sms)  # email confirmed an hour later
    clock.advance(30 * 3600)
    staff = chat.other_person(STAFF)

    stuck = await staff.send("/stuck")
    recent = await staff.send("/stuck 40")

    lines = stuck.text.splitlines()
    assert lines[0].startswith("No progress for 24 h")
    assert "first@corp.example" in lines[1]
    assert " · email · " in lines[1]
    assert WORK_EMAIL in lines[2]
    assert " · phone · " in lines[2]
    assert recent.mentions("Nobody has been stuck for 40 h")


async def test_watch_mirrors_a_persons_records_to_support_until_unwatch(
    chat: ChatDriver, services: Services, bot: Bot, session: RecordingSession
) -> None:
    staff = chat.other_person(STAFF)
    await services.watches.start(bot)
    assert (await staff.send(f"/watch {chat.user.id}")).mentions("Watching user")

    start = len(session.calls)
    await chat.send("/start")
    await settle_log(services)
    mirrored = [
        c.text for c in session.calls[start:] if isinstance(c, SendMessage) and c.chat_id == STAFF
    ]
    assert any("→ bot [command" in text and "/start" in text for text in mirrored)
    assert any("← bot [message" in text and "work email" in text for text in mirrored)

    assert (await staff.send("/unwatch")).mentions(f"Stopped watching user {chat.user.id}")
    start = len(session.calls)
    await chat.send(WORK_EMAIL)
    await settle_log(services)
    assert not [c for c in session.calls[start:] if getattr(c, "chat_id", None) == STAFF]


async def test_a_password_sent_twice_is_masked_and_deleted_both_times(
    chat: ChatDriver, services: Services, database: Database
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send(GOOD_PASSWORD)

    again = await chat.send(GOOD_PASSWORD)
    command = await chat.send("/resend")

    assert len(again.deleted) == 1
    assert command.deleted == []
    entries = await stored(services, database, chat.user.id)
    assert GOOD_PASSWORD not in texts(entries)
    assert "/resend" in texts(entries, Direction.IN)
