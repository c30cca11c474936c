"""R20 with the real process: one person's flood of 300 messages never slows the 20
people who write right after it, in polling and behind the webhook. Flood control and
the pace of sending are at their defaults here (other e2e tests turn them off)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import BotProcess, bot_env
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink, free_port

pytestmark = pytest.mark.e2e

FLOODER = 7000
OTHERS = range(7001, 7021)
WITHIN_SECONDS = 2.0


def realistic(env: dict[str, str]) -> dict[str, str]:
    """Flood control and per-chat pacing as they are by default."""
    for name in ("FLOOD_MAX_EVENTS", "SEND_PER_CHAT_BURST"):
        env.pop(name, None)
    return env


async def answered_within(
    telegram: FakeTelegram, sent_at: dict[int, float], after: int
) -> dict[int, float]:
    """How long each person waited for the email question (their /start's answer)."""
    waits: dict[int, float] = {}
    for user_id, sent in sent_at.items():
        _, call = await telegram.wait_for(
            "sendMessage",
            lambda p, u=user_id: int(p["chat_id"]) == u and "work email" in p["text"],  # type: ignore[misc]
            after=after,
            timeout=30,
        )
        waits[user_id] = call.at - sent
    return waits


async def flood_then_others(telegram: FakeTelegram, *, at_once: bool) -> dict[int, float]:
    mark = len(telegram.calls)
    flood = [telegram.send_text(FLOODER, f"spam {n}") for n in range(300)]
    if at_once:
        await asyncio.gather(*flood)
    else:
        for push in flood:
            await push
    sent_at = dict.fromkeys(OTHERS, time.monotonic())
    pushes = [asyncio.create_task(telegram.send_text(u, "/start")) for u in OTHERS]
    waits = await answered_within(telegram, sent_at, mark)
    await asyncio.gather(*pushes)
    return waits


async def test_a_flood_in_polling_never_slows_the_people_after_it(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> None:
    process = BotProcess(realistic(bot_env(telegram, smtp, sms_gateway, tmp_path)), tmp_path)
    await process.start()
    try:
        await telegram.wait_for("deleteWebhook")  # it polls next

        waits = await flood_then_others(telegram, at_once=False)

        assert max(waits.values()) < WITHIN_SECONDS, waits
        notices = [t for t in telegram.texts_to(FLOODER) if "very fast" in t]
        assert len(notices) == 1
        # The excess was acknowledged without being handled: nothing is left pending.
        assert len(telegram.texts_to(FLOODER)) <= 10
    finally:
        assert await process.stop() == 0
    assert telegram.pending == [] or telegram.acknowledged_below > 300


async def test_a_flood_behind_the_webhook_never_slows_the_people_after_it(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> None:
    port = free_port()
    env = realistic(bot_env(telegram, smtp, sms_gateway, tmp_path))
    env.update(
        {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
            "WEBHOOK_SECRET": "webhook-secret-0123456789",
            "WEBHOOK_PORT": str(port),
        }
    )
    process = BotProcess(env, tmp_path)
    process.mode = ["webhook"]
    await process.start()
    try:
        await telegram.wait_for("setWebhook")

        waits = await flood_then_others(telegram, at_once=True)

        assert max(waits.values()) < WITHIN_SECONDS, waits
        assert set(telegram.webhook_statuses) == {200}  # the excess too, at once
        assert len([t for t in telegram.texts_to(FLOODER) if "very fast" in t]) == 1
    finally:
        assert await process.stop() == 0
