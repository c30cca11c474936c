"""What one more person costs the process in memory: `python -m benchmarks.per_person_memory`.

Distinct people each send one message (/start), through the flood gate and the
dispatcher as polling feeds them, `--concurrency` at a time, on the real SQLite file,
FSM storage, conversation log and per-person locks. The resident memory is printed
after the first `--first` people and again after `--people`, once the garbage
collector has run: what stays is what the bot keeps per person (issue 16 asks for
less than 50 MB more after 100,000 people than after 1,000).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import Chat, Message, Update, User

from benchmarks.registration import KEY, EmailSink, FastHasher, LocalSession, Sinks, SmsSink
from bot.adapters.crypto import FernetSecretBox
from bot.adapters.payments import SandboxPaymentGateway
from bot.app import build_services, create_dispatcher, instrument_bot, settle_memory
from bot.domain.policy import Policy
from bot.runtime import event_loop
from bot.telegram.faults import TelegramFaultsMiddleware
from bot.telegram.flood import FloodGate
from bot.telegram.isolation import PersonLocks
from storage.backend import sqlite_store
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage

_ids = itertools.count(1)


def rss_mb() -> float:
    """The resident set now (not the peak), from /proc."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def update_from(user_id: int) -> Update:
    user = User(id=user_id, is_bot=False, first_name="P", language_code="en")
    message = Message(
        message_id=next(_ids),
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=user,
        text="/start",
    )
    return Update(update_id=next(_ids), message=message)


async def measure(first: int, people: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = await Database.open(Path(folder) / "memory.sqlite3")
        sinks = Sinks()
        session = LocalSession()
        bot = Bot(
            "42:MEMORY", session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
        )
        log = SqliteConversationLog(database)
        services = build_services(
            store=sqlite_store(database),
            policy=Policy(),
            hasher=FastHasher(),
            email_sender=EmailSink(sinks),
            sms_sender=SmsSink(sinks),
            payment_gateway=SandboxPaymentGateway(bot),
            conversation_log=log,
            secret_box=FernetSecretBox(KEY),
            email_from="noreply@mcs.mail.ru",
            bot_username="vkcloud_memory_bot",
            # As the bot runs against Telegram: the pacing's per-chat buckets are part
            # of what one person costs.
            telegram_faults=TelegramFaultsMiddleware(
                per_second=1e12, per_chat_burst=5, per_chat_per_second=1
            ),
            flood_gate=FloodGate(),
        )
        instrument_bot(bot, services)
        locks = PersonLocks()
        dispatcher = create_dispatcher(
            services=services, storage=SqliteStorage(database), events_isolation=locks
        )
        settle_memory()
        stop = asyncio.Event()
        writer = asyncio.create_task(services.recorder.run(stop))
        gate = services.flood_gate
        next_user = iter(range(10_000_000, 10_000_000 + people))

        async def one_place(count: int) -> None:
            for _ in range(count):
                user_id = next(next_user, None)
                if user_id is None:
                    return
                update = update_from(user_id)
                if gate.admit(update, bot):
                    await dispatcher.feed_update(bot, update)

        async def until(total: int, done: int) -> None:
            share = -(-(total - done) // concurrency)
            await asyncio.gather(*(one_place(share) for _ in range(concurrency)))
            await services.recorder.flush()
            gc.collect()

        started = time.perf_counter()
        await until(first, 0)
        after_first = rss_mb()
        print(f"after {first:>7} people: RSS {after_first:7.1f} MB", flush=True)
        await until(people, first)
        after_all = rss_mb()
        elapsed = time.perf_counter() - started
        print(f"after {people:>7} people: RSS {after_all:7.1f} MB", flush=True)
        print(
            f"locks held {locks.held}, flood gate remembers {gate.people},"
            f" pacing buckets {len(services.telegram_faults._chats)}"
        )
        stop.set()
        await writer
        await database.close()
        print(
            f"RESULT first={first} people={people} rss_first_mb={after_first:.1f}"
            f" rss_all_mb={after_all:.1f} growth_mb={after_all - after_first:.1f}"
            f" seconds={elapsed:.0f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.per_person_memory")
    parser.add_argument("--first", type=int, default=1_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args(argv)
    event_loop.run(measure(args.first, args.people, args.concurrency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
