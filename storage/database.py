"""The SQLite file: a small pool of connections, pragmas, numbered migrations."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from storage.timefmt import to_db

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The script split into statements, so it can run inside our own transaction
        (sqlite3's executescript would commit whatever transaction is open first)."""
        statements: list[str] = []
        pending = ""
        for line in self.sql.splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                statement = pending.strip()
                if statement.strip(";").strip():
                    statements.append(statement)
                pending = ""
        if pending.strip() and not _only_comments(pending):
            raise ValueError(f"migration {self.version} ends with an incomplete statement")
        return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def bundled_migrations() -> list[Migration]:
    found: list[Migration] = []
    for entry in MIGRATIONS_DIR.iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return found


class Database:
    """A pool of aiosqlite connections to one file.

    Each unit of work borrows a connection for itself, so the transactions of two
    people being served at once never mix on one connection. SQLite lets one writer
    in at a time; `BEGIN IMMEDIATE` takes the write lock up front and busy_timeout
    makes the others wait for it (in the connection's thread, not on the event loop).
    """

    def __init__(self, path: Path, connections: list[aiosqlite.Connection]) -> None:
        self.path = path
        self._all = connections
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for connection in connections:
            self._idle.put_nowait(connection)
        # SQLite lets one writer in at a time; its busy handler makes the others sleep
        # and retry (1, 2, 5 ... 100 ms), which under load costs far more than the
        # writes. Writers of this process queue here instead and never meet in SQLite.
        # Correctness does not rest on it: across processes SQLite's own lock and the
        # constraints decide, as before.
        self._writer = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        pool_size: int = 4,
        migrations: list[Migration] | None = None,
        busy_timeout_ms: int = 5000,
    ) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        connections: list[aiosqlite.Connection] = []
        try:
            for _ in range(pool_size):
                connections.append(await _connect(path, busy_timeout_ms))
            await apply_migrations(connections[0], migrations or bundled_migrations())
        except BaseException:
            for connection in connections:
                await connection.close()
            raise
        return cls(path, connections)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[aiosqlite.Connection]:
        """A connection in autocommit mode, for a single statement."""
        connection = await self._idle.get()
        try:
            yield connection
        finally:
            self._idle.put_nowait(connection)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[aiosqlite.Connection]:
        """A connection in autocommit mode for a single writing statement."""
        async with self._writer, self.connection() as connection:
            yield connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The one place where work is committed: at the end of the block, or rolled
        back if the block raises. Not to be nested: one unit of work at a time."""
        async with self._writer, self.connection() as connection:
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                await connection.rollback()
                raise
            else:
                await connection.commit()

    async def close(self) -> None:
        for connection in self._all:
            await connection.close()
        self._all = []


async def _connect(path: Path, busy_timeout_ms: int) -> aiosqlite.Connection:
    # isolation_level=None: transactions are begun explicitly, never implicitly.
    connection = await aiosqlite.connect(path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    await connection.execute("PRAGMA journal_mode=WAL")
    await connection.execute("PRAGMA foreign_keys=ON")
    # A writer waits this long for another one (in the connection's thread) before
    # "database is locked"; then the person is asked to try again shortly.
    await connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    # FULL: a confirmed step must survive a power cut, not only a crash of the process.
    await connection.execute("PRAGMA synchronous=FULL")
    return connection


async def apply_migrations(
    connection: aiosqlite.Connection, migrations: list[Migration]
) -> list[int]:
    """Applies the pending migrations in one transaction; returns their versions.

    The write lock is taken before the applied versions are read, so two processes
    starting at once cannot both apply the same migration.
    """
    await connection.execute("BEGIN IMMEDIATE")
    try:
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        async with connection.execute("SELECT version FROM schema_migrations") as cursor:
            applied = {row[0] for row in await cursor.fetchall()}
        newly: list[int] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            for statement in migration.statements():
                await connection.execute(statement)
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, to_db(datetime.now(UTC))),
            )
            newly.append(migration.version)
    except BaseException:
        await connection.rollback()
        raise
    await connection.commit()
    if newly:
        log.info("applied database migrations %s", newly)
    return newly
