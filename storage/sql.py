"""SQL written once for both engines (issue 15).

The repositories in storage/repositories/ talk to a `Connection`: one engine's
connection inside a unit of work, which takes the same SQL on SQLite and PostgreSQL.
The SQL is written with `?` placeholders. A placeholder may carry a PostgreSQL cast,
`?::bigint`, where PostgreSQL cannot infer a parameter's type (`? IS NULL`, a CASE);
SQLite gets the plain `?`. Times are passed and returned as aware datetimes: SQLite
keeps them as fixed-format UTC text (storage/sqlite/timefmt.py), and the connection
turns them back with `time()`. What truly differs between the dialects is asked of
`Dialect` (the greatest of several times, so far), nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

Row = Mapping[str, Any]


class UniqueViolation(Exception):
    """A unique constraint refused a row. `columns` are the constraint's columns; the
    refused values are never part of the exception."""

    def __init__(self, columns: frozenset[str]) -> None:
        super().__init__(", ".join(sorted(columns)))
        self.columns = columns


@dataclass(frozen=True)
class Dialect:
    name: str  # "sqlite" or "postgresql"

    def greatest(self, first: str, *others: str) -> str:
        """The latest of several times; `first` is never NULL, the others may be."""
        if self.name == "postgresql":
            # greatest() skips NULLs.
            return f"greatest({', '.join((first, *others))})"
        # SQLite's max() of several values is NULL if any is; times are fixed-format
        # text, so '' sorts first.
        return "max(" + ", ".join((first, *(f"coalesce({o}, '')" for o in others))) + ")"


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")


class Connection(Protocol):
    """One engine's connection in a unit of work (never committed by a repository)."""

    @property
    def dialect(self) -> Dialect: ...

    async def fetch(self, sql: str, *params: object) -> Sequence[Row]: ...

    async def fetchrow(self, sql: str, *params: object) -> Row | None: ...

    async def fetchval(self, sql: str, *params: object) -> Any: ...

    async def execute(self, sql: str, *params: object) -> int:
        """Runs one statement; returns how many rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """Around a statement that a constraint may refuse: the unit of work goes on
        after UniqueViolation (PostgreSQL aborts a whole transaction on an error)."""
        ...

    def time(self, value: Any) -> datetime:
        """A stored time as an aware datetime."""
        ...

    def time_or_none(self, value: Any) -> datetime | None: ...


_CAST = re.compile(r"\?::[a-z_]+")
_PLACEHOLDER = re.compile(r"\?(::[a-z_]+)?")


@lru_cache(maxsize=1024)
def for_sqlite(sql: str) -> str:
    return _CAST.sub("?", sql)


@lru_cache(maxsize=1024)
def for_postgresql(sql: str) -> str:
    numbers = iter(range(1, sql.count("?") + 1))
    return _PLACEHOLDER.sub(lambda m: f"${next(numbers)}{m[1] or ''}", sql)
