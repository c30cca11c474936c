"""R13 through the dispatcher: /api_access, two-factor set-up, backup codes, switching."""

from __future__ import annotations

import re

import pyotp
from aiogram.methods import DeleteMessage, SendPhoto
from aiogram.types import BufferedInputFile

from bot.app import Services
from bot.ui.keyboards import Api, BackupCodesSaved
from states import ApiAccess, Registration
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database
from tests.support.chat import ChatDriver, Replies
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import activated, at_code_step, settle_log
from tests.support.session import RecordingSession
from tests.support.two_factor import key_in

ACTIVATE = Api(action="activate").pack()
OFF = Api(action="off").pack()
RESTART = Api(action="restart").pack()


def secret_in(replies: Replies) -> tuple[SendPhoto, str]:
    [photo] = [c for c in replies.calls if isinstance(c, SendPhoto)]
    # The secret is given as text for manual entry, in groups of four.
    return photo, key_in(photo.caption or "")


def now_code(secret: str, clock: FakeClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


async def test_the_activation_message_offers_api_access(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    replies = await activated(chat, outbox, sms)
    assert replies.has_button(ACTIVATE)


async def test_api_access_before_the_end_of_registration_says_what_is_missing(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)

    replies = await chat.send("/api_access")

    assert replies.mentions("after the registration is finished", "phone confirmation")
    assert replies.mentions("from the SMS sent to")  # and resumes there


async def test_set_up_sends_a_png_qr_code_and_the_secret_then_asks_for_a_code(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await activated(chat, outbox, sms)

    replies = await chat.press(ACTIVATE)

    photo, secret = secret_in(replies)
    assert isinstance(photo.photo, BufferedInputFile)
    assert photo.photo.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert replies.mentions("6-digit code")
    assert await chat.is_in(ApiAccess.setup_code)
    assert len(secret) == 32


async def test_the_right_code_turns_everything_on_shows_backup_codes_and_deletes_the_secret(
    chat: ChatDriver,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    services: Services,
    database: Database,
    session: RecordingSession,
) -> None:
    await activated(chat, outbox, sms)
    started = await chat.press(ACTIVATE)
    photo, secret = secret_in(started)
    photo_id = session.results[session.calls.index(photo)].message_id
    malformed = await chat.send("12 34")
    code = now_code(secret, clock)

    replies = await chat.send(code)

    assert malformed.mentions("6-digit code")
    deleted = [c.message_id for c in replies.calls if isinstance(c, DeleteMessage)]
    assert deleted == [photo_id]  # the message with the secret is gone
    assert replies.mentions("backup codes", "only support can restore")
    backups = re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", replies.text)
    assert len(backups) == 10
    assert replies.mentions("API access is on", "OpenStack CLI", "kubectl")
    assert await chat.is_in(Registration.active)
    # R18: none of the secrets is in the conversation log.
    await settle_log(services)
    logged = "\n".join(e.text for e in await SqliteConversationLog(database).latest(None, 1000))
    for secret_text in [secret, code, *backups]:
        assert secret_text not in logged
    assert "(TOTP secret)" in logged
    assert "(backup codes)" in logged
    assert "(TOTP code)" in logged


async def test_a_wrong_code_counts_down_and_five_void_the_key(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock
) -> None:
    await activated(chat, outbox, sms)
    _, secret = secret_in(await chat.press(ACTIVATE))
    wrong = f"{(int(now_code(secret, clock)) + 1) % 1_000_000:06d}"

    answers = [await chat.send(wrong) for _ in range(5)]

    assert answers[0].mentions("Tries left: 4")
    assert answers[-1].mentions("no longer works")
    assert answers[-1].has_button(RESTART)
    assert any(isinstance(c, DeleteMessage) for c in answers[-1].calls)
    restarted = await chat.press(RESTART)
    _, fresh = secret_in(restarted)
    assert fresh != secret


async def test_api_access_is_switched_off_and_on_with_a_backup_code_or_a_current_code(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock
) -> None:
    await activated(chat, outbox, sms)
    _, secret = secret_in(await chat.press(ACTIVATE))
    done = await chat.send(now_code(secret, clock))
    backup = re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", done.text)[0]
    await chat.press(BackupCodesSaved().pack())  # R25: until then they come first

    status = await chat.send("/api_access")
    asked = await chat.press(OFF)
    off = await chat.send(backup)
    status_off = await chat.send("/api_access")
    await chat.press(ACTIVATE)
    clock.advance(30)
    on = await chat.send(now_code(secret, clock))

    assert status.mentions("API access is on")
    assert status.has_button(OFF)
    assert asked.mentions("backup codes")
    assert off.mentions("used a backup code", "API access is off")
    assert status_off.mentions("API access is off")
    assert on.mentions("API access is on")


async def test_a_stale_button_shows_the_current_status(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock
) -> None:
    await activated(chat, outbox, sms)
    _, secret = secret_in(await chat.press(ACTIVATE))
    await chat.send(now_code(secret, clock))
    await chat.press(BackupCodesSaved().pack())

    replies = await chat.press(RESTART)  # set-up is over

    assert replies.mentions("API access is on")
    assert not [c for c in replies.calls if isinstance(c, SendPhoto)]


async def test_cancel_during_set_up_deletes_the_message_with_the_key(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, session: RecordingSession
) -> None:
    await activated(chat, outbox, sms)
    photo, _ = secret_in(await chat.press(ACTIVATE))
    photo_id = session.results[session.calls.index(photo)].message_id

    replies = await chat.send("/cancel")

    assert [c.message_id for c in replies.calls if isinstance(c, DeleteMessage)] == [photo_id]
    assert await chat.state() is None


async def test_start_during_set_up_also_deletes_the_message_with_the_key(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, session: RecordingSession
) -> None:
    await activated(chat, outbox, sms)
    photo, _ = secret_in(await chat.press(ACTIVATE))
    photo_id = session.results[session.calls.index(photo)].message_id

    replies = await chat.send("/start")

    assert [c.message_id for c in replies.calls if isinstance(c, DeleteMessage)] == [photo_id]
    assert replies.mentions("registration is complete")


async def test_a_sticker_or_a_4096_character_text_at_the_code_step_keeps_it(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock
) -> None:
    await activated(chat, outbox, sms)
    _, secret = secret_in(await chat.press(ACTIVATE))

    sticker = await chat.send_sticker()
    long_text = await chat.send("x" * 4096)

    assert sticker.mentions("6-digit code")
    assert long_text.mentions("6-digit code")
    assert await chat.is_in(ApiAccess.setup_code)
    assert (await chat.send(now_code(secret, clock))).mentions("API access is on")
