"""Telegram's faults, injected through the fake Bot API server over real HTTP, and
handled by the one session middleware (R15)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramForbiddenError, TelegramServerError
from aiogram.types import Update

from bot.app import Services, create_dispatcher
from bot.telegram.faults import RecipientBlocked, TelegramFaultsMiddleware, TokenBucket
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from tests.support.chat import ChatDriver
from tests.support.fake_telegram import FakeTelegram

TOKEN = "4242:FAULTS-TOKEN"


class Waits:
    """Stands in for asyncio.sleep: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
async def real_bot(
    telegram: FakeTelegram, waits: Waits
) -> AsyncIterator[tuple[Bot, TelegramFaultsMiddleware]]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.url)))
    faults = TelegramFaultsMiddleware(sleep=waits, per_second=1e9, per_chat_burst=1e9)
    bot.session.middleware(faults)
    yield bot, faults
    await bot.session.close()


def sent(telegram: FakeTelegram, method: str = "sendMessage") -> list[str]:
    return [c.method for c in telegram.calls if c.method.startswith(method)]


async def test_429_is_waited_out_and_the_message_sent_once(
    telegram: FakeTelegram, real_bot: tuple[Bot, TelegramFaultsMiddleware], waits: Waits
) -> None:
    bot, _ = real_bot
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)

    await bot.send_message(7, "hello")

    assert waits.waited == [3.0]
    assert sent(telegram) == ["sendMessage!429", "sendMessage"]


async def test_5xx_is_retried_with_growing_waits_and_a_bound(
    telegram: FakeTelegram, real_bot: tuple[Bot, TelegramFaultsMiddleware], waits: Waits
) -> None:
    bot, _ = real_bot
    telegram.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    await bot.send_message(7, "eventually")
    assert waits.waited == [0.5, 1.0]

    telegram.fail_next("sendMessage", 500, "Internal Server Error", times=10)
    with pytest.raises(TelegramServerError):
        await bot.send_message(7, "never")
    assert len(sent(telegram)) == 3 + 5  # the first send, then 1 + 4 retries


async def test_harmless_bad_requests_count_as_done(
    telegram: FakeTelegram, real_bot: tuple[Bot, TelegramFaultsMiddleware]
) -> None:
    bot, _ = real_bot
    telegram.fail_next("editMessageText", 400, "Bad Request: message is not modified")
    telegram.fail_next("deleteMessage", 400, "Bad Request: message to delete not found")

    assert await bot.edit_message_text("same", chat_id=7, message_id=1) is True
    assert await bot.delete_message(7, 1) is True


async def test_a_chat_that_blocked_the_bot_gets_nothing_more_until_it_writes_again(
    telegram: FakeTelegram, real_bot: tuple[Bot, TelegramFaultsMiddleware]
) -> None:
    bot, faults = real_bot
    telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(7, "first")
    with pytest.raises(RecipientBlocked):
        await bot.send_message(7, "second")  # no request at all
    assert sent(telegram) == ["sendMessage!403"]

    faults.unblock(7)
    await bot.send_message(7, "after they wrote again")
    assert sent(telegram) == ["sendMessage!403", "sendMessage"]


async def test_a_blocked_person_causes_no_error_loop_in_the_dispatcher(
    telegram: FakeTelegram,
    real_bot: tuple[Bot, TelegramFaultsMiddleware],
    services: Services,
    database: Database,
) -> None:
    bot, faults = real_bot
    chat = ChatDriver(
        create_dispatcher(services=services, storage=SqliteStorage(database)),
        bot,
        None,  # type: ignore[arg-type]  # replies are read from the fake server
        user_id=77,
    )
    telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", times=10)

    await chat.dispatcher.feed_update(bot, chat_update(chat, "/start"))

    # One attempt for the greeting; neither the next reply nor an error message is tried.
    assert sent(telegram) == ["sendMessage!403"]
    assert 77 in faults.blocked


def chat_update(chat: ChatDriver, text: str) -> Update:
    return Update(update_id=1, message=chat.message(text=text))


def test_sending_is_paced_overall_and_per_chat() -> None:
    now = [0.0]
    overall = TokenBucket(rate=30, capacity=30, clock=lambda: now[0])
    waits = [overall.take() for _ in range(31)]
    assert waits[:30] == [0.0] * 30
    assert waits[30] == pytest.approx(1 / 30)

    chat = TokenBucket(rate=1, capacity=3, clock=lambda: now[0])
    assert [chat.take() for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    now[0] += 10
    assert chat.take() == 0.0  # refilled after a quiet while
