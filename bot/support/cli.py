"""`python -m bot logs` and `python -m bot stats`: support staff in the terminal (R18)."""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.concurrency import run_until
from bot.domain.clock import Clock, SystemClock
from bot.domain.conversation import LogEntry
from bot.domain.desk import DeskService
from bot.domain.funnel import funnel
from bot.domain.ports import ConversationLogRepository
from bot.domain.reminders import ReminderService
from bot.domain.support import SupportService
from bot.settings import Settings
from bot.support.display import FUNNEL_LABELS, as_json, duration, format_entry
from storage.backend import Backend, open_backend

EXIT_NOT_FOUND = 1  # also: the database went away while following
_RELATIVE = re.compile(r"(\d{1,6})\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`30m`, `12h`, `7d`, `2w` before `now`, or an ISO date/time (UTC unless it says
    otherwise). Anything else is refused with what is accepted (argparse prints it).
    `now` comes from the caller's `Clock`: the same span means the same moment for the
    dashboard, the terminal and their tests."""
    relative = _RELATIVE.fullmatch(text.strip().lower())
    if relative:
        unit = _UNITS[relative[2]]
        try:
            return now - timedelta(**{unit: int(relative[1])})
        except OverflowError:  # 999999w: before year 1
            raise argparse.ArgumentTypeError(f"{text!r} is too far back") from None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time: use 30m, 12h, 7d, 2w or a date such as 2026-11-01"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def since_argument(clock: Clock) -> Callable[[str], datetime]:
    """`--since` as argparse's type: a span counts back from the clock's time."""

    def since(text: str) -> datetime:
        return parse_since(text, clock.now())

    return since


def add_logs_arguments(parser: argparse.ArgumentParser, clock: Clock) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--user", type=int, help="Telegram user id")
    who.add_argument("--email", help="the account's email")
    who.add_argument("--phone", help="the account's phone number")
    parser.add_argument(
        "--since", type=since_argument(clock), help="30m, 12h, 7d, 2w, or an ISO date/time"
    )
    parser.add_argument("--limit", type=int, default=100, help="the last N records (100)")
    parser.add_argument("--follow", action="store_true", help="print new records until Ctrl-C")
    parser.add_argument("--format", choices=("text", "jsonl"), default="text")


def add_stats_arguments(parser: argparse.ArgumentParser, clock: Clock) -> None:
    parser.add_argument(
        "--since",
        type=since_argument(clock),
        help="people who first wrote since: 30m, 12h, 30d, 2w, or an ISO date",
    )


async def follow(
    log: ConversationLogRepository,
    after_id: int,
    user_id: int | None,
    write: Callable[[LogEntry], None],
    stop: asyncio.Event,
) -> None:
    """Prints records as they are written, by this process or any other instance,
    until `stop` (the log's `follow`: notifications on PostgreSQL, polling on SQLite)."""

    async def print_them() -> None:
        async for entry in log.follow(after_id, user_id):
            write(entry)

    await run_until(stop, print_them())


async def open_for_support(settings: Settings) -> Backend:
    """The databases of the running bot (only the one with the log and the accounts)."""
    url = settings.database_url.get_secret_value() if settings.database_url else None
    return await open_backend(
        database_path=settings.database_path, database_url=url, pool_size=2, sqlite_needed=False
    )


async def run_logs(settings: Settings, args: argparse.Namespace, out: Callable[[str], None]) -> int:
    backend = await open_for_support(settings)
    try:
        log = backend.conversation_log
        support = SupportService(
            store=backend.store, log=log, policy=settings.policy(), clock=SystemClock()
        )
        user_id: int | None = None
        query = args.email or args.phone or (str(args.user) if args.user is not None else None)
        if query is not None:
            people = await support.find(query)
            if len(people) != 1:
                found = ", ".join(str(p.user_id) for p in people)
                reason = "nobody matches" if not people else f"several people match ({found})"
                out(f"logs: {reason} {query}; try --user with a user id")
                return EXIT_NOT_FOUND
            user_id = people[0].user_id

        def write(entry: LogEntry) -> None:
            out(as_json(entry) if args.format == "jsonl" else format_entry(entry))

        entries = await log.latest(user_id, max(1, args.limit), since=args.since)
        for entry in entries:
            write(entry)
        if args.follow:
            last = max((e.id or 0 for e in entries), default=0)
            if last == 0:
                latest = await log.latest(None, 1)
                last = latest[0].id or 0 if latest else 0
            # Until Ctrl-C: asyncio.run cancels this, the database is closed below.
            try:
                await follow(log, last, user_id, write, asyncio.Event())
            except ConnectionError:
                out("logs: the connection to the database was lost; run the command again")
                return EXIT_NOT_FOUND
        return 0
    finally:
        await backend.close()


async def run_stats(
    settings: Settings, args: argparse.Namespace, out: Callable[[str], None]
) -> int:
    backend = await open_for_support(settings)
    try:
        support = SupportService(
            store=backend.store,
            log=backend.conversation_log,
            policy=settings.policy(),
            clock=SystemClock(),
        )
        journeys = await support.journeys(args.since)
        window = f"since {args.since:%Y-%m-%d %H:%M} UTC" if args.since else "all time"
        accounts = sum(1 for j in journeys if j.has_account)
        out(
            f"Registration funnel, people who first wrote {window}: {len(journeys)};"
            f" accounts created: {accounts}"
        )
        rows = funnel(journeys)
        width = max(len(label) for label in ("step", *FUNNEL_LABELS.values()))
        out(
            f"{'step':<{width}} {'reached':>8} {'finished':>9} {'conversion':>11}"
            f" {'median time':>12}"
        )
        for row in rows:
            conversion = "-" if row.conversion is None else f"{row.conversion:.0%}"
            label = FUNNEL_LABELS.get(row.step, row.step)
            out(
                f"{label:<{width}} {row.reached:>8} {row.finished:>9} {conversion:>11}"
                f" {duration(row.median):>12}"
            )
        desk = await DeskService(backend.store, SystemClock()).figures(args.since)
        out("")
        out(
            f"Support requests {window}: opened {desk.opened}, answered {desk.answered},"
            f" closed {desk.closed}; first answer median {duration(desk.first_answer_median)},"
            f" p90 {duration(desk.first_answer_p90)}; time to close median"
            f" {duration(desk.close_median)}"
        )
        reminders = ReminderService(
            backend.store,
            backend.conversation_log,
            settings.policy(),
            SystemClock(),
            settings.reminder_schedule(),
        )
        sent = await reminders.figures(args.since)
        out("")
        out(f"Reminders {window}:" + ("" if sent else " none sent"))
        for r in sent:
            label = FUNNEL_LABELS.get(r.step.value) or r.step.value
            out(
                f"  {label} #{r.number}: sent {r.sent}, finished within 48 h {r.recovered};"
                f" held out {r.held_out}, of whom finished within 48 h {r.held_out_recovered}"
            )
        return 0
    finally:
        await backend.close()
