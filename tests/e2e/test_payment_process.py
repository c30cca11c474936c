"""The card, autopayment and activation through the real process, with Telegram Payments
against the fake Bot API server (PAYMENT_BACKEND=telegram)."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

import pyotp
import pytest

from bot.ui.keyboards import Api, Autopay, BackupCodesSaved, GetStarted
from tests.e2e.conftest import (
    EXEMPT_DOMAIN,
    PASSWORD,
    PROVIDER_TOKEN,
    SECRET_KEY,
    SMS_TOKEN,
    SUPPORT_ID,
    TOKEN,
    BotProcess,
    Person,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink
from tests.support.two_factor import key_in

pytestmark = pytest.mark.e2e

AMOUNT = 500_00


async def answer_to(telegram: FakeTelegram, query_id: str) -> dict[str, object]:
    _, call = await telegram.wait_for(
        "answerPreCheckoutQuery", lambda p: p["pre_checkout_query_id"] == query_id
    )
    return call.params


async def test_from_the_invoice_to_the_bonus_through_the_real_process(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    bot_process: BotProcess,
    tmp_path: Path,
) -> None:
    fay = Person(801, telegram, smtp)
    await fay.reaches_the_phone_step()
    await fay.says("+7 916 123-45-67", "from the SMS sent to")
    code = (await sms_gateway.wait_for_count(1)).code

    mark = len(telegram.calls)
    intro = await fay.says(code, "payment card")
    assert "is not refunded" in intro
    _, invoice = await telegram.wait_for("sendInvoice", after=mark)
    assert invoice.params["currency"] == "RUB"
    assert invoice.params["provider_token"] == PROVIDER_TOKEN
    assert [int(p["amount"]) for p in invoice.params["prices"]] == [AMOUNT]
    payload = str(invoice.params["payload"])

    # Forged and wrong-amount pre-checkouts are declined; the real one is approved.
    forged = await answer_to(telegram, await telegram.pre_checkout(fay.id, "forged", AMOUNT))
    wrong = await answer_to(telegram, await telegram.pre_checkout(fay.id, payload, 1_00))
    real = await answer_to(telegram, await telegram.pre_checkout(fay.id, payload, AMOUNT))
    assert str(forged["ok"]).lower() == "false"
    assert str(wrong["ok"]).lower() == "false"
    assert "does not match" in str(wrong["error_message"])
    assert str(real["ok"]).lower() == "true"

    mark = len(telegram.calls)
    await telegram.successful_payment(fay.id, payload, AMOUNT, "tg-charge-801")
    await fay.reply("card is linked", after=mark)
    # The same payment delivered again credits nothing.
    await telegram.successful_payment(fay.id, payload, AMOUNT, "tg-charge-801")

    # Autopayment: set up with both numbers, then saved.
    mark = len(telegram.calls)
    await telegram.press(fay.id, Autopay(action="setup").pack())
    await fay.reply("Top-up amount", after=mark)
    await fay.says("2 000 ₽", "Minimum balance")
    await fay.says("500", "Save?")
    mark = len(telegram.calls)
    await telegram.press(fay.id, Autopay(action="save").pack())
    await fay.reply("Get started", after=mark)

    mark = len(telegram.calls)
    await telegram.press(fay.id, GetStarted().pack())
    activated = await fay.reply("services are active", after=mark)
    assert "3,000 bonus points" in activated
    mark = len(telegram.calls)
    await telegram.press(fay.id, GetStarted().pack())  # a second press
    await telegram.wait_for("answerCallbackQuery", after=mark)

    balance = await fay.says("/balance", "Total")
    assert "Balance: 500\u00a0₽" in balance
    assert "Bonus points: 3,000" in balance
    assert "Total: 3,500\u00a0₽" in balance
    autopay = await fay.says("/autopay", "Autopayment is on")
    assert "2,000\u00a0₽" in autopay
    assert "500\u00a0₽" in autopay

    # An exempt corporate domain is activated with no invoice at all.
    gil = Person(802, telegram, smtp)
    await gil.reaches_the_phone_step(domain=EXEMPT_DOMAIN)
    await gil.says("+7 916 765-43-21", "from the SMS sent to")
    gil_code = (await sms_gateway.wait_for_count(2)).code
    await gil.says(gil_code, "not required")
    mark = len(telegram.calls)
    await telegram.press(gil.id, GetStarted().pack())
    gil_activated = await gil.reply("services are active", after=mark)
    assert "Total: 3,000\u00a0₽" in gil_activated
    assert not any(
        c.method == "sendInvoice" and int(c.params["chat_id"]) == gil.id for c in telegram.calls
    )

    # R13: API access behind two-factor authentication, from the activation message.
    mark = len(telegram.calls)
    await telegram.press(fay.id, Api(action="activate").pack())
    _, photo = await telegram.wait_for("sendPhoto", after=mark)
    assert bytes(photo.params["photo"]).startswith(b"\x89PNG")
    totp_secret = key_in(str(photo.params["caption"]))  # for manual entry
    await fay.reply("6-digit code", after=mark)
    mark = len(telegram.calls)
    await telegram.send_text(fay.id, pyotp.TOTP(totp_secret).now())
    backup = await fay.reply("backup codes", after=mark)
    backup_codes = re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", backup)
    assert len(backup_codes) == 10
    await fay.reply("API access is on", after=mark)
    await telegram.wait_for("deleteMessage", after=mark)
    mark = len(telegram.calls)
    await telegram.press(fay.id, BackupCodesSaved().pack())
    await fay.reply("no longer keep your backup codes", after=mark)

    # R18: support staff read the conversation in Telegram; nobody else can.
    staff = Person(SUPPORT_ID, telegram, smtp)
    read = await staff.says(f"/logs {fay.id} 200", "→ bot")
    assert "user801@corp.example" in read
    refused = await gil.says(f"/logs {fay.id}", "I do not know that command")
    assert "user801" not in refused

    assert await bot_process.stop() == 0
    log = bot_process.log()
    assert PROVIDER_TOKEN not in log
    assert payload not in log

    # And in the terminal, as JSON lines, both ways, with nothing secret in them.
    export = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "logs",
        "--user",
        str(fay.id),
        "--format",
        "jsonl",
        env=bot_process.env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await asyncio.wait_for(export.communicate(), 120)
    assert export.returncode == 0
    exported = stdout.decode()
    rows = [json.loads(line) for line in exported.splitlines()]
    assert {r["direction"] for r in rows} == {"in", "out"}
    assert any(r["text"] == "user801@corp.example" for r in rows)
    assert any("services are active" in r["text"] for r in rows)
    # R26: a DEBUG run (bot_env) of a whole registration: not one secret in its log.
    assert "executing" not in log  # aiosqlite's statement lines, with their parameters
    secrets = [
        PASSWORD,
        code,
        fay.link_token,
        TOKEN.split(":")[1],
        PROVIDER_TOKEN,
        SMS_TOKEN,
        SECRET_KEY,
        totp_secret,
        *backup_codes,
    ]
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir())
    for secret in secrets:
        assert secret not in exported
        assert secret not in log
        assert secret.encode() not in stored
