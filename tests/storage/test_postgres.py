"""PostgreSQL's own machinery (issue 9): migrations under an advisory lock, the log
followed in commit order, and the lease that runs a job on one instance at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.domain.conversation import Direction, LogEntry
from bot.jobs.cluster import Job, run_once_per_cluster
from storage.postgres.conversation_log import (
    NotificationsLost,
    PgConversationLog,
    decode_ids,
    encode_ids,
)
from storage.postgres.database import PgDatabase, bundled_pg_migrations, job_lock_key
from tests.support.servers import fresh_schema, postgres_url

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
async def schema() -> AsyncIterator[dict[str, str]]:
    async with fresh_schema(postgres_url()) as settings:
        yield settings


async def open_pg(schema: dict[str, str]) -> PgDatabase:
    return await PgDatabase.open(postgres_url(), pool_size=2, server_settings=schema)


@pytest.fixture
async def pg(schema: dict[str, str]) -> AsyncIterator[PgDatabase]:
    opened = await open_pg(schema)
    yield opened
    await opened.close()


def entry(user_id: int, text: str) -> LogEntry:
    return LogEntry(NOW, user_id, user_id, Direction.IN, "text", None, text)


async def test_three_instances_starting_at_once_apply_each_migration_once(
    schema: dict[str, str],
) -> None:
    opened = await asyncio.gather(*(open_pg(schema) for _ in range(3)))
    try:
        async with opened[0].reading() as db:
            rows = await db.fetch("SELECT version FROM schema_migrations ORDER BY version")
        assert [r[0] for r in rows] == [m.version for m in bundled_pg_migrations()]
    finally:
        for database in opened:
            await database.close()


async def test_the_reading_pool_refuses_to_write(pg: PgDatabase) -> None:
    async with pg.reading() as db:
        with pytest.raises(Exception, match="read-only"):
            await db.execute("DELETE FROM accounts")


async def test_a_record_that_commits_after_a_newer_one_is_still_followed(
    pg: PgDatabase,
) -> None:
    log = PgConversationLog(pg)
    followed = log.follow(0)
    # A slow batch takes its id first and commits last (two instances writing).
    async with pg.transaction() as slow:
        slow_id = await slow.fetchval(
            "INSERT INTO conversation_log (at, user_id, chat_id, direction, kind, text)"
            " VALUES ($1, 1, 1, 'in', 'text', 'slow') RETURNING id",
            NOW,
        )
        channel = pg.channel_prefix + "conversation_log"
        await slow.execute("SELECT pg_notify($1, $2)", channel, str(slow_id))
        first = await asyncio.wait_for(_start(followed, log, entry(2, "fast")), 10)
    second = await asyncio.wait_for(anext(followed), 10)
    await followed.aclose()

    assert first.text == "fast"
    assert second.text == "slow"
    assert (second.id or 0) < (first.id or 0)  # asking for ids after 'fast' misses it


async def _start(
    followed: AsyncIterator[LogEntry], log: PgConversationLog, fast: LogEntry
) -> LogEntry:
    waiting = asyncio.ensure_future(anext(followed))
    await log.write([fast])
    return await waiting


def test_notified_ids_come_back_as_they_were_sent() -> None:
    ids = [1, 2, 3, 7, 9, 10, *range(1000, 5000, 2)]

    payloads = encode_ids(ids)

    assert all(len(p) < 8000 for p in payloads)
    assert len(payloads) > 1
    assert sorted(i for p in payloads for i in decode_ids(p)) == ids
    assert payloads[0].startswith("1-3,7,9-10,")


class Jobs:
    """Jobs that note when they run on which instance."""

    def __init__(self) -> None:
        self.running: list[str] = []
        self.changed = asyncio.Event()

    def job(self, name: str) -> Job:
        async def run(end: asyncio.Event) -> None:
            self.running.append(name)
            self.changed.set()
            try:
                await end.wait()
            finally:
                self.running.remove(name)
                self.changed.set()

        return run

    async def until(self, running: list[str]) -> None:
        while self.running != running:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 15)


async def test_a_job_runs_on_one_instance_and_moves_when_that_one_is_gone(
    schema: dict[str, str],
) -> None:
    first, second = await open_pg(schema), await open_pg(schema)
    jobs = Jobs()
    stop = asyncio.Event()
    try:
        one = asyncio.create_task(run_once_per_cluster(first.lease, "job", jobs.job("1"), stop))
        await jobs.until(["1"])
        two = asyncio.create_task(run_once_per_cluster(second.lease, "job", jobs.job("2"), stop))
        # Absence takes a while to show: the second's first ask is refused at once.
        await asyncio.sleep(0.5)
        assert jobs.running == ["1"]

        one.cancel()  # the first instance is gone, and its session with it
        await jobs.until(["2"])
        stop.set()
        await two
    finally:
        await first.close()
        await second.close()


async def test_a_job_stops_when_the_session_holding_its_lease_ends(
    pg: PgDatabase,
) -> None:
    jobs = Jobs()
    stop = asyncio.Event()
    running = asyncio.create_task(run_once_per_cluster(pg.lease, "job", jobs.job("1"), stop))
    await jobs.until(["1"])

    async with pg.reading() as db:
        ended = await db.fetchval(
            "SELECT pg_terminate_backend(pid) FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
            # A bigint key is shown split: its high half in classid, its low in objid.
            " AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1",
            job_lock_key(pg.channel_prefix + "job"),
        )
    assert ended

    await jobs.until([])  # the job saw the lease go and returned
    await jobs.until(["1"])  # and runs again once the lease is taken again
    stop.set()
    await running


async def test_following_stops_with_an_error_when_its_connection_breaks(
    pg: PgDatabase,
) -> None:
    log = PgConversationLog(pg)
    followed = log.follow(0)
    waiting = asyncio.ensure_future(anext(followed))
    await log.write([entry(1, "seen")])
    assert (await asyncio.wait_for(waiting, 10)).text == "seen"
    waiting = asyncio.ensure_future(anext(followed))

    async with pg.reading() as db:
        await db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN %' || $1 || '%' AND pid <> pg_backend_pid()"
            " AND datname = current_database()",
            pg.channel_prefix + "conversation_log",
        )

    with pytest.raises(NotificationsLost):
        await asyncio.wait_for(waiting, 10)
