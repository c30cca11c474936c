"""Issue 17 through the real `python -m bot` process, the fake Bot API server and a real
SMTP server: a mistyped email is replaced before it is confirmed (R31)."""

from __future__ import annotations

import pytest

from bot.ui.keyboards import ChangeEmail, EmailAction
from tests.e2e.conftest import BotProcess
from tests.e2e.test_polling_process import link_token
from tests.support.fake_telegram import FakeTelegram
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-42"
MISTYPED = "gleb@acme-crop.ru"
RIGHT = "gleb@acme-corp.ru"
GLEB = 601


async def test_a_mistyped_email_is_replaced_and_only_the_new_address_confirms(
    telegram: FakeTelegram, smtp: SmtpSink, bot_process: BotProcess
) -> None:
    await telegram.send_text(GLEB, "/start")
    await telegram.send_text(GLEB, MISTYPED)
    await telegram.wait_for("sendMessage", lambda p: "password" in p["text"])
    await telegram.send_text(GLEB, PASSWORD)
    mistyped = await smtp.next_email()
    assert mistyped["To"] == MISTYPED
    await telegram.wait_for("sendMessage", lambda p: "Step 1 of 3" in p["text"])

    # The right address typed while waiting is offered; "Change the email" takes it.
    mark = len(telegram.calls)
    await telegram.send_text(GLEB, RIGHT)
    await telegram.wait_for("sendMessage", lambda p: "Use this address" in p["text"], after=mark)
    mark = len(telegram.calls)
    await telegram.press(GLEB, ChangeEmail(action=EmailAction.USE_TYPED).pack())
    right = await smtp.next_email()
    await telegram.wait_for(
        "sendMessage", lambda p: f"Your email is now <b>{RIGHT}</b>" in p["text"], after=mark
    )
    assert right["To"] == RIGHT
    # The pressed message's buttons went with the press.
    await telegram.wait_for("editMessageReplyMarkup", after=mark)

    # The link sent to the mistyped address no longer works; the new one confirms.
    mark = len(telegram.calls)
    await telegram.send_text(GLEB, f"/start {link_token(mistyped)}")
    await telegram.wait_for("sendMessage", lambda p: "no longer works" in p["text"], after=mark)
    mark = len(telegram.calls)
    await telegram.send_text(GLEB, f"/start {link_token(right)}")
    await telegram.wait_for(
        "sendMessage", lambda p: f"<b>{RIGHT}</b> is confirmed" in p["text"], after=mark
    )
    await telegram.wait_for("sendMessage", lambda p: "Step 2 of 3" in p["text"], after=mark)

    # Once confirmed, the bot says where the email can be changed instead.
    mark = len(telegram.calls)
    await telegram.send_text(GLEB, "/email")
    await telegram.wait_for("sendMessage", lambda p: "account settings" in p["text"], after=mark)
    assert await bot_process.stop() == 0
