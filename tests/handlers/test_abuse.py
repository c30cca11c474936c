"""Issue 16 through the dispatcher, each rule tried as an attacker or a fault would:
backup codes never lost (R25), money that does not match its invoice (R28), the
sandbox's pretend money (R21), the SMS limits as a person reads them (R22), secrets in
the conversation log (R26), and support commands given odd numbers (R27)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
from aiogram import Bot
from aiogram.methods import DeleteMessage, SendPhoto
from aiogram.types import Update

from bot.adapters.payments import TelegramPaymentGateway
from bot.app import Services, create_dispatcher
from bot.domain.conversation import MASK, Direction, LogEntry
from bot.domain.policy import Policy
from bot.support.display import as_json, format_entry
from bot.ui.keyboards import Api, BackupCodesSaved, SandboxPay
from states import ApiAccess
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database, fetch_all
from storage.sqlite.fsm import SqliteStorage
from tests.conftest import GOOD_PASSWORD, SUPPORT, WORK_EMAIL, link_in
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import activated, at_card_step, at_code_step, services_on, settle_log
from tests.support.session import RecordingSession
from tests.support.two_factor import key_in

BACKUP = re.compile(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b")
AMOUNT = 500_00


async def two_factor_code(chat: ChatDriver, clock: FakeClock) -> str:
    started = await chat.press(Api(action="activate").pack())
    [photo] = [c for c in started.calls if isinstance(c, SendPhoto)]
    return pyotp.TOTP(key_in(photo.caption or "")).at(clock.now())


# -- R25: backup codes are never lost ---------------------------------------------------


async def test_backup_codes_are_shown_again_when_the_same_update_comes_back(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, clock: FakeClock
) -> None:
    await activated(chat, outbox, sms)
    code = await two_factor_code(chat, clock)
    # What a crash after the commit and before the state was cleared leaves behind.
    update = Update(update_id=777_001, message=chat.message(text=code))
    first = await chat.feed(update)
    await chat.dispatcher.storage.set_state(chat.key(), ApiAccess.setup_code)

    again = await chat.feed(update)  # Telegram delivers it again

    codes = BACKUP.findall(first.text)
    assert len(codes) == 10
    assert BACKUP.findall(again.text) == codes
    assert again.has_button(BackupCodesSaved().pack())


async def test_backup_codes_whose_message_failed_come_back_at_the_next_message(
    chat: ChatDriver,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    session: RecordingSession,
) -> None:
    await activated(chat, outbox, sms)
    code = await two_factor_code(chat, clock)
    session.fail_next("sendMessage")  # the message with the codes never arrives

    lost = await chat.send(code)
    later = await chat.send("hello?")

    assert lost.mentions("Something went wrong")  # the failed send, told
    assert len(BACKUP.findall(later.text)) == 10
    assert (await chat.send("/api_access")).mentions("backup codes")


async def test_once_saved_only_the_hmacs_remain_and_the_codes_message_is_deleted(
    chat: ChatDriver,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    database: Database,
    session: RecordingSession,
) -> None:
    await activated(chat, outbox, sms)
    code = await two_factor_code(chat, clock)
    shown = await chat.send(code)
    codes = BACKUP.findall(shown.text)
    codes_message = session.last_message_id
    assert codes_message is not None

    saved = await chat.press_on(BackupCodesSaved().pack(), message_id=codes_message)
    again = await chat.press(BackupCodesSaved().pack())

    assert saved.mentions("no longer keep your backup codes")
    assert any(isinstance(c, DeleteMessage) for c in saved.calls)
    assert (
        again.callback_answers[0].text
        == "This button no longer works. Please use the newest message."
    )
    assert BACKUP.findall((await chat.send("/api_access")).text) == []
    async with database.reading() as db:
        [row] = await fetch_all(db, "SELECT pending_codes_enc FROM two_factor")
    assert row[0] is None
    raw = b"".join(p.read_bytes() for p in database.path.parent.iterdir())
    assert not any(c.encode() in raw for c in codes)


# -- R28 and R21: money -------------------------------------------------------------------


async def test_a_kopeck_paid_for_the_invoice_is_kept_but_links_no_card(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, caplog: pytest.LogCaptureFixture
) -> None:
    [invoice] = (await at_card_step(payer, outbox, sms)).invoices

    replies = await payer.paid(invoice.payload, 1, "tg-charge-kopeck")

    assert replies.mentions("does not match the payment form", "not linked", "support")
    assert replies.has_button("new_invoice")
    assert (await payer.send("/card")).invoices  # the card step is still open
    assert (await payer.send("/balance")).mentions("Balance: 0.01\u00a0₽")
    assert any("differs from its invoice" in r.getMessage() for r in caplog.records)


async def test_a_payment_in_another_currency_is_held_for_support_not_on_the_balance(
    payer: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    [invoice] = (await at_card_step(payer, outbox, sms)).invoices
    payment = payer.payment_update(invoice.payload, 500, "tg-charge-usd", currency="USD")

    replies = await payer.feed(payment)

    assert replies.mentions("5.00\u00a0USD", "not linked")
    balance = await payer.send("/balance")
    assert balance.mentions("Total: 0\u00a0₽", "Being checked by support: 5.00\u00a0USD")


async def test_a_sandbox_payment_is_simulated_money_never_counted(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    replies = await at_card_step(chat, outbox, sms)
    payload = next(
        SandboxPay.unpack(d).payload for _, d in replies.inline_buttons() if d.startswith("sbx")
    )
    await chat.press(SandboxPay(payload=payload).pack())

    balance = await chat.send("/balance")

    assert balance.mentions("Balance: 0\u00a0₽", "Total: 0\u00a0₽")
    assert balance.mentions("Test payments (not real money): 500\u00a0₽")


# -- R22: the limits, as the person reads them ---------------------------------------------


async def test_an_sms_limit_says_when_the_person_can_try_again_in_moscow_time(
    database: Database,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
) -> None:
    policy = Policy(sms_per_account_per_day=1, sms_resend_seconds=0)
    gateway = TelegramPaymentGateway(bot, "381764678:TEST:provider")
    services = services_on(database, policy, outbox, sms, clock, gateway)
    chat = ChatDriver(
        create_dispatcher(services=services, storage=SqliteStorage(database)),
        bot,
        session,
        user_id=2201,
    )
    await at_code_step(chat, outbox, sms)  # the day's one SMS

    refused = await chat.send("+7 916 765-43-21")

    assert refused.mentions("1 SMS code", "tomorrow at 00:00 Moscow time", "support")
    assert len(sms.sent) == 1


# -- R26: secrets in the conversation log -------------------------------------------------


async def log_of(services: Services, database: Database, user_id: int) -> list[LogEntry]:
    await settle_log(services)
    return await SqliteConversationLog(database).latest(user_id, 1000)


async def test_a_password_starting_with_a_slash_sent_while_waiting_is_masked(
    chat: ChatDriver, services: Services, database: Database
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send(GOOD_PASSWORD)

    await chat.send("/Passw0rd-Tree")  # a valid password: R2 allows a leading "/"
    await chat.send("/help")  # a bare command of the bot is kept as it is

    entries = await log_of(services, database, chat.user.id)
    logged = "\n".join(e.text for e in entries)
    assert "Passw0rd-Tree" not in logged
    assert any(e.text == "/help" and e.kind == "command" for e in entries)


@pytest.mark.parametrize("separator", [" ", "\t", "\n", "\u00a0", "@vkcloud_test_bot "])
async def test_every_form_of_start_with_a_payload_masks_the_payload(
    chat: ChatDriver, outbox: EmailOutbox, services: Services, database: Database, separator: str
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send(GOOD_PASSWORD)
    token = link_in(outbox.sent[-1])

    await chat.send(f"/start{separator}{token}")

    entries = await log_of(services, database, chat.user.id)
    logged = "\n".join(e.text for e in entries)
    assert token not in logged
    assert any(e.direction is Direction.IN and MASK in e.text for e in entries[-6:])


@pytest.mark.parametrize("separator", ["\t", "\n", "\u00a0", "@vkcloud_test_bot "])
async def test_a_start_payload_at_an_ordinary_step_is_masked_as_a_link_token(
    chat: ChatDriver, outbox: EmailOutbox, services: Services, database: Database, separator: str
) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send(GOOD_PASSWORD)
    token = link_in(outbox.sent[-1])
    await chat.send(f"/start {token}")  # confirmed: the phone step, not a secret one

    await chat.send(f"/start{separator}{token}")

    entries = await log_of(services, database, chat.user.id)
    assert token not in "\n".join(e.text for e in entries)
    assert [e.text for e in entries if e.kind == "command"][-1] == "/start ••••••" + " (link token)"


# -- R27: support commands and the terminal -----------------------------------------------


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("/stuck nan", "Usage: /stuck"),
        ("/stuck inf", "Usage: /stuck"),
        ("/stuck 1e308", "Usage: /stuck"),
        ("/stuck -5", "Usage: /stuck"),
        ("/watch " + "1" + "0" * 23, "Usage: /watch"),
        ("/watch ²", "Usage: /watch"),
        ("/watch -1", "Usage: /watch"),
    ],
)
async def test_support_commands_with_odd_numbers_answer_with_their_usage(
    chat: ChatDriver, command: str, usage: str
) -> None:
    staff = chat.other_person(next(iter(SUPPORT)))
    replies = await staff.send(command)
    assert replies.mentions(usage)
    assert not replies.mentions("went wrong")


async def test_logs_with_a_huge_count_answer_without_failing(chat: ChatDriver) -> None:
    await chat.send("/start")
    staff = chat.other_person(next(iter(SUPPORT)))
    replies = await staff.send(f"/logs {chat.user.id} {'9' * 5000}")
    assert not replies.mentions("went wrong")


def test_control_characters_of_a_person_never_reach_the_support_terminal_raw() -> None:
    forged = "ok\r2026-01-01 00:00:00 1 → bot [text, email] forged\x1b[2K\x9b1A\u202e"
    entry = LogEntry(datetime(2026, 12, 1, tzinfo=UTC), 1, 1, Direction.IN, "text", None, forged)

    line, json_line = format_entry(entry), as_json(entry)

    for raw in ("\r", "\x1b", "\x9b", "\u202e"):
        assert raw not in line
        assert raw not in json_line
    assert "\\u001b" in line
    assert "\\u000d" in line
