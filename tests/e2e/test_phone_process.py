"""Phone confirmation through the real process: fake Bot API, real SMTP, HTTP SMS sink."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.ui.keyboards import ResendSms
from tests.e2e.conftest import PASSWORD, SMS_TOKEN, BotProcess, Person
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.e2e

NUMBER = "+79161234567"


async def test_the_phone_step_through_the_real_process(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    bot_process: BotProcess,
    tmp_path: Path,
) -> None:
    ann, ben, cat, dan = (Person(i, telegram, smtp) for i in (601, 602, 603, 604))
    for person in (ann, ben, cat, dan):
        await person.reaches_the_phone_step()

    # Refused numbers: a reply with the reason each, and no SMS.
    for typed, reason in [
        ("+7 701 123 4567", "Kazakhstan"),
        ("+49 151 23456789", "support"),
        ("+7 495 123-45-67", "landline"),
        ("8 800 555-35-35", "toll-free"),
        ("not a number", "not a phone number"),
    ]:
        await ann.says(typed, reason)
    mark = len(telegram.calls)
    await telegram.send_contact(ann.id, "79161234567", owner=999)
    await ann.reply("someone else's contact", after=mark)
    assert sms_gateway.received == []

    # Accepted forms: one SMS each, to the E.164 number, with the gateway's token.
    await ann.says("+7 916 123-45-67", "from the SMS sent to")
    first = await sms_gateway.wait_for_count(1)
    assert (first.phone, first.authorization) == (NUMBER, f"Bearer {SMS_TOKEN}")
    await ann.says(first.code, "is confirmed")

    mark = len(telegram.calls)
    await telegram.send_contact(ben.id, "79161234567")  # Telegram's form: no "+"
    await ben.reply("from the SMS sent to", after=mark)
    second = await sms_gateway.wait_for_count(2)
    assert second.phone == NUMBER
    await ben.says(second.code, "payment card")

    # R7: the number is confirmed on two accounts; a third gets no SMS for it.
    await cat.says("8 (916) 123-45-67", "already confirmed on 2 accounts")
    assert len(sms_gateway.received) == 2
    await cat.says("9161234500", "from the SMS sent to")
    assert (await sms_gateway.wait_for_count(3)).phone == "+79161234500"

    # R8: /resend before the delay is refused with the seconds left; once the delay
    # has passed, the question is edited to show the button, and /resend works.
    assert "You can ask for a new one in" in await cat.says("/resend", "a moment ago")
    await telegram.wait_for(
        "editMessageText",
        lambda p: int(p["chat_id"]) == cat.id and ResendSms().pack() in str(p["reply_markup"]),
    )
    await cat.says("/resend", "from the SMS sent to")
    resent = await sms_gateway.wait_for_count(4)
    assert resent.phone == "+79161234500"
    await cat.says(resent.code, "is confirmed")

    # A gateway error is told with a retry and sends nothing; the retry works.
    sms_gateway.status = 503
    await dan.says("8 (916) 555-44-33", "could not be sent")
    await sms_gateway.wait_for_failures(1)
    sms_gateway.status = 200
    await dan.says("8 (916) 555-44-33", "from the SMS sent to")
    code = await sms_gateway.wait_for_count(5)
    assert code.phone == "+79165554433"

    # Five wrong codes void the code: the right one no longer confirms.
    wrong = f"{(int(code.code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        await dan.says(wrong, f"Tries left: {left}")
    await dan.says(wrong, "no longer works")
    await dan.says(code.code, "no longer works")

    assert await bot_process.stop() == 0
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir())
    log = bot_process.log()
    for secret in [sms.code for sms in sms_gateway.received] + [SMS_TOKEN, PASSWORD]:
        assert secret.encode() not in stored
        assert secret not in log


async def test_a_kill_at_the_code_step_loses_nothing(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    bot_process: BotProcess,
    tmp_path: Path,
) -> None:
    eve = Person(701, telegram, smtp)
    await eve.reaches_the_phone_step()
    await eve.says("+7 916 123-45-67", "from the SMS sent to")
    await sms_gateway.wait_for_count(1)

    await bot_process.kill()  # between sending the code and entering it
    await bot_process.start()

    prompt = await eve.says("/start", "from the SMS sent to")
    assert "+7 916 123-45-67" in prompt
    # If the number's update was not yet acknowledged, it came again: at worst one SMS
    # more, and then the newest code is the one that works.
    await eve.says(sms_gateway.received[-1].code, "payment card")
    assert await bot_process.stop() == 0

    with sqlite3.connect(tmp_path / "data" / "bot.sqlite3") as db:
        row = db.execute(
            "SELECT email, phone, phone_confirmed_at IS NOT NULL FROM accounts"
        ).fetchone()
    assert row == ("user701@corp.example", NUMBER, 1)
