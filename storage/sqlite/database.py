"""The SQLite file: a small pool of connections, pragmas, numbered migrations (one
instance: docs/deployment.md)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.domain.clock import SystemClock
from storage.migrations import Migration, bundled_migrations
from storage.sqlite.timefmt import to_db

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class UnusableDatabase(Exception):
    """The file at `path` is not a SQLite database, or is damaged. SQLite's reason
    ("file is not a database", "database disk image is malformed") holds no data."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


async def _quick_check(connection: aiosqlite.Connection, max_bytes: int) -> None:
    if max_bytes <= 0:
        return
    async with connection.execute(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
    ) as cursor:
        row = await cursor.fetchone()
    size = int(row[0]) if row else 0
    if size > max_bytes:
        log.warning(
            "the database file is %d MB, above STARTUP_CHECK_MAX_MB (%d): started without"
            " the start-up check; run python -m bot check in a quiet hour",
            size // 2**20,
            max_bytes // 2**20,
        )
        return
    async with connection.execute("PRAGMA quick_check(1)") as cursor:
        row = await cursor.fetchone()
    # One line: SQLite's first problem spans two ("*** in database main ***", the page).
    verdict = " ".join(str(row[0]).split()) if row else "no answer"
    if verdict != "ok":
        # SQLite's words name pages and trees, never a value stored in them.
        raise sqlite3.DatabaseError(f"damaged: {verdict}")


def sqlite_migrations() -> list[Migration]:
    return bundled_migrations(MIGRATIONS_DIR)


def statements(migration: Migration) -> list[str]:
    """The script split into statements, so it can run inside our own transaction
    (sqlite3's executescript would commit whatever transaction is open first)."""
    found: list[str] = []
    pending = ""
    for line in migration.sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statement = pending.strip()
            if statement.strip(";").strip():
                found.append(statement)
            pending = ""
    if pending.strip() and not _only_comments(pending):
        raise ValueError(f"migration {migration.version} ends with an incomplete statement")
    return found


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


class Database:
    """One writing connection and a few reading ones to one SQLite file.

    SQLite lets one writer in at a time, so this process keeps one connection for
    writing and queues its writers in asyncio (`_writer`) before they reach it: its
    busy handler would make the losers sleep and retry (1, 2, 5 ... 100 ms), which
    under load costs far more than the writes. Across processes SQLite's own lock,
    `BEGIN IMMEDIATE`, busy_timeout and the constraints decide, as before.

    Reads go to the other connections, which are read-only (`PRAGMA query_only`), do
    not wait for the writer and, in WAL mode, are never blocked by it. One more
    read-only connection belongs to the event loop's own thread, for `read_in_place`.
    """

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        readers: list[aiosqlite.Connection],
        in_place: sqlite3.Connection,
    ) -> None:
        self.path = path
        self._writer_connection = writer
        self._readers = readers
        self._in_place = in_place
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for connection in readers:
            self._idle.put_nowait(connection)
        self._writer = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        readers: int = 3,
        migrations: list[Migration] | None = None,
        busy_timeout_ms: int = 5000,
        check_max_bytes: int = 0,
    ) -> Database:
        """Opens the file, creating it, and applies the pending migrations. A file of
        at most `check_max_bytes` is checked first (`PRAGMA quick_check`): damage
        behind a sound header raises `UnusableDatabase` before anything is written."""
        path.parent.mkdir(parents=True, exist_ok=True)
        connections: list[aiosqlite.Connection] = []
        try:
            writer = await _connect(path, busy_timeout_ms)
            connections.append(writer)
            await _quick_check(writer, check_max_bytes)
            await apply_migrations(writer, migrations or sqlite_migrations())
            for _ in range(max(1, readers)):
                connections.append(await _connect(path, busy_timeout_ms, read_only=True))
            in_place = _connect_in_place(path)
        except BaseException as exc:
            for connection in connections:
                await connection.close()
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(
                exc, sqlite3.OperationalError | sqlite3.IntegrityError
            ):
                raise UnusableDatabase(path, str(exc)) from None
            raise
        return cls(path, connections[0], connections[1:], in_place)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read-only connection in autocommit mode: each statement sees what was
        committed before it began. For reads that must agree with a write, use
        `transaction()`."""
        connection = await self._idle.get()
        try:
            yield connection
        finally:
            self._idle.put_nowait(connection)

    def read_in_place(self, sql: str, params: tuple[object, ...]) -> list[sqlite3.Row] | None:
        """A look-up of a row or two by its key, made on the event loop's thread; None
        when SQLite is busy this instant: then read through `reading()`.

        Handing a statement to a connection's thread costs the event loop about 30 us
        and a wake-up of that thread, which then competes for the GIL; a primary-key
        look-up in place costs about 9 us (issue 21). In WAL mode a reader is not
        blocked by the writer, and this connection never waits (`busy_timeout` 0), so
        the loop is held no longer than the look-up. Not for anything that scans."""
        try:
            return self._in_place.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return None
            raise

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writing connection in autocommit mode, for a single writing statement."""
        async with self._writer:
            yield self._writer_connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The one place where work is committed: at the end of the block, or rolled
        back if the block raises. Not to be nested: one unit of work at a time."""
        async with self._writer:
            connection = self._writer_connection
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                await connection.rollback()
                raise
            else:
                await connection.commit()

    async def close(self) -> None:
        for connection in (self._writer_connection, *self._readers):
            await connection.close()
        self._readers = []
        self._in_place.close()


async def fetch_all(
    connection: aiosqlite.Connection, sql: str, params: tuple[object, ...] = ()
) -> list[sqlite3.Row]:
    """A query's rows in one trip to the connection's thread (an `async with
    execute() as cursor` block costs three: execute, fetch, close)."""
    return list(await connection.execute_fetchall(sql, params))


async def fetch_one(
    connection: aiosqlite.Connection, sql: str, params: tuple[object, ...] = ()
) -> sqlite3.Row | None:
    """The first row, or None; the statement always runs to its end, so an
    `UPDATE ... RETURNING` is complete when this returns."""
    rows = await fetch_all(connection, sql, params)
    return rows[0] if rows else None


async def _connect(
    path: Path, busy_timeout_ms: int, *, read_only: bool = False
) -> aiosqlite.Connection:
    # isolation_level=None: transactions are begun explicitly, never implicitly.
    connection = await aiosqlite.connect(path, isolation_level=None)
    try:
        await _set_up(connection, busy_timeout_ms, read_only=read_only)
    except BaseException:
        # Its thread is not a daemon: left open, it would keep the process alive
        # after the error (a damaged file at start, issue 16).
        await connection.close()
        raise
    return connection


def _connect_in_place(path: Path) -> sqlite3.Connection:
    """The read-only connection of the event loop's thread (`Database.read_in_place`):
    set up as the others, but it never makes the loop wait (`busy_timeout` 0)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.row_factory = sqlite3.Row
        for pragma in _pragmas(busy_timeout_ms=0, read_only=True):
            connection.execute(pragma)
    except BaseException:
        connection.close()
        raise
    return connection


async def _set_up(
    connection: aiosqlite.Connection, busy_timeout_ms: int, *, read_only: bool
) -> None:
    connection.row_factory = sqlite3.Row
    for pragma in _pragmas(busy_timeout_ms, read_only=read_only):
        await connection.execute(pragma)


def _pragmas(busy_timeout_ms: int, *, read_only: bool) -> list[str]:
    """How every connection to the file is set up."""
    return [
        "PRAGMA journal_mode=WAL",
        "PRAGMA foreign_keys=ON",
        # A writer waits this long for another one (in the connection's thread) before
        # "database is locked"; then the person is asked to try again shortly.
        f"PRAGMA busy_timeout={int(busy_timeout_ms)}",
        # FULL: a confirmed step must survive a power cut, not only a crash of the
        # process.
        "PRAGMA synchronous=FULL",
        # 32 MiB of pages per connection instead of SQLite's 2 MiB: with 100,000
        # accounts the indexes no longer fit in 2 MiB, and every look-up went back to
        # the file (issue 8: -10% updates/s against an empty database).
        "PRAGMA cache_size=-32768",
        *(["PRAGMA query_only=ON"] if read_only else []),
    ]


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
            for statement in statements(migration):
                await connection.execute(statement)
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, to_db(SystemClock().now())),
            )
            newly.append(migration.version)
    except BaseException:
        await connection.rollback()
        raise
    await connection.commit()
    if newly:
        log.info("applied database migrations %s", newly)
    return newly
