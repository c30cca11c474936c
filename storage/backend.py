"""Which engine holds what (issue 9): everything on the SQLite file by default, or the
repositories and the conversation log on PostgreSQL (DATABASE_URL). aiogram's FSM
state is on the SQLite file unless Redis holds it (REDIS_URL, bot/app.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.domain.ports import ConversationLogRepository, Store
from storage.postgres.connection import PgConnection
from storage.postgres.conversation_log import PgConversationLog
from storage.postgres.database import PgDatabase
from storage.sqlite.connection import SqliteConnection
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database
from storage.store import SqlStore


@dataclass(frozen=True)
class Backend:
    store: Store
    conversation_log: ConversationLogRepository
    # The SQLite file, when anything is kept on it (everything, or only FSM state).
    sqlite: Database | None
    postgres: PgDatabase | None

    def lease(self, job: str) -> AbstractAsyncContextManager[asyncio.Event]:
        """Held by one instance of the cluster at a time (see bot/cluster.py)."""
        if self.postgres is not None:
            return self.postgres.lease(job)
        # One SQLite file is one machine's: this process runs its jobs itself.
        return _always_held()

    async def ping(self) -> None:
        """Raises if a database does not answer (the webhook's health check)."""
        if self.postgres is not None:
            await self.postgres.ping()
        if self.sqlite is not None:
            async with self.sqlite.reading() as connection:
                await connection.execute_fetchall("SELECT 1")

    async def close(self) -> None:
        if self.postgres is not None:
            await self.postgres.close()
        if self.sqlite is not None:
            await self.sqlite.close()


@asynccontextmanager
async def _always_held() -> AsyncIterator[asyncio.Event]:
    yield asyncio.Event()


async def open_backend(
    *,
    database_path: Path,
    database_url: str | None = None,
    pool_size: int = 8,
    sqlite_needed: bool = True,
    server_settings: dict[str, str] | None = None,
    check_max_bytes: int = 0,
) -> Backend:
    """Opens the engines and applies their pending migrations. With a `database_url`
    the SQLite file is opened only if `sqlite_needed` (FSM state without Redis). A
    SQLite file up to `check_max_bytes` is checked first (`Database.open`)."""
    if database_url is None:
        database = await Database.open(database_path, check_max_bytes=check_max_bytes)
        return Backend(sqlite_store(database), SqliteConversationLog(database), database, None)
    postgres = await PgDatabase.open(
        database_url, pool_size=pool_size, server_settings=server_settings
    )
    try:
        sqlite = (
            await Database.open(database_path, check_max_bytes=check_max_bytes)
            if sqlite_needed
            else None
        )
    except BaseException:
        await postgres.close()
        raise
    return Backend(postgres_store(postgres), PgConversationLog(postgres), sqlite, postgres)


def sqlite_store(database: Database) -> SqlStore:
    return SqlStore(database, SqliteConnection)


def postgres_store(database: PgDatabase) -> SqlStore:
    return SqlStore(database, PgConnection)
