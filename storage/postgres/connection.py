"""The shared SQL (storage/sql.py) on an asyncpg connection."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg

from storage.sql import POSTGRESQL, Dialect, Row, UniqueViolation, for_postgresql

# DETAIL: "Key (phone, place)=(+79161234567, 1) already exists." Only the part before
# "=" is read: the values can be an email address or a phone number.
_KEY_COLUMNS = re.compile(r"Key \(([^)]*)\)=")


def rows_changed(status: str) -> int:
    """Rows changed, from a command tag such as 'UPDATE 1', 'DELETE 7' or 'INSERT 0 1'."""
    return int(status.rsplit(" ", 1)[-1])


def _violation(exc: asyncpg.UniqueViolationError) -> UniqueViolation:
    found = _KEY_COLUMNS.match(getattr(exc, "detail", None) or "")
    if found is None:
        return UniqueViolation(frozenset({str(exc.constraint_name)}))
    return UniqueViolation(frozenset(c.strip() for c in found[1].split(",")))


class PgConnection:
    def __init__(self, raw: asyncpg.Connection) -> None:
        self._raw = raw

    @property
    def dialect(self) -> Dialect:
        return POSTGRESQL

    async def fetch(self, sql: str, *params: object) -> Sequence[Row]:
        try:
            rows: list[Row] = await self._raw.fetch(for_postgresql(sql), *params)
        except asyncpg.UniqueViolationError as exc:
            raise _violation(exc) from None
        return rows

    async def fetchrow(self, sql: str, *params: object) -> Row | None:
        try:
            row: Row | None = await self._raw.fetchrow(for_postgresql(sql), *params)
        except asyncpg.UniqueViolationError as exc:
            raise _violation(exc) from None
        return row

    async def fetchval(self, sql: str, *params: object) -> Any:
        try:
            return await self._raw.fetchval(for_postgresql(sql), *params)
        except asyncpg.UniqueViolationError as exc:
            raise _violation(exc) from None

    async def execute(self, sql: str, *params: object) -> int:
        try:
            status = await self._raw.execute(for_postgresql(sql), *params)
        except asyncpg.UniqueViolationError as exc:
            raise _violation(exc) from None
        return rows_changed(status)

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self._raw.executemany(for_postgresql(sql), list(rows))

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        async with self._raw.transaction():  # nested: a savepoint
            yield

    def time(self, value: Any) -> datetime:
        # asyncpg hands timestamptz back as aware datetimes.
        assert isinstance(value, datetime)
        return value

    def time_or_none(self, value: Any) -> datetime | None:
        return None if value is None else self.time(value)
