"""Issue 19 through the real `python -m bot`: three people stop at three steps, time
moves on (REMINDER_AFTER_HOURS of seconds), exactly the right reminders arrive, one
person presses "Continue" and finishes, and a SIGKILL in the middle of the batch sends
nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.ui.keyboards import Autopay, GetStarted, Remind, RemindAction
from tests.e2e.conftest import PASSWORD, BotProcess, Person, bot_env
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.e2e

CONTINUE = Remind(action=RemindAction.CONTINUE).pack()
AMOUNT = 500_00
EMAIL_STEP, PHONE_STEP, CARD_STEP = 9301, 9302, 9303


def quiet_hours_away_from_now() -> str:
    """Quiet hours that are certainly not now in Moscow, whenever the test runs."""
    later = datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")) + timedelta(hours=6)
    end = later + timedelta(hours=1)
    return f"{later:%H:%M}-{end:%H:%M}"


def is_reminder(params: dict[str, Any]) -> bool:
    return CONTINUE in str(params.get("reply_markup", ""))


def reminders_to(telegram: FakeTelegram, user_id: int) -> list[str]:
    return [
        str(c.params["text"])
        for c in telegram.calls
        if c.method == "sendMessage"
        and int(c.params["chat_id"]) == user_id
        and is_reminder(c.params)
    ]


async def test_reminders_arrive_once_and_bring_a_person_back(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> None:
    env = bot_env(telegram, smtp, sms_gateway, tmp_path)
    env.update(
        {
            # About 4 s without progress; one reminder per step.
            "REMINDER_AFTER_HOURS": "0.0011",
            "REMINDER_CHECK_SECONDS": "0.5",
            "QUIET_HOURS": quiet_hours_away_from_now(),
        }
    )
    process = BotProcess(env, tmp_path)
    # The phone-step person's reminder is held on its way: the process is killed then.
    held = telegram.hold(
        "sendMessage", lambda p: int(p["chat_id"]) == PHONE_STEP and is_reminder(p)
    )
    await process.start()
    try:
        at_email = Person(EMAIL_STEP, telegram, smtp)
        await at_email.says("/start", "work email")
        await at_email.says(f"user{EMAIL_STEP}@corp.example", "password")
        await at_email.says(PASSWORD, "account has been created")
        await smtp.next_email()  # left unopened: this person stops here

        at_phone = Person(PHONE_STEP, telegram, smtp)
        await at_phone.reaches_the_phone_step()

        at_card = Person(CARD_STEP, telegram, smtp)
        await at_card.reaches_the_phone_step()
        await at_card.says("+7 916 765-43-21", "from the SMS sent to")
        code = (await sms_gateway.wait_for_count(1)).code
        await at_card.says(code, "payment card")

        await held.arrived.wait()
        await process.kill()  # the batch is under way: one sent, one held, one to go

        await process.start()
        await telegram.wait_for(
            "sendMessage", lambda p: int(p["chat_id"]) == CARD_STEP and is_reminder(p)
        )
        await telegram.wait_for(
            "sendMessage", lambda p: int(p["chat_id"]) == EMAIL_STEP and is_reminder(p)
        )

        email_reminders = reminders_to(telegram, EMAIL_STEP)
        card_reminders = reminders_to(telegram, CARD_STEP)
        assert len(email_reminders) == 1
        assert "the email is not confirmed yet" in email_reminders[0]
        assert len(card_reminders) == 1
        assert card_reminders[0].startswith(
            "Your email and phone are confirmed. 2 steps left: the payment card and the activation"
        )
        # The held one was recorded before it was sent: never sent again after the kill.
        assert reminders_to(telegram, PHONE_STEP) == []

        # The card-step person presses "Continue", pays and finishes.
        mark = len(telegram.calls)
        await telegram.press(CARD_STEP, CONTINUE)
        _, invoice = await telegram.wait_for(
            "sendInvoice", lambda p: int(p["chat_id"]) == CARD_STEP, after=mark
        )
        payload = str(invoice.params["payload"])
        query = await telegram.pre_checkout(CARD_STEP, payload, AMOUNT)
        await telegram.wait_for(
            "answerPreCheckoutQuery", lambda p: p["pre_checkout_query_id"] == query, after=mark
        )
        mark = len(telegram.calls)
        await telegram.successful_payment(CARD_STEP, payload, AMOUNT, "charge-reminded")
        await at_card.reply("card is linked", after=mark)
        mark = len(telegram.calls)
        await telegram.press(CARD_STEP, Autopay(action="skip").pack())
        await at_card.reply("Get started", after=mark)
        mark = len(telegram.calls)
        await telegram.press(CARD_STEP, GetStarted().pack())
        await at_card.reply("services are active", after=mark)
    finally:
        held.released.set()
        await process.stop()
    # Each reminder once, whatever the kill and the restart did.
    assert len(reminders_to(telegram, EMAIL_STEP)) == 1
    assert len(reminders_to(telegram, CARD_STEP)) == 1
