"""`python -m bot webhook` over HTTP on 127.0.0.1: the secret header, bad bodies, health,
and a registration served end to end through the webhook."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.ui.keyboards import Autopay, GetStarted
from tests.e2e.conftest import BotProcess, Person
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink, free_port

pytestmark = pytest.mark.e2e

WEBHOOK_SECRET = "webhook-secret-0123456789"


@pytest.fixture
async def webhook_bot(bot_process: BotProcess, telegram: FakeTelegram) -> str:
    """The polling process of the fixture, stopped and started again in webhook mode."""
    await bot_process.stop()
    port = free_port()
    bot_process.env.update(
        {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WEBHOOK_PORT": str(port),
        }
    )
    bot_process.mode = ["webhook"]
    mark = len(telegram.calls)
    await bot_process.start()
    await telegram.wait_for("setWebhook", after=mark)
    return f"http://127.0.0.1:{port}"


async def test_the_webhook_refuses_strangers_and_serves_a_registration(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    bot_process: BotProcess,
    webhook_bot: str,
    tmp_path: Path,
) -> None:
    _, set_webhook = await telegram.wait_for("setWebhook")
    assert set_webhook.params["url"] == f"{webhook_bot}/telegram/hook"
    assert set_webhook.params["secret_token"] == WEBHOOK_SECRET

    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "hi"},
    }
    assert await telegram.post_to_webhook(update, None) == 401
    assert await telegram.post_to_webhook(update, "wrong-secret-0123456789") == 401
    assert await telegram.post_to_webhook(None, WEBHOOK_SECRET, raw=b"not json") == 400
    assert await telegram.post_to_webhook({"update_id": "x"}, WEBHOOK_SECRET) == 400
    async with aiohttp.ClientSession() as session, session.get(f"{webhook_bot}/healthz") as health:
        assert health.status == 200

    # A whole registration, every update posted to the webhook and answered after it
    # was processed.
    hal = Person(901, telegram, smtp)
    await hal.reaches_the_phone_step()
    await hal.says("+7 916 111-22-33", "from the SMS sent to")
    code = (await sms_gateway.wait_for_count(1)).code
    mark = len(telegram.calls)
    await telegram.send_text(hal.id, code)
    _, invoice = await telegram.wait_for("sendInvoice", after=mark)
    payload = str(invoice.params["payload"])
    await telegram.pre_checkout(hal.id, payload, 500_00)
    mark = len(telegram.calls)
    await telegram.successful_payment(hal.id, payload, 500_00, "tg-charge-901")
    await hal.reply("card is linked", after=mark)
    mark = len(telegram.calls)
    await telegram.press(hal.id, Autopay(action="skip").pack())
    await telegram.press(hal.id, GetStarted().pack())
    await hal.reply("services are active", after=mark)
    assert set(telegram.webhook_statuses) == {200}
    assert telegram.pending == []  # nothing went through getUpdates

    assert await bot_process.stop() == 0
