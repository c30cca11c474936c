"""The shared SQL (storage/sql.py) on an aiosqlite connection."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiosqlite

from storage.sql import SQLITE, Dialect, Row, UniqueViolation, for_sqlite
from storage.sqlite.timefmt import from_db, to_db

# "UNIQUE constraint failed: phone_confirmations.phone, phone_confirmations.place"
_FAILED_COLUMNS = re.compile(r"UNIQUE constraint failed: (.+)")


def _params(params: Sequence[object]) -> tuple[object, ...]:
    return tuple(to_db(p) if isinstance(p, datetime) else p for p in params)


def _violation(exc: sqlite3.IntegrityError) -> UniqueViolation | None:
    found = _FAILED_COLUMNS.search(str(exc))
    if found is None:
        return None
    return UniqueViolation(frozenset(c.strip().rpartition(".")[2] for c in found[1].split(",")))


class SqliteConnection:
    def __init__(self, raw: aiosqlite.Connection) -> None:
        self._raw = raw

    @property
    def dialect(self) -> Dialect:
        return SQLITE

    async def fetch(self, sql: str, *params: object) -> Sequence[Row]:
        # execute_fetchall: one trip to the connection's thread (issue 8).
        try:
            rows = await self._raw.execute_fetchall(for_sqlite(sql), _params(params))
        except sqlite3.IntegrityError as exc:
            raise _violation(exc) or exc from None
        return rows  # type: ignore[return-value]  # sqlite3.Row is a mapping by name

    async def fetchrow(self, sql: str, *params: object) -> Row | None:
        rows = await self.fetch(sql, *params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *params: object) -> Any:
        row = await self.fetchrow(sql, *params)
        return None if row is None else row[0]  # type: ignore[index]

    async def execute(self, sql: str, *params: object) -> int:
        try:
            cursor = await self._raw.execute(for_sqlite(sql), _params(params))
        except sqlite3.IntegrityError as exc:
            raise _violation(exc) or exc from None
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self._raw.executemany(for_sqlite(sql), [_params(r) for r in rows])

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        # A statement that SQLite refuses changes nothing and leaves the transaction
        # usable: no savepoint is needed (and none costs a trip to the thread).
        yield

    def time(self, value: Any) -> datetime:
        return from_db(value)

    def time_or_none(self, value: Any) -> datetime | None:
        return None if value is None else from_db(value)
