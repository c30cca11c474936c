"""The conversation log on a real file, and the terminal commands that read it."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Services
from bot.domain.conversation import Direction, LogEntry
from bot.domain.funnel import PASSWORD_STATE, FirstSeen
from bot.jobs.log_retention import keep_log_pruned
from bot.support.cli import follow, run_logs, run_stats
from storage.backend import Backend
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database
from tests.conftest import GOOD_PASSWORD, link_in
from tests.storage.conftest import settings_of
from tests.support.fakes import EmailOutbox, FakeClock

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def entry(
    user_id: int, text: str, at: datetime = NOW, direction: Direction = Direction.IN
) -> LogEntry:
    return LogEntry(at, user_id, user_id, direction, "text", "Registration:email", text)


def logs_args(**overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "user": None,
        "email": None,
        "phone": None,
        "since": None,
        "limit": 100,
        "follow": False,
        "format": "text",
    }
    values.update(overrides)
    return argparse.Namespace(**values)


async def test_follow_sees_a_record_written_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    reader_db, writer_db = await Database.open(path), await Database.open(path)
    try:
        reader = SqliteConversationLog(reader_db, poll_seconds=0.01)
        writer = SqliteConversationLog(writer_db)
        await writer.write([entry(7, "before")])
        seen: list[str] = []
        arrived = asyncio.Event()
        stop = asyncio.Event()

        def write(e: LogEntry) -> None:
            seen.append(e.text)
            if e.text == "from another process":
                arrived.set()

        following = asyncio.create_task(follow(reader, 1, 7, write, stop))
        await writer.write([entry(8, "someone else"), entry(7, "from another process")])
        await asyncio.wait_for(arrived.wait(), 10)
        stop.set()
        await following

        assert seen == ["from another process"]  # only newer, only this person
    finally:
        await reader_db.close()
        await writer_db.close()


async def test_logs_prints_json_lines_with_the_fixed_keys(
    services: Services, outbox: EmailOutbox, backend: Backend, tmp_path: Path
) -> None:
    await services.signup.create_account(5, "jo@corp.example", GOOD_PASSWORD, "en")
    log = backend.conversation_log
    await log.write([entry(5, "jo@corp.example"), entry(5, "Привет", direction=Direction.OUT)])
    settings = settings_of(backend)
    out: list[str] = []

    code = await run_logs(settings, logs_args(email="JO@corp.example", format="jsonl"), out.append)

    assert code == 0
    rows = [json.loads(line) for line in out]
    assert [set(r) for r in rows] == [{"time", "user_id", "direction", "kind", "step", "text"}] * 2
    assert [(r["direction"], r["text"]) for r in rows] == [
        ("in", "jo@corp.example"),
        ("out", "Привет"),
    ]
    assert rows[0]["time"].startswith("2026-11-27T12:00:00")
    assert link_in(outbox.sent[-1]) not in "\n".join(out)


async def test_logs_for_a_person_that_does_not_exist_says_so_and_exits_1(
    backend: Backend,
) -> None:
    out: list[str] = []

    code = await run_logs(settings_of(backend), logs_args(user=424242), out.append)

    assert code == 1
    assert out == ["logs: nobody matches 424242; try --user with a user id"]


async def test_logs_since_and_limit(backend: Backend) -> None:
    log = backend.conversation_log
    await log.write([entry(9, f"m{n}", at=NOW - timedelta(hours=10 - n)) for n in range(10)])
    out: list[str] = []
    args = logs_args(user=9, since=NOW - timedelta(hours=3, minutes=30), limit=2)

    await run_logs(settings_of(backend), args, out.append)

    assert [line.rsplit(" ", 1)[1] for line in out] == ["m8", "m9"]


async def test_records_older_than_the_retention_are_pruned_at_start_up(
    services: Services, backend: Backend, clock: FakeClock
) -> None:
    log = backend.conversation_log
    await log.write([entry(1, "old", at=clock.now() - timedelta(days=91)), entry(1, "recent")])
    stop = asyncio.Event()
    stop.set()  # one pass, as at start-up

    await keep_log_pruned(log, clock, 90, stop)

    assert [e.text for e in await log.latest(1, 10)] == ["recent"]


async def test_stats_prints_the_funnel(
    services: Services, outbox: EmailOutbox, backend: Backend
) -> None:
    await services.signup.create_account(1, "a@corp.example", GOOD_PASSWORD, "en")
    await services.signup.confirm_email(1, link_in(outbox.sent[-1]))
    await services.signup.create_account(2, "b@corp.example", GOOD_PASSWORD, "en")
    out: list[str] = []

    code = await run_stats(settings_of(backend), argparse.Namespace(since=None), out.append)

    assert code == 0
    assert out[0] == "Registration funnel, people who first wrote all time: 2; accounts created: 2"
    email_row = next(line for line in out if line.startswith("email"))
    assert email_row.split()[:4] == ["email", "2", "1", "50%"]
    table = out[2 : out.index("")]
    labels = [line.split("  ")[0].strip() for line in table]
    assert labels == [
        "sign-up: email",
        "sign-up: password",
        "email",
        "phone",
        "card",
        "activation",
        "api access",
    ]
    assert out[-3].startswith("Support requests all time: opened 0, answered 0, closed 0")
    assert out[-1] == "Reminders all time: none sent"


async def test_stats_prints_the_desks_first_answer_and_time_to_close(
    services: Services, backend: Backend, clock: FakeClock
) -> None:
    desk = services.desk.service
    for person, answer_minutes in ((1, 2), (2, 6), (3, 40)):
        await desk.open(person)
        clock.advance(60 * answer_minutes)
        await desk.answered(person)
        await desk.close(person)
    await desk.open(4)

    out: list[str] = []
    await run_stats(settings_of(backend), argparse.Namespace(since=None), out.append)

    assert out[-3] == (
        "Support requests all time: opened 4, answered 3, closed 3; first answer median"
        " 6m 00s, p90 40m 00s; time to close median 6m 00s"
    )


@pytest.mark.parametrize(
    "text",
    ["24h", "12h", "7d", "30d", "1w", "2w", "30m", "2026-11-01", "2026-11-01T10:00:00+03:00"],
)
def test_since_accepts_a_span_or_a_date(text: str) -> None:
    from bot.support.cli import parse_since

    assert parse_since(text, FakeClock().now()).tzinfo is not None


def test_a_span_counts_back_from_the_time_it_is_given() -> None:
    from bot.support.cli import parse_since

    now = FakeClock().now()
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("30m", now) == now - timedelta(minutes=30)


@pytest.mark.parametrize("text", ["1y", "week", "999999w", "-3d"])
def test_since_refuses_anything_else_with_what_it_accepts(text: str) -> None:
    from bot.support.cli import parse_since

    with pytest.raises(argparse.ArgumentTypeError, match=r"12h|too far back"):
        parse_since(text, FakeClock().now())


async def test_first_seen_gives_each_persons_first_message_and_first_at_the_password(
    backend: Backend,
) -> None:
    log = backend.conversation_log
    hour = timedelta(hours=1)
    password = LogEntry(NOW - hour, 7, 7, Direction.IN, "text", PASSWORD_STATE, "•••")
    await log.write(
        [
            entry(7, "/start", at=NOW - 2 * hour),
            password,
            entry(7, "reply", at=NOW - 2 * hour, direction=Direction.OUT),
            entry(8, "/start", at=NOW - 30 * hour),  # first wrote before the window
            entry(8, "again", at=NOW),
        ]
    )

    everyone = await log.first_seen(None, PASSWORD_STATE)
    recent = await log.first_seen(NOW - 3 * hour, PASSWORD_STATE)

    assert everyone[7] == FirstSeen(NOW - 2 * hour, NOW - hour)
    assert everyone[8] == FirstSeen(NOW - 30 * hour, None)
    assert set(recent) == {7}
