"""The real `python -m bot` process against a fake Bot API server and a real SMTP server."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.e2e.conftest import TOKEN, BotProcess
from tests.support.fake_telegram import FakeTelegram
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-42"
EMAIL = "dana@corp.example"
ALICE, BOB = 501, 502


def link_token(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https://t\.me/vkcloud_e2e_bot\?start=([A-Za-z0-9_-]+)", body.get_content())
    assert found, "the email carries the deep link with the bot's username from getMe"
    return found[1]


async def test_sign_up_to_the_phone_question_through_the_real_process(
    telegram: FakeTelegram, smtp: SmtpSink, bot_process: BotProcess, tmp_path: Path
) -> None:
    await telegram.send_text(ALICE, "/start")
    await telegram.wait_for("sendMessage", lambda p: "work email" in p["text"])

    await telegram.send_text(ALICE, EMAIL)
    mark, _ = await telegram.wait_for("sendMessage", lambda p: "password" in p["text"])

    password_message = await telegram.send_text(ALICE, PASSWORD)
    await telegram.wait_for(
        "deleteMessage", lambda p: int(p["message_id"]) == password_message, after=mark
    )
    first = await smtp.next_email()
    await telegram.wait_for("sendMessage", lambda p: "account has been created" in p["text"])
    assert first["From"] == "VK Cloud <noreply@mcs.mail.ru>"
    assert first["To"] == EMAIL
    assert "Complete your registration" in str(first["Subject"])
    assert PASSWORD not in first.as_string()

    # A second account on the same email is refused.
    await telegram.send_text(BOB, "/start")
    await telegram.send_text(BOB, EMAIL)
    await telegram.wait_for(
        "sendMessage", lambda p: int(p["chat_id"]) == BOB and "already exists" in p["text"]
    )

    # "Send the email again": a fresh link, and only the newest one works.
    mark = len(telegram.calls)
    await telegram.send_text(ALICE, "/resend")
    second = await smtp.next_email()
    await telegram.wait_for(
        "sendMessage", lambda p: "A new email has been sent" in p["text"], after=mark
    )
    assert link_token(second) != link_token(first)

    mark = len(telegram.calls)
    await telegram.send_text(ALICE, f"/start {link_token(first)}")
    await telegram.wait_for("sendMessage", lambda p: "no longer works" in p["text"], after=mark)

    mark = len(telegram.calls)
    last_update = await telegram.send_text(ALICE, f"/start {link_token(second)}")
    _, phone_question = await telegram.wait_for(
        "sendMessage", lambda p: "phone number" in p["text"], after=mark
    )
    assert phone_question.params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    assert any("is confirmed" in text for text in telegram.texts_to(ALICE))

    assert await bot_process.stop() == 0
    # A clean stop acknowledges everything it processed.
    assert telegram.acknowledged_below > last_update or not telegram.pending

    secrets = [PASSWORD, link_token(first), link_token(second), TOKEN.split(":")[1]]
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir())
    log = bot_process.log()
    for secret in secrets:
        assert secret.encode() not in stored
        assert secret not in log


async def test_the_process_resumes_at_the_phone_step_after_a_restart(
    telegram: FakeTelegram, smtp: SmtpSink, bot_process: BotProcess
) -> None:
    await telegram.send_text(ALICE, "/start")
    await telegram.send_text(ALICE, EMAIL)
    await telegram.send_text(ALICE, PASSWORD)
    token = link_token(await smtp.next_email())
    await telegram.send_text(ALICE, f"/start {token}")
    await telegram.wait_for("sendMessage", lambda p: "phone number" in p["text"])
    assert await bot_process.stop() == 0

    await bot_process.start()
    mark = len(telegram.calls)
    await telegram.send_text(ALICE, "/start")
    _, reply = await telegram.wait_for("sendMessage", lambda p: True, after=mark)
    assert "phone number" in reply.params["text"]
