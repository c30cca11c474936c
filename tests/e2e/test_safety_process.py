"""Issue 16 against the real process: no fakes in production without saying so (R21),
a damaged database at start (R27), and what a stranger can send to the webhook (R27)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.conftest import SECRET_KEY, TOKEN, BotProcess, bot_env
from tests.e2e.test_command_line import run_bot
from tests.storage.test_startup_check import a_file_with_a_damaged_page
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink, free_port

pytestmark = pytest.mark.e2e

WEBHOOK_SECRET = "webhook-secret-0123456789"


@pytest.mark.parametrize("mode", [[], ["webhook"]])
def test_production_refuses_the_test_backends_in_one_line(tmp_path: Path, mode: list[str]) -> None:
    result = run_bot(
        mode,
        tmp_path,
        BOT_TOKEN=TOKEN,
        SECRET_KEY=SECRET_KEY,
        WEBHOOK_URL="https://bot.example/hook",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
    )

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    for named in ("EMAIL_BACKEND=console", "SMS_BACKEND=console", "PAYMENT_BACKEND=sandbox"):
        assert named in line
    assert "ALLOW_TEST_BACKENDS=true" in line


async def test_allowed_test_backends_say_so_at_start_and_in_the_health_check(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> None:
    port = free_port()
    env = bot_env(telegram, smtp, sms_gateway, tmp_path)
    env.update(
        {
            "EMAIL_BACKEND": "console",
            "PAYMENT_BACKEND": "sandbox",
            "ALLOW_TEST_BACKENDS": "true",
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WEBHOOK_PORT": str(port),
        }
    )
    process = BotProcess(env, tmp_path)
    process.mode = ["webhook"]
    await process.start()
    try:
        await telegram.wait_for("setWebhook")
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as health,
        ):
            body = await health.json()
        assert health.status == 200
        assert "EMAIL_BACKEND=console" in body["warning"]
        assert "PAYMENT_BACKEND=sandbox" in body["warning"]
    finally:
        assert await process.stop() == 0
    warnings = [line for line in process.log().splitlines() if "test backends in use" in line]
    assert len(warnings) == 1
    assert "WARNING" in warnings[0]


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 40, b"SQLite format 3\x00" + b"\xff" * 200, None],
    ids=["garbage", "truncated", "a page damaged behind a sound header"],
)
async def test_a_damaged_database_at_start_exits_at_once_with_one_line(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    tmp_path: Path,
    content: bytes | None,
) -> None:
    env = bot_env(telegram, smtp, sms_gateway, tmp_path)
    database = Path(env["DATABASE_PATH"])
    if content is None:
        database.parent.mkdir(parents=True)
        a_file_with_a_damaged_page(database)
    else:
        damage(database, content)
    process = BotProcess(env, tmp_path)
    started = time.monotonic()

    await process.start()
    assert process.process is not None
    code = await asyncio.wait_for(process.process.wait(), 30)

    assert code == 1
    assert time.monotonic() - started < 5 + 3  # the interpreter's own start included
    lines = [line for line in process.log().splitlines() if line.strip()]
    [line] = [line for line in lines if "database error" in line]
    assert str(database) in line
    assert "python -m bot check" in line
    assert "Traceback" not in process.log()

    check = run_bot(["check"], tmp_path, DATABASE_PATH=str(database))
    assert check.returncode == 1
    assert "not a usable SQLite database" in check.stdout
    assert "Traceback" not in check.stdout + check.stderr


def damage(database: Path, content: bytes) -> None:
    database.parent.mkdir(parents=True)
    database.write_bytes(content)


async def raw_post(port: int, headers: bytes, body: bytes) -> int:
    """An HTTP request written byte by byte: headers no HTTP client would send."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        b"POST /telegram/hook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + headers
        + b"Content-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_the_webhook_answers_odd_requests_with_401_or_400_never_500(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> None:
    port = free_port()
    env = bot_env(telegram, smtp, sms_gateway, tmp_path)
    env.update(
        {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WEBHOOK_PORT": str(port),
        }
    )
    process = BotProcess(env, tmp_path)
    process.mode = ["webhook"]
    await process.start()
    secret = f"X-Telegram-Bot-Api-Secret-Token: {WEBHOOK_SECRET}\r\n".encode()
    try:
        await telegram.wait_for("setWebhook")
        update = json.dumps({"update_id": 1}).encode()
        nested = b"[" * 100_000 + b"]" * 100_000
        deep_update = b'{"update_id": 2, "message": ' + b'{"a":' * 5000 + b"1" + b"}" * 5001

        not_utf8 = await raw_post(port, b"X-Telegram-Bot-Api-Secret-Token: \xff\xfe\r\n", update)
        no_secret = await raw_post(port, b"", update)
        too_deep = await raw_post(port, secret, nested)
        deep_message = await raw_post(port, secret, deep_update)

        assert not_utf8 == 401
        assert no_secret == 401
        assert too_deep == 400
        assert deep_message == 400
    finally:
        assert await process.stop() == 0
    assert "Traceback" not in process.log()
