"""Reminders, the person's side and the job (issue 19, R38-R40): the text and its two
buttons, /reminders, a 403 and a 429, and a batch that waits for replies."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage

from bot.app import Services
from bot.jobs.reminders import ReminderJob
from bot.telegram.faults import TelegramFaultsMiddleware
from bot.ui.keyboards import Remind, RemindAction
from bot.ui.texts import texts_for
from states import Registration
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import at_code_step, at_phone_step, settle_log
from tests.support.session import BOT_USER, RecordingSession

CONTINUE = Remind(action=RemindAction.CONTINUE).pack()
OFF = Remind(action=RemindAction.OFF).pack()
HOUR = 3600
en, ru = texts_for("en"), texts_for("ru")


def job(services: Services) -> ReminderJob:
    return ReminderJob(
        services.reminders,
        services.preferences,
        services.telegram_faults,
        check_seconds=60,
        support_contact="support@mcs.mail.ru",
    )


def a_day_later(clock: FakeClock, services: Services) -> None:
    clock.advance(25 * HOUR)
    while services.reminders.schedule.is_quiet(clock.now()):
        clock.advance(HOUR)


def reminders_to(session: RecordingSession, user_id: int) -> list[SendMessage]:
    return [
        c
        for c in session.calls
        if isinstance(c, SendMessage)
        and c.chat_id == user_id
        and c.reply_markup is not None
        and CONTINUE in str(c.reply_markup)
    ]


async def test_a_person_at_the_phone_step_is_told_what_is_done_and_what_is_left(
    chat: ChatDriver,
    services: Services,
    outbox: EmailOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
) -> None:
    await at_phone_step(chat, outbox)
    a_day_later(clock, services)

    assert await job(services).run_once(bot) == 1
    assert await job(services).run_once(bot) == 0  # once

    (reminder,) = reminders_to(session, chat.user.id)
    assert reminder.text == (
        "Your email is confirmed. 3 steps left: the phone confirmation, the payment card"
        " and the activation, about 5 minutes. Press “Continue” to carry on where you"
        " stopped."
    )
    await settle_log(services)
    recent = await services.support.recent(chat.user.id, 3)
    assert any(e.direction.value == "out" and "Continue" in e.text for e in recent) or any(
        "3 steps left" in e.text for e in recent
    )


async def test_continue_takes_the_person_back_to_their_step(
    chat: ChatDriver,
    services: Services,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
) -> None:
    await at_code_step(chat, outbox, sms)
    a_day_later(clock, services)
    await job(services).run_once(bot)

    replies = await chat.press(CONTINUE)

    assert await chat.is_in(Registration.sms_code) or await chat.is_in(Registration.phone)
    assert replies.messages  # the step's own question, with what it needs


async def test_continue_at_the_email_step_sends_a_fresh_link(
    chat: ChatDriver, services: Services, outbox: EmailOutbox, clock: FakeClock, bot: Bot
) -> None:
    await chat.send("/start")
    await chat.send("alice@corp.example")
    await chat.send("Alice-Strong-7")
    a_day_later(clock, services)
    await job(services).run_once(bot)
    sent_before = len(outbox.sent)

    await chat.press(CONTINUE)

    assert len(outbox.sent) == sent_before + 1
    assert await chat.is_in(Registration.awaiting_email_link)


async def test_dont_remind_me_and_the_command_turn_them_off_and_on(
    chat: ChatDriver, services: Services, outbox: EmailOutbox, clock: FakeClock, bot: Bot
) -> None:
    await at_phone_step(chat, outbox)

    off = await chat.press(OFF)
    assert off.text == en("reminders.off")
    a_day_later(clock, services)
    assert await job(services).run_once(bot) == 0

    assert (await chat.send("/reminders")).text == en("reminders.status_off")
    assert (await chat.send("/reminders on")).text == en("reminders.on")
    assert (await chat.send("/reminders maybe")).text == en("reminders.usage")
    assert await job(services).run_once(bot) == 1


async def test_help_names_the_reminders_command(chat: ChatDriver) -> None:
    await chat.send("/start")
    assert (await chat.send("/help")).mentions("/reminders")


async def test_a_person_who_blocked_the_bot_gets_no_more_reminders(
    chat: ChatDriver,
    services: Services,
    outbox: EmailOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
) -> None:
    await at_phone_step(chat, outbox)
    a_day_later(clock, services)
    session.block(chat.user.id)

    assert await job(services).run_once(bot) == 0
    clock.advance(72 * HOUR)
    while services.reminders.schedule.is_quiet(clock.now()):
        clock.advance(HOUR)
    assert await services.reminders.due() == []


async def test_a_429_is_tried_again_later_not_dropped(
    chat: ChatDriver, services: Services, outbox: EmailOutbox, clock: FakeClock
) -> None:
    await at_phone_step(chat, outbox)
    a_day_later(clock, services)
    # A bot without the faults middleware: the 429 reaches the job at once.
    session = RecordingSession()
    plain = Bot(f"{BOT_USER.id}:TEST", session=session)
    session.too_many_next("sendMessage")

    assert await job(services).run_once(plain) == 0
    assert await job(services).run_once(plain) == 0  # not yet
    clock.advance(600)
    assert await job(services).run_once(plain) == 1
    assert await job(services).run_once(plain) == 0
    # The try that met the 429, and the one that went.
    assert len(reminders_to(session, chat.user.id)) == 2


async def test_a_russian_speaker_gets_the_reminder_in_russian(
    chat: ChatDriver,
    services: Services,
    outbox: EmailOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
) -> None:
    await at_phone_step(chat, outbox)
    await services.preferences.choose_language(chat.user.id, "ru")
    a_day_later(clock, services)

    await job(services).run_once(bot)

    (reminder,) = reminders_to(session, chat.user.id)
    assert reminder.text.startswith(
        "Почта подтверждена. Осталось: подтверждение телефона, платёжная карта и активация"
        " (3 шага), это займёт 5 минут."
    )


@pytest.mark.parametrize("replies_in_flight", [0, 30])
async def test_a_background_send_waits_while_replies_use_the_budget(
    replies_in_flight: int,
) -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    faults = TelegramFaultsMiddleware(per_second=30, sleep=sleep, clock=lambda: now[0])
    for _ in range(replies_in_flight):
        await faults._pace(None)  # the replies of people who are writing

    await asyncio.wait_for(faults.background_turn(), 5)

    if replies_in_flight:
        assert sum(slept) >= 0.5  # waited until half the budget was back
    else:
        assert slept == []
