"""Replies while a batch of reminders drains: `python -m benchmarks.reminder_batch`.

N people stopped at the phone step a day ago (rows written straight into a fresh
SQLite file). The reminders job sends to them through the production send pacing
(TelegramFaultsMiddleware, SEND_PER_SECOND=30) and a Bot session that answers after a
simulated Telegram round trip, while --writers people write to the bot (/status once a
second each, with the think time jittered) through Dispatcher.feed_update. The time
from an update to the end of its handling (its reply sent) is a reply's latency.

Three runs of --seconds each: without a batch (the baseline), with the batch sent at a
lower priority (R39, `background_turn`), and with the batch sent like a reply
(--no-priority, what R39 prevents). The last line is `RESULT key=value ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.methods import GetMe, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, Update, User

from benchmarks.registration import BOT_USER, KEY, FastHasher, LocalSession, pct
from bot.adapters.crypto import FernetSecretBox
from bot.adapters.payments import SandboxPaymentGateway
from bot.app import build_services, create_dispatcher, instrument_bot
from bot.domain.policy import Policy
from bot.domain.reminders import ReminderSchedule
from bot.jobs.reminders import ReminderJob
from bot.telegram.faults import TelegramFaultsMiddleware
from bot.telegram.flood import FloodGate
from storage.backend import sqlite_store
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from storage.sqlite.timefmt import to_db

HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"


class SlowTelegram(LocalSession):
    """The registration benchmark's local Telegram, answering after `round_trip`
    seconds as Telegram over the network, and counting the messages to each chat."""

    def __init__(self, round_trip: float) -> None:
        super().__init__()
        self._round_trip = round_trip
        self.sent_to: dict[int, int] = {}

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if not isinstance(method, GetMe):
            await asyncio.sleep(self._round_trip)
        if isinstance(method, SendMessage):
            chat_id = int(method.chat_id)
            self.sent_to[chat_id] = self.sent_to.get(chat_id, 0) + 1
        return await super().make_request(bot, method, timeout)


async def stopped_people(database: Database, count: int, at: datetime) -> None:
    rows = [
        (
            1_000_000 + n,
            f"stopped{n}@corp.example",
            f"stopped{n}@corp.example",
            HASH,
            to_db(at),
            to_db(at),
        )
        for n in range(count)
    ]
    async with database.transaction() as connection:
        await connection.executemany(
            "INSERT INTO accounts (telegram_user_id, email, email_key, password_hash,"
            " created_at, email_confirmed_at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )


async def one_run(args: argparse.Namespace, batch: bool, priority: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = await Database.open(Path(folder) / "bench.sqlite3")
        try:
            now = datetime.now(UTC)
            await stopped_people(database, args.people if batch else 0, now - timedelta(hours=30))
            session = SlowTelegram(args.round_trip_ms / 1000)
            bot = Bot(f"{BOT_USER.id}:BENCH", session=session)
            faults = TelegramFaultsMiddleware(per_second=30)
            services = build_services(
                store=sqlite_store(database),
                policy=Policy(),
                hasher=FastHasher(),
                email_sender=_Nowhere(),
                sms_sender=_Nowhere(),
                payment_gateway=SandboxPaymentGateway(bot),
                conversation_log=SqliteConversationLog(database),
                secret_box=FernetSecretBox(KEY),
                email_from="noreply@mcs.mail.ru",
                bot_username="bench_bot",
                telegram_faults=faults,
                flood_gate=FloodGate(max_events=10**9),
                reminder_schedule=ReminderSchedule(quiet=None),
            )
            instrument_bot(bot, services)
            dispatcher = create_dispatcher(services=services, storage=SqliteStorage(database))
            if not priority:
                faults.background_turn = _at_once  # type: ignore[method-assign]
            job = ReminderJob(
                services.reminders,
                services.preferences,
                faults,
                check_seconds=1,
                support_contact="support@mcs.mail.ru",
            )
            end = asyncio.Event()
            recorder = asyncio.create_task(services.recorder.run(end))
            draining = asyncio.create_task(job.run(bot, end))
            latencies: list[float] = []
            rng = random.Random(7)  # noqa: S311 (think times, not secrets)
            ids = itertools.count(1)

            async def writer(user_id: int) -> None:
                user = User(id=user_id, is_bot=False, first_name="W", language_code="en")
                chat = Chat(id=user_id, type="private")
                deadline = time.monotonic() + args.seconds
                while time.monotonic() < deadline:
                    message = Message(
                        message_id=next(ids),
                        date=datetime.now(UTC),
                        chat=chat,
                        from_user=user,
                        text="/status",
                    )
                    started = time.perf_counter()
                    await dispatcher.feed_update(bot, Update(update_id=next(ids), message=message))
                    latencies.append(time.perf_counter() - started)
                    await asyncio.sleep(rng.uniform(0.5, 1.5))

            await asyncio.gather(*(writer(500 + n) for n in range(args.writers)))
            end.set()
            await draining
            await recorder
            reminders = sum(n for chat, n in session.sent_to.items() if chat >= 1_000_000)
            return {
                "replies": len(latencies),
                "p50_ms": statistics.median(latencies) * 1000,
                "p99_ms": pct(latencies, 99) * 1000,
                "max_ms": max(latencies) * 1000,
                "reminders": reminders,
                "reminders_per_s": reminders / args.seconds,
            }
        finally:
            await database.close()


async def _at_once() -> None:
    return None


class _Nowhere:
    async def send(self, message: object) -> None:
        return None


async def main(args: argparse.Namespace) -> None:
    runs = {
        "alone": await one_run(args, batch=False, priority=True),
        "batch": await one_run(args, batch=True, priority=True),
        "batch_no_priority": await one_run(args, batch=True, priority=False),
    }
    for name, figures in runs.items():
        shown = " ".join(f"{k}={v:.1f}" for k, v in figures.items())
        print(f"{name}: {shown}", file=sys.stderr)
    result = " ".join(
        f"{name}_{key}={value:.1f}"
        for name, figures in runs.items()
        for key, value in figures.items()
        if key in {"p50_ms", "p99_ms", "reminders_per_s", "reminders"}
    )
    print(f"RESULT people={args.people} writers={args.writers} seconds={args.seconds} {result}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--people", type=int, default=10_000, help="reminders due at once")
    parser.add_argument("--writers", type=int, default=20, help="people writing meanwhile")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run")
    parser.add_argument("--round-trip-ms", type=float, default=30.0, help="Telegram's answer time")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
