"""/status (R16): the three confirmation steps with done / current / to do, then the
current step's question again (R12)."""

from __future__ import annotations

from aiogram import Bot

from bot.domain.policy import Policy
from states import Registration
from storage.sqlite.database import Database
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.journey import at_code_step, at_phone_step, chat_on
from tests.support.session import RecordingSession


async def test_status_before_anything_points_to_start(chat: ChatDriver) -> None:
    replies = await chat.send("/status")

    assert replies.mentions("not created an account", "/start")
    assert await chat.state() is None


async def test_status_during_sign_up_keeps_the_question_that_was_asked(chat: ChatDriver) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)

    replies = await chat.send("/status")

    assert replies.mentions("creating an account")
    assert await chat.is_in(Registration.password)
    assert await chat.data() == {"email": WORK_EMAIL}


async def test_status_at_the_email_step(chat: ChatDriver) -> None:
    await chat.send("/start")
    await chat.send(WORK_EMAIL)
    await chat.send(GOOD_PASSWORD)

    replies = await chat.send("/status")

    assert replies.texts[0].splitlines()[1:] == [
        f"▶️ 1. Email: current step ({WORK_EMAIL})",
        "⬜ 2. Phone: to do",
        "⬜ 3. Payment card: to do",
    ]
    assert replies.mentions("confirm your email")
    assert replies.inline_buttons()


async def test_status_at_the_code_step_then_asks_for_the_code(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)

    replies = await chat.send("/status")

    assert replies.texts[0].splitlines()[1:] == [
        f"✅ 1. Email: done ({WORK_EMAIL})",
        "▶️ 2. Phone: current step",
        "⬜ 3. Payment card: to do",
    ]
    assert replies.mentions("from the SMS sent to")
    assert await chat.is_in(Registration.sms_code)
    assert len(sms.sent) == 1


async def test_status_after_the_phone_shows_it_done(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)
    await chat.send(sms.last_code())

    replies = await chat.send("/status")

    assert replies.texts[0].splitlines()[1:] == [
        f"✅ 1. Email: done ({WORK_EMAIL})",
        "✅ 2. Phone: done (+7 916 123-45-67)",
        "▶️ 3. Payment card: current step",
    ]


async def test_status_in_russian_for_an_exempt_domain(
    outbox: EmailOutbox,
    sms: SmsOutbox,
    database: Database,
    bot: Bot,
    session: RecordingSession,
    clock: FakeClock,
) -> None:
    exempt = Policy(card_exempt_email_domains=frozenset({"bigcorp.ru"}))
    chat = chat_on(
        database, exempt, outbox, sms, clock, bot, session, user_id=1600, language_code="ru"
    )
    await at_phone_step(chat, outbox, email="cto@bigcorp.ru")

    replies = await chat.send("/status")

    assert replies.texts[0].splitlines() == [
        "Ваша регистрация:",
        "✅ 1. Почта: готово (cto@bigcorp.ru)",
        "▶️ 2. Телефон: текущий шаг",
        "➖ 3. Платёжная карта: для вашего аккаунта не нужна",
    ]
