"""The whole registration under load: `python -m benchmarks.registration`.

N simulated people go from /start to /balance (email, password, link, phone, code,
payment, skip autopay, get started) through Dispatcher.feed_update, with a Bot session
that answers locally, the real SQLite storage in a temp folder, the real conversation
log, in-memory email/SMS/payment sinks, and argon2id with the production parameters
(or a trivial hash with --hasher fast). C of them are registering at any moment.

Three runs, each with a fresh database:
1. flat out: each person sends the next update the moment the reply comes. This gives
   the capacity, `updates_per_s`. Its latencies are queueing: with C updates always in
   flight, Little's law makes them C / throughput whatever the bot does.
2. the same flat-out flow with aiogram's MemoryStorage and no conversation log (the
   Bot session's other middlewares, pacing and metrics, as in the stored run): the
   baseline of `ratio_vs_memory`.
3. at a person's pace: before each update a person waits a think time (uniform
   between 0.5 and 1.5 times --think-ms, 2 s by default; seeded), and the C places
   open at random moments over the first registration's time (ramp-up). This gives
   what people feel: the latency percentiles and the event loop's worst stall in the
   RESULT line.
The last line is `RESULT key=value ...`.

Each run shows its progress on stderr (people done of N, updates per second so far,
elapsed and estimated time left; one line per run when stderr is not a terminal).
`--max-seconds` bounds the whole command (600 s by default), shared out between the
runs still to do: a run that reaches its share stops, and the RESULT line then says
`complete=false`, with the figures measured so far. `--pairs N` alternates N stored
and memory flat-out runs and gives the median of their ratios as `ratio_vs_memory`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import random
import re
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import asyncpg
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.methods import GetMe, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update, User
from tqdm import tqdm

from bot.adapters.crypto import FernetSecretBox
from bot.adapters.hashing import Argon2idHasher
from bot.adapters.payments import SandboxPaymentGateway
from bot.app import (
    Services,
    build_services,
    create_dispatcher,
    instrument_bot,
    redis_client,
    redis_key_builder,
    settle_memory,
)
from bot.domain.conversation import LogEntry
from bot.domain.policy import Policy
from bot.domain.ports import ConversationLogRepository, OutgoingEmail, OutgoingSms, Store
from bot.runtime import event_loop
from bot.telegram.faults import TelegramFaultsMiddleware
from bot.telegram.flood import FloodGate
from storage.backend import postgres_store, sqlite_store
from storage.postgres.conversation_log import PgConversationLog
from storage.postgres.database import PgDatabase
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage

BOT_USER = User(id=42, is_bot=True, first_name="Bench", username="vkcloud_bench_bot")
KEY = "q0mX0iJ8c3m2w4PjQ3YkZ1n0mX9b7W2sR5tL8vN1xEo="
PASSWORD = "Bench-Mark-42"  # noqa: S105 - the simulated people's password
UPDATES_PER_PERSON = 10
_LINK = re.compile(r"\?start=([A-Za-z0-9_-]+)")
_CODE = re.compile(r"\b(\d{6})\b")


class LocalSession(BaseSession):
    """Answers like Telegram, keeps only what the simulated people need (the sandbox
    payment button of each chat)."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self.payloads: dict[int, str] = {}

    async def close(self) -> None:
        return None

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if isinstance(method, GetMe):
            return cast(TelegramType, BOT_USER)
        if isinstance(method, SendMessage):
            chat_id = int(method.chat_id)
            markup = method.reply_markup
            if isinstance(markup, InlineKeyboardMarkup):
                for row in markup.inline_keyboard:
                    for button in row:
                        if (button.callback_data or "").startswith("sbx_pay:"):
                            self.payloads[chat_id] = button.callback_data or ""
            return cast(
                TelegramType,
                Message(
                    message_id=next(self._ids),
                    date=datetime.now(UTC),
                    chat=Chat(id=chat_id, type="private"),
                    text=method.text,
                ),
            )
        return cast(TelegramType, True)


class Sinks:
    def __init__(self) -> None:
        self.links: dict[str, str] = {}
        self.codes: dict[str, str] = {}

    async def send_email(self, email: OutgoingEmail) -> None:
        found = _LINK.search(email.text)
        assert found
        self.links[email.to] = found[1]

    async def send_sms(self, sms: OutgoingSms) -> None:
        found = _CODE.search(sms.text)
        assert found
        self.codes[sms.phone] = found[1]


class EmailSink:
    def __init__(self, sinks: Sinks) -> None:
        self.send = sinks.send_email


class SmsSink:
    def __init__(self, sinks: Sinks) -> None:
        self.send = sinks.send_sms


class FastHasher:
    """Not a password hash: for measuring everything but argon2id."""

    async def hash(self, password: str) -> str:
        return "$argon2id$fast$" + hashlib.sha256(password.encode()).hexdigest()

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == await self.hash(password)


class NullLog(SqliteConversationLog):
    async def write(self, entries: list[LogEntry]) -> None:
        return None


_ids = itertools.count(1)


class Person:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, user_id: int, pace: Pace) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.user = User(id=user_id, is_bot=False, first_name="P", language_code="en")
        self.chat = Chat(id=user_id, type="private")
        self.pace = pace

    def _message(self, text: str) -> Message:
        return Message(
            message_id=next(_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            text=text,
        )

    async def send(self, text: str) -> float:
        return await self._feed(Update(update_id=next(_ids), message=self._message(text)))

    async def press(self, data: str) -> float:
        query = CallbackQuery(
            id=str(next(_ids)),
            from_user=self.user,
            chat_instance="b",
            message=self._message("x"),
            data=data,
        )
        return await self._feed(Update(update_id=next(_ids), callback_query=query))

    async def _feed(self, update: Update) -> float:
        await self.pace.think()
        started = time.perf_counter()
        await self.dispatcher.feed_update(self.bot, update)
        return (time.perf_counter() - started) * 1000


class Pace:
    """How long a person takes before each update: nothing (flat out) or a think time
    around `think_ms`. Before the first one too, so that the people who begin at the
    same moment do not all press /start in the same millisecond."""

    def __init__(self, think_ms: float, rng: random.Random) -> None:
        self._think_s = think_ms / 1000
        self._rng = rng

    async def think(self) -> None:
        if self._think_s:
            await asyncio.sleep(self._think_s * self._rng.uniform(0.5, 1.5))


async def journey(
    person: Person, sinks: Sinks, session: LocalSession, lat: dict[str, list[float]]
) -> None:
    """One whole registration, each update's latency recorded (password apart)."""
    uid = person.user.id
    email = f"p{uid}@corp.example"
    phone = f"+7916{uid % 10_000_000:07d}"
    other = lat["other"]
    other.append(await person.send("/start"))
    other.append(await person.send(email))
    lat["password"].append(await person.send(PASSWORD))
    other.append(await person.send(f"/start {sinks.links[email]}"))
    other.append(await person.send(phone))
    other.append(await person.send(sinks.codes[phone]))
    other.append(await person.press(session.payloads[uid]))
    other.append(await person.press("autopay:skip"))
    other.append(await person.press("get_started"))
    other.append(await person.send("/balance"))


class Ticker:
    """Measures how late the event loop wakes a 10 ms timer: its worst stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, time.perf_counter() - started - 0.01)

    def __enter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def preload(database: Database, count: int) -> None:
    """`count` finished accounts, written straight to the tables."""
    now = "2026-01-01T00:00:00.000000Z"
    rows = [
        (
            10_000_000 + n,
            f"old{n}@corp.example",
            f"old{n}@corp.example",
            "$argon2id$pre",
            now,
            now,
            f"+7926{n:07d}",
            now,
            now,
            now,
        )
        for n in range(count)
    ]
    async with database.transaction() as db:
        await db.executemany(
            "INSERT INTO accounts (telegram_user_id, email, email_key, password_hash, created_at,"
            " email_confirmed_at, phone, phone_confirmed_at, card_linked_at, activated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


@dataclass
class Engines:
    """Where the run keeps its data: the SQLite file, or PostgreSQL and Redis as
    several instances of the bot do (issue 9)."""

    store: Store
    log: ConversationLogRepository
    fsm: BaseStorage
    isolation: BaseEventIsolation | None
    size: Callable[[], Awaitable[int]]


@asynccontextmanager
async def engines(
    folder: Path,
    *,
    persistent: bool,
    preloaded: int,
    database_url: str | None,
    redis_url: str | None,
) -> AsyncIterator[Engines]:
    if persistent and database_url is not None and redis_url is not None:
        async with _postgres_and_redis(database_url, redis_url) as cluster:
            yield cluster
        return
    database = await Database.open(folder / "bench.sqlite3")
    try:
        if preloaded:
            await preload(database, preloaded)

        async def size() -> int:
            return await asyncio.to_thread(_folder_size, folder)

        yield Engines(
            store=sqlite_store(database),
            log=SqliteConversationLog(database) if persistent else NullLog(database),
            fsm=SqliteStorage(database) if persistent else MemoryStorage(),
            isolation=None,
            size=size,
        )
    finally:
        await database.close()


@asynccontextmanager
async def _postgres_and_redis(database_url: str, redis_url: str) -> AsyncIterator[Engines]:
    """A schema of its own in the PostgreSQL database and a key prefix of its own in
    Redis, both removed afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    prefix = f"bench-{schema}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    redis = redis_client(redis_url, 50)
    postgres = await PgDatabase.open(database_url, server_settings={"search_path": schema})
    try:
        key_builder = redis_key_builder(prefix)

        async def size() -> int:
            total = await admin.fetchval(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = $1 AND c.relkind = 'r'",
                schema,
            )
            return int(total or 0)

        yield Engines(
            store=postgres_store(postgres),
            log=PgConversationLog(postgres),
            fsm=RedisStorage(redis, key_builder=key_builder),
            isolation=RedisEventIsolation(redis, key_builder=key_builder),
            size=size,
        )
    finally:
        await postgres.close()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
        keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
        await redis.aclose()


async def run(
    people: int,
    concurrency: int,
    hasher_name: str,
    *,
    persistent: bool,
    preloaded: int,
    seed: int,
    think_ms: float = 0,
    database_url: str | None = None,
    redis_url: str | None = None,
    name: str = "run",
    budget_s: float = float("inf"),
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        async with engines(
            Path(folder),
            persistent=persistent,
            preloaded=preloaded,
            database_url=database_url,
            redis_url=redis_url,
        ) as where:
            sinks = Sinks()
            session = LocalSession()
            bot = Bot(
                "42:BENCH", session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
            )
            hasher = Argon2idHasher() if hasher_name == "argon2id" else FastHasher()
            services: Services = build_services(
                store=where.store,
                # The cluster-wide SMS budget (R22, 1,000 an hour) guards the SMS bill,
                # not this machine: 2000 people in minutes would meet it at person 1001.
                policy=Policy(sms_per_hour=10**9),
                hasher=hasher,
                email_sender=EmailSink(sinks),
                sms_sender=SmsSink(sinks),
                payment_gateway=SandboxPaymentGateway(bot),
                conversation_log=where.log,
                secret_box=FernetSecretBox(KEY),
                email_from="noreply@mcs.mail.ru",
                bot_username="vkcloud_bench_bot",
                # Pacing and flood control guard Telegram and people; neither is here.
                telegram_faults=TelegramFaultsMiddleware(
                    per_second=1e12, per_chat_burst=1e12, per_chat_per_second=1e12
                ),
                flood_gate=FloodGate(max_events=10**9),
            )
            # Both runs send through the bot's own session middlewares (pacing, the
            # payments' metrics); only the stored run records the conversation log:
            # persistence is what the two differ in (issue 21).
            instrument_bot(bot, services, record=persistent)
            dispatcher = create_dispatcher(
                services=services, storage=where.fsm, events_isolation=where.isolation
            )
            settle_memory()  # as the bot's start-up does
            stop = asyncio.Event()
            writer = asyncio.create_task(services.recorder.run(stop))
            latencies: dict[str, list[float]] = {"password": [], "other": []}
            ids = list(range(1, people + 1))
            random.Random(seed).shuffle(ids)  # noqa: S311 - an order, not a secret
            waiting = iter(ids)
            ramp = random.Random(seed + 1)  # noqa: S311

            async def place(ramp_up_s: float) -> None:
                """One of the `concurrency` places: a person registers, the next one
                takes the place. At a person's pace each place opens after a random
                part of one registration's time, so the people are spread over it
                from the start instead of moving in step as one crowd (load testers'
                ramp-up)."""
                await asyncio.sleep(ramp_up_s)
                for uid in waiting:
                    pace = Pace(think_ms, random.Random(seed * 1_000_003 + uid))  # noqa: S311
                    person = Person(dispatcher, bot, 1_000 + uid, pace)
                    await journey(person, sinks, session, latencies)
                    progress.done()

            one_registration_s = UPDATES_PER_PERSON * think_ms / 1000
            progress = Progress(name, people, latencies)
            with Ticker() as ticker:
                started = time.perf_counter()
                places = [
                    asyncio.create_task(place(ramp.uniform(0, one_registration_s)))
                    for _ in range(concurrency)
                ]
                finished, cut = await asyncio.wait(
                    places, timeout=None if budget_s == float("inf") else max(0.0, budget_s)
                )
                for task in cut:  # the time is up: the people in the middle stop there
                    task.cancel()
                await asyncio.gather(*places, return_exceptions=True)
                for task in finished:
                    task.result()  # a failure of the bot is the benchmark's failure
                elapsed = time.perf_counter() - started
                progress.close(elapsed, complete=not cut)
            stop.set()
            await writer
            size = await where.size()
            updates = len(latencies["password"]) + len(latencies["other"])
            return {
                "complete": not cut,
                "people_done": progress.people_done,
                "updates": updates,
                "seconds": elapsed,
                "updates_per_s": updates / elapsed,
                "latency": latencies,
                "loop_stall_ms": ticker.worst * 1000,
                "db_bytes_per_account": size / people,
            }


class Progress:
    """People done of N, updates per second so far, elapsed and time left, on stderr:
    a bar on a terminal (tqdm), else one line when the run ends."""

    def __init__(self, name: str, people: int, latencies: dict[str, list[float]]) -> None:
        self.people_done = 0
        self._people = people
        self._name = name
        self._latencies = latencies
        self._terminal = sys.stderr.isatty()
        self._bar = tqdm(
            total=people, desc=name, unit="people", file=sys.stderr, disable=not self._terminal
        )
        self._started = time.perf_counter()

    def _updates(self) -> int:
        return sum(len(values) for values in self._latencies.values())

    def done(self) -> None:
        self.people_done += 1
        if self._terminal:
            elapsed = max(time.perf_counter() - self._started, 1e-9)
            self._bar.set_postfix(updates_per_s=f"{self._updates() / elapsed:.0f}")
            self._bar.update(1)

    def close(self, elapsed: float, *, complete: bool) -> None:
        self._bar.close()
        rate = self._updates() / max(elapsed, 1e-9)
        ending = "" if complete else " (stopped: --max-seconds reached)"
        print(
            f"{self._name}: {self.people_done} of {self._people} people in {elapsed:.0f} s,"
            f" {rate:.0f} updates/s{ending}",
            file=sys.stderr,
        )


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir())


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")  # a run stopped before this kind of update came
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.registration")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hasher", choices=("argon2id", "fast"), default="argon2id")
    parser.add_argument("--accounts-preloaded", type=int, default=0)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=2000,
        help="a person's mean think time before each update in the paced run",
    )
    parser.add_argument(
        "--database-url",
        help="with --redis-url: the runs with storage on PostgreSQL and Redis, as several"
        " instances keep it (a schema of its own, dropped afterwards)",
    )
    parser.add_argument("--redis-url", help="with --database-url (a key prefix of its own)")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=600,
        help="the whole command's time limit (600): a run that reaches its share stops,"
        " and RESULT says complete=false",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        help="alternating stored and memory flat-out runs; ratio_vs_memory is their"
        " pairs' median ratio",
    )
    args = parser.parse_args(argv)
    if args.max_seconds <= 0 or args.pairs < 1:
        parser.error("--max-seconds must be above 0 and --pairs at least 1")
    if (args.database_url is None) != (args.redis_url is None):
        parser.error("--database-url and --redis-url go together")
    if args.database_url is not None and args.accounts_preloaded:
        parser.error("--accounts-preloaded is for the SQLite file")
    where = "SQLite" if args.database_url is None else "PostgreSQL + Redis"

    deadline = time.monotonic() + args.max_seconds
    runs_left = [2 * args.pairs + 1]

    def measure(persistent: bool, think_ms: float, name: str) -> dict[str, Any]:
        # Each run still to do gets an equal share of the time left.
        budget = max(0.0, deadline - time.monotonic()) / runs_left[0]
        runs_left[0] -= 1
        # On the event loop the bot runs on (uvloop where installed).
        return event_loop.run(
            run(
                args.people,
                args.concurrency,
                args.hasher,
                persistent=persistent,
                preloaded=args.accounts_preloaded,
                seed=args.seed,
                think_ms=think_ms,
                database_url=args.database_url,
                redis_url=args.redis_url,
                name=name,
                budget_s=budget,
            )
        )

    pairs = []
    for n in range(1, args.pairs + 1):
        suffix = f" {n}/{args.pairs}" if args.pairs > 1 else ""
        stored = measure(persistent=True, think_ms=0, name=f"flat out{suffix}")
        memory = measure(persistent=False, think_ms=0, name=f"memory{suffix}")
        pairs.append((stored, memory))
    flat_out, baseline = pairs[0]
    paced = measure(persistent=True, think_ms=args.think_ms, name="paced")
    complete = all(r["complete"] for pair in pairs for r in pair) and paced["complete"]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"people={args.people} concurrency={args.concurrency} hasher={args.hasher}"
        f" preloaded={args.accounts_preloaded} think_ms={args.think_ms:g}"
    )
    runs = (
        (f"flat out, {where} + log", flat_out),
        ("flat out, memory, no log", baseline),
        (f"paced ({args.think_ms:g} ms), {where} + log", paced),
    )
    for name, result in runs:
        print(
            f"{name:<32}: {result['updates']} updates in {result['seconds']:.2f} s"
            f" = {result['updates_per_s']:.0f}/s; worst loop stall"
            f" {result['loop_stall_ms']:.1f} ms"
        )
        for kind in ("other", "password"):
            values = result["latency"][kind]
            print(
                f"    latency {kind:<8} p50 {pct(values, 50):8.1f} ms"
                f"  p95 {pct(values, 95):8.1f} ms  p99 {pct(values, 99):8.1f} ms"
                f"  mean {statistics.fmean(values) if values else float('nan'):8.1f} ms"
            )
    print(f"peak RSS {rss_mb:.0f} MB")
    print(f"database bytes per completed account {flat_out['db_bytes_per_account']:.0f}")
    ratios = [s["updates_per_s"] / m["updates_per_s"] for s, m in pairs if m["updates_per_s"]]
    ratio = statistics.median(ratios) if ratios else float("nan")
    if len(pairs) > 1:
        print("ratio_vs_memory per pair: " + " ".join(f"{r:.3f}" for r in ratios))
    other, password = paced["latency"]["other"], paced["latency"]["password"]
    stall = max(flat_out["loop_stall_ms"], paced["loop_stall_ms"])
    print(
        "RESULT"
        f" updates_per_s={flat_out['updates_per_s']:.1f}"
        f" ratio_vs_memory={ratio:.3f}"
        f" p50_ms_other={pct(other, 50):.2f}"
        f" p95_ms_other={pct(other, 95):.2f}"
        f" p99_ms_other={pct(other, 99):.2f}"
        f" p99_ms_password={pct(password, 99):.2f}"
        f" loop_stall_ms={stall:.1f}"
        f" rss_mb={rss_mb:.0f}"
        f" db_bytes_per_account={flat_out['db_bytes_per_account']:.0f}"
        f" paced_updates_per_s={paced['updates_per_s']:.1f}"
        f" think_ms={args.think_ms:g}"
        f" hasher={args.hasher}"
        f" storage={'sqlite' if args.database_url is None else 'postgresql+redis'}"
        f" pairs={args.pairs}"
        f" complete={'true' if complete else 'false'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
