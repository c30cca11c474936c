"""The PostgreSQL database: two connection pools, numbered migrations applied under an
advisory lock, LISTEN for notifications, and a cluster-wide lease for periodic jobs."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

from bot.safe_logging import describe_exception
from storage.migrations import Migration, bundled_migrations

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Advisory lock keys (bigint) of this application: any fixed numbers that no other
# application on the same database uses. The migration lock and one per job name.
MIGRATION_LOCK = 0x0B0_7001
_JOB_LOCK_BASE = 0x0B0_7100


def bundled_pg_migrations() -> list[Migration]:
    return bundled_migrations(MIGRATIONS_DIR)


class PgDatabase:
    """Connections to one PostgreSQL database.

    Writers and readers have pools of their own: the readers' sessions are read-only
    (`default_transaction_read_only`), so a read can never write by mistake, and a
    burst of reads never takes the connections that writes need.
    """

    def __init__(
        self,
        url: str,
        writers: asyncpg.Pool,
        readers: asyncpg.Pool,
        server_settings: dict[str, str],
        schema: str,
    ) -> None:
        self.url = url
        self._writers = writers
        self._readers = readers
        self.server_settings = server_settings
        # Notification channels and advisory locks are per database, not per schema:
        # the bot in a schema of its own (the tests' schemas, say) gets names of its own.
        self.channel_prefix = "" if schema == "public" else f"{schema}_"

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        pool_size: int = 8,
        migrations: list[Migration] | None = None,
        server_settings: dict[str, str] | None = None,
    ) -> PgDatabase:
        settings = dict(server_settings or {})
        # Applied before the pools exist, on a connection of its own, so that the
        # pools' prepared statements are made against the finished schema.
        connection = await asyncpg.connect(url, server_settings=settings)
        try:
            await apply_pg_migrations(connection, migrations or bundled_pg_migrations())
            schema = str(await connection.fetchval("SELECT current_schema()"))
        finally:
            await connection.close()
        writers = await asyncpg.create_pool(
            url, min_size=1, max_size=pool_size, server_settings=settings
        )
        try:
            readers = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=pool_size,
                server_settings={**settings, "default_transaction_read_only": "on"},
            )
        except BaseException:
            await writers.close()
            raise
        return cls(url, writers, readers, settings, schema)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """Committed at the end of the block, rolled back if it raises. READ COMMITTED:
        what must not race across instances is decided by constraints and conditional
        updates in the statements themselves (bot/domain/ports.py)."""
        async with self._writers.acquire() as connection, connection.transaction():
            yield connection

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[asyncpg.Connection]:
        """A read-only session in autocommit mode: each statement sees what was
        committed before it began."""
        async with self._readers.acquire() as connection:
            yield connection

    async def ping(self) -> None:
        async with self.reading() as connection:
            await connection.fetchval("SELECT 1")

    @asynccontextmanager
    async def listening(
        self, channels: list[str], deliver: Callable[[str, str], None]
    ) -> AsyncIterator[asyncio.Event]:
        """LISTENs on `channels` on a connection of its own for the block's duration;
        each notification is handed to `deliver(channel, payload)`. Notifications are
        sent by PostgreSQL on commit, in commit order, from any instance. The yielded
        event is set if the connection breaks: nothing more will be heard then."""
        connection: asyncpg.Connection = await self._connect()
        lost = asyncio.Event()

        def on_notify(_: Any, __: int, channel: str, payload: str) -> None:
            deliver(channel.removeprefix(self.channel_prefix), payload)

        try:
            connection.add_termination_listener(lambda _: lost.set())
            for channel in channels:
                await connection.add_listener(self.channel_prefix + channel, on_notify)
            yield lost
        finally:
            with contextlib.suppress(Exception):
                await connection.close()

    @asynccontextmanager
    async def lease(self, job: str) -> AsyncIterator[asyncio.Event]:
        """Waits until this instance holds the cluster-wide lock of `job`, then runs
        the block; the yielded event is set if the lock is lost (the connection that
        holds it broke). An advisory lock lives as long as its session: if this
        process dies, PostgreSQL frees the lock and another instance takes the job."""
        key = job_lock_key(self.channel_prefix + job)
        lost = asyncio.Event()
        while True:
            connection = await self._connect()
            try:
                if await connection.fetchval("SELECT pg_try_advisory_lock($1)", key):
                    break
            except BaseException:
                await connection.close()
                raise
            await connection.close()
            await asyncio.sleep(LEASE_RETRY_SECONDS)
        connection.add_termination_listener(lambda _: lost.set())
        watchdog = asyncio.create_task(_keep_alive(connection, lost))
        try:
            yield lost
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
            with contextlib.suppress(Exception):
                await connection.close()  # frees the lock

    async def _connect(self) -> asyncpg.Connection:
        connection: asyncpg.Connection = await asyncpg.connect(
            self.url, server_settings=self.server_settings
        )
        return connection

    async def close(self) -> None:
        await self._readers.close()
        await self._writers.close()


# How often an instance without the lease asks for it again, and checks that the
# connection holding it is alive.
LEASE_RETRY_SECONDS = 2.0


async def _keep_alive(connection: asyncpg.Connection, lost: asyncio.Event) -> None:
    while not lost.is_set():
        await asyncio.sleep(LEASE_RETRY_SECONDS)
        try:
            await asyncio.wait_for(connection.fetchval("SELECT 1"), LEASE_RETRY_SECONDS * 2)
        except Exception as exc:
            log.warning("lost the connection that holds a job's lease: %s", describe_exception(exc))
            lost.set()


def job_lock_key(job: str) -> int:
    """The advisory lock key of a job: stable across processes (hash() is salted)."""
    return _JOB_LOCK_BASE + int.from_bytes(
        hashlib.blake2b(job.encode(), digest_size=4).digest(), "big"
    )


async def apply_pg_migrations(
    connection: asyncpg.Connection, migrations: list[Migration]
) -> list[int]:
    """Applies the pending migrations, each in its own transaction, under an advisory
    lock: instances starting together wait for each other, and the second finds
    nothing left to do."""
    await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        applied = {r[0] for r in await connection.fetch("SELECT version FROM schema_migrations")}
        newly: list[int] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            async with connection.transaction():
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            newly.append(migration.version)
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    if newly:
        log.info("applied PostgreSQL migrations %s", newly)
    return newly


async def pg_migration_status(url: str) -> tuple[set[int], list[Migration]]:
    """(applied versions, bundled migrations), for `python -m bot check`."""
    connection: asyncpg.Connection = await asyncpg.connect(url)
    try:
        exists = await connection.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        applied: set[int] = set()
        if exists:
            applied = {
                r[0] for r in await connection.fetch("SELECT version FROM schema_migrations")
            }
    finally:
        await connection.close()
    return applied, bundled_pg_migrations()
