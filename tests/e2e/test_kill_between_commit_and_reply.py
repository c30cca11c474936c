"""SIGKILL in the narrowest place (R19, R25): after the bot committed a step and while
Telegram has not yet answered the message that tells the person. The fake Bot API
server holds that message unanswered, the process is killed there, and the restarted
process gets the update again: the person gets what was committed, once."""

from __future__ import annotations

import re

import pyotp
import pytest

from bot.ui.keyboards import Api, Autopay, BackupCodesSaved, GetStarted
from tests.e2e.conftest import BotProcess, Person
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink
from tests.support.two_factor import key_in

pytestmark = pytest.mark.e2e

AMOUNT = 500_00
BACKUP = re.compile(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b")


async def at_the_card(person: Person, telegram: FakeTelegram, sms: SmsSink) -> str:
    """Email and phone confirmed; returns the invoice's payload."""
    await person.reaches_the_phone_step()
    await person.says(f"+7 916 {person.id % 1000:03d}-22-33", "from the SMS sent to")
    code = sms.received[-1].code
    mark = len(telegram.calls)
    await person.says(code, "payment card")
    _, invoice = await telegram.wait_for(
        "sendInvoice", lambda p: int(p["chat_id"]) == person.id, after=mark
    )
    return str(invoice.params["payload"])


async def test_a_kill_after_the_payment_was_committed_loses_nothing_and_credits_once(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, bot_process: BotProcess
) -> None:
    person = Person(1301, telegram, smtp)
    payload = await at_the_card(person, telegram, sms_gateway)
    held = telegram.hold(
        "sendMessage",
        lambda p: int(p["chat_id"]) == person.id and "card is linked" in str(p["text"]),
    )

    await telegram.successful_payment(person.id, payload, AMOUNT, "charge-1301")
    await held.arrived.wait()  # committed, and the reply is on its way
    await bot_process.kill()
    mark = len(telegram.calls)
    await bot_process.start()

    # The payment update comes again: nothing more is credited, and the person is
    # where the committed payment put them: the autopayment offer.
    await person.reply("autopayment", after=mark)
    await telegram.press(person.id, Autopay(action="skip").pack())
    await telegram.press(person.id, GetStarted().pack())
    await person.reply("services are active", after=mark)
    balance = await person.says("/balance", "Total")
    assert "Balance: 500\u00a0₽" in balance
    assert "Total: 3,500\u00a0₽" in balance  # one payment, one bonus
    assert await bot_process.stop() == 0


async def test_a_kill_after_two_factor_was_committed_shows_the_backup_codes_again(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, bot_process: BotProcess
) -> None:
    person = Person(1302, telegram, smtp)
    payload = await at_the_card(person, telegram, sms_gateway)
    mark = len(telegram.calls)
    await telegram.successful_payment(person.id, payload, AMOUNT, "charge-1302")
    await person.reply("autopayment", after=mark)
    await telegram.press(person.id, Autopay(action="skip").pack())
    await telegram.press(person.id, GetStarted().pack())
    await person.reply("services are active", after=mark)
    mark = len(telegram.calls)
    await telegram.press(person.id, Api(action="activate").pack())
    _, photo = await telegram.wait_for("sendPhoto", after=mark)
    secret = key_in(str(photo.params["caption"]))
    await person.reply("6-digit code", after=mark)
    held = telegram.hold(
        "sendMessage",
        lambda p: int(p["chat_id"]) == person.id and "backup codes" in str(p["text"]),
    )

    await telegram.send_text(person.id, pyotp.TOTP(secret).now())
    await held.arrived.wait()  # two-factor is on and the codes are stored
    await bot_process.kill()
    mark = len(telegram.calls)
    await bot_process.start()

    # The code's update comes again: the codes that were never shown are shown now.
    shown = await person.reply("backup codes", after=mark)
    assert len(BACKUP.findall(shown)) == 10
    mark = len(telegram.calls)
    await telegram.press(person.id, BackupCodesSaved().pack())
    await person.reply("no longer keep your backup codes", after=mark)
    status = await person.says("/api_access", "API access is on")
    assert not BACKUP.findall(status)
    assert await bot_process.stop() == 0
