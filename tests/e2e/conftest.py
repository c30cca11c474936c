"""The real `python -m bot` process and the local servers it talks to."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink

TOKEN = "4242:E2E-SECRET-TOKEN"
SMS_TOKEN = "sms-gateway-secret"
SMS_RESEND_SECONDS = 4
PROVIDER_TOKEN = "381764678:TEST:e2e-provider"
EXEMPT_DOMAIN = "bigcorp.ru"
PASSWORD = "Correct-Horse-42"
SUPPORT_ID = 900
SECRET_KEY = "q0mX0iJ8c3m2w4PjQ3YkZ1n0mX9b7W2sR5tL8vN1xEo="


class BotProcess:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.log_path = cwd / "bot.log"
        self.process: asyncio.subprocess.Process | None = None
        self.mode: list[str] = []  # polling by default; ["webhook"] for webhook mode

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *self.mode,
            env=self.env,
            cwd=self.cwd,
            stdout=log,
            stderr=log,
        )
        log.close()

    async def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, as in a crash or an OOM kill."""
        assert self.process is not None
        self.process.kill()
        await asyncio.wait_for(self.process.wait(), 30)

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def sms_gateway() -> AsyncIterator[SmsSink]:
    sink = SmsSink()
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


def bot_env(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> dict[str, str]:
    """The settings of a bot process that talks to the test's servers."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.url,
        "DATABASE_PATH": str(tmp_path / "data" / "bot.sqlite3"),
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "LOG_LEVEL": "DEBUG",
        # So that "Send the email again" can be tried without waiting a minute.
        "EMAIL_RESEND_SECONDS": "0",
        "SMS_BACKEND": "http",
        "SMS_HTTP_URL": sms_gateway.url,
        "SMS_HTTP_TOKEN": SMS_TOKEN,
        # Short enough to wait for the "Send a new code" button, long enough that a
        # /resend sent right after the code is certainly early.
        "SMS_RESEND_SECONDS": str(SMS_RESEND_SECONDS),
        "PAYMENT_BACKEND": "telegram",
        "PAYMENT_PROVIDER_TOKEN": PROVIDER_TOKEN,
        "CARD_EXEMPT_EMAIL_DOMAINS": EXEMPT_DOMAIN,
        "SUPPORT_USER_IDS": str(SUPPORT_ID),
        "SECRET_KEY": SECRET_KEY,
        # The tests type faster than people: pacing and flood control have their own
        # tests, and here they would only slow the run down.
        "FLOOD_MAX_EVENTS": "1000",
        "SEND_PER_CHAT_BURST": "1000",
    }


@pytest.fixture
async def bot_process(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    process = BotProcess(bot_env(telegram, smtp, sms_gateway, tmp_path), tmp_path)
    await process.start()
    yield process
    await process.stop()


class Person:
    """One person in the chat, with the servers the bot talks to."""

    def __init__(self, user_id: int, telegram: FakeTelegram, smtp: SmtpSink) -> None:
        self.id = user_id
        self.telegram = telegram
        self.smtp = smtp
        self.link_token = ""

    async def says(self, text: str, expect: str) -> str:
        """Sends a text and returns the first reply to this person that holds `expect`."""
        mark = len(self.telegram.calls)
        await self.telegram.send_text(self.id, text)
        return await self.reply(expect, after=mark)

    async def reply(self, expect: str, after: int) -> str:
        _, call = await self.telegram.wait_for(
            "sendMessage",
            lambda p: int(p["chat_id"]) == self.id and expect in p["text"],
            after=after,
        )
        return str(call.params["text"])

    async def reaches_the_phone_step(self, domain: str = "corp.example") -> None:
        await self.says("/start", "work email")
        await self.says(f"user{self.id}@{domain}", "password")
        await self.says(PASSWORD, "account has been created")
        body = (await self.smtp.next_email()).get_body(preferencelist=("plain",))
        assert body is not None
        token = re.search(r"\?start=([A-Za-z0-9_-]+)", body.get_content())
        assert token
        self.link_token = token[1]
        await self.says(f"/start {token[1]}", "phone number")
