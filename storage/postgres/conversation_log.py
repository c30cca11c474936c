"""The conversation log on PostgreSQL (R18), shared by every instance.

Each batch of records is announced with NOTIFY in the transaction that writes it, so
`logs --follow` and the /watch mirrors of every instance learn of records written by
any instance as they are committed. Ids alone cannot be followed as on SQLite: two
instances take ids from one sequence, and a smaller id may commit after a larger one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime

import asyncpg

from bot.domain.conversation import Direction, LogEntry
from bot.domain.funnel import FirstSeen
from storage.postgres.connection import rows_changed
from storage.postgres.database import PgDatabase

_COLUMNS = "id, at, user_id, chat_id, direction, kind, step, text"
# Each person's first message, and their first at the password question (the funnel).
_FIRST_SEEN = (
    "SELECT user_id, min(at), min(CASE WHEN step = $1 THEN at END) FROM conversation_log"
    " WHERE direction = 'in' AND user_id IS NOT NULL GROUP BY user_id"
)
LOG_CHANNEL = "conversation_log"
WATCH_CHANNEL = "support_watches"
# PostgreSQL refuses a payload of 8000 bytes or more.
_MAX_PAYLOAD = 7000


def _entry(row: asyncpg.Record) -> LogEntry:
    return LogEntry(**{**dict(row), "direction": Direction(row["direction"])})


def encode_ids(ids: list[int]) -> list[str]:
    """Ids as ranges ("5-9,12"), in payloads small enough for NOTIFY."""
    parts: list[str] = []
    for value in sorted(ids):
        if parts and "-" in parts[-1] and int(parts[-1].split("-")[1]) == value - 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{value}"
        elif parts and "-" not in parts[-1] and int(parts[-1]) == value - 1:
            parts[-1] = f"{parts[-1]}-{value}"
        else:
            parts.append(str(value))
    payloads: list[str] = []
    for part in parts:
        if payloads and len(payloads[-1]) + len(part) + 1 <= _MAX_PAYLOAD:
            payloads[-1] += "," + part
        else:
            payloads.append(part)
    return payloads


def decode_ids(payload: str) -> list[int]:
    ids: list[int] = []
    for part in payload.split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        ids.extend(range(int(first), int(last or first) + 1))
    return ids


class PgConversationLog:
    def __init__(self, database: PgDatabase) -> None:
        self._database = database
        self._prefix = database.channel_prefix

    async def write(self, entries: list[LogEntry]) -> None:
        async with self._database.transaction() as db:
            rows = await db.fetch(
                "INSERT INTO conversation_log (at, user_id, chat_id, direction, kind, step, text)"
                " SELECT * FROM unnest($1::timestamptz[], $2::bigint[], $3::bigint[],"
                " $4::text[], $5::text[], $6::text[], $7::text[]) RETURNING id",
                [e.at for e in entries],
                [e.user_id for e in entries],
                [e.chat_id for e in entries],
                [e.direction.value for e in entries],
                [e.kind for e in entries],
                [e.step for e in entries],
                [e.text for e in entries],
            )
            for payload in encode_ids([int(row[0]) for row in rows]):
                await db.execute("SELECT pg_notify($1, $2)", self._prefix + LOG_CHANNEL, payload)

    async def latest(
        self, user_id: int | None, limit: int, since: datetime | None = None
    ) -> list[LogEntry]:
        where, params = _filter(user_id, since, None)
        async with self._database.reading() as db:
            rows = await db.fetch(
                f"SELECT {_COLUMNS} FROM conversation_log {where}"  # noqa: S608
                f" ORDER BY id DESC LIMIT ${len(params) + 1}",
                *params,
                limit,
            )
        return [_entry(row) for row in reversed(rows)]

    async def after(
        self,
        after_id: int,
        user_id: int | None = None,
        since: datetime | None = None,
        limit: int = 1000,
    ) -> list[LogEntry]:
        where, params = _filter(user_id, since, after_id)
        async with self._database.reading() as db:
            rows = await db.fetch(
                f"SELECT {_COLUMNS} FROM conversation_log {where}"  # noqa: S608
                f" ORDER BY id LIMIT ${len(params) + 1}",
                *params,
                limit,
            )
        return [_entry(row) for row in rows]

    async def _by_ids(self, ids: list[int], user_id: int | None) -> list[LogEntry]:
        async with self._database.reading() as db:
            rows = await db.fetch(
                f"SELECT {_COLUMNS} FROM conversation_log WHERE id = ANY($1::bigint[])"  # noqa: S608
                " AND ($2::bigint IS NULL OR user_id = $2) ORDER BY id",
                ids,
                user_id,
            )
        return [_entry(row) for row in rows]

    async def follow(
        self, after_id: int, user_id: int | None = None
    ) -> AsyncGenerator[LogEntry, None]:
        """Records written after `after_id`, by any instance, in the order they were
        committed, until the caller stops."""
        payloads: asyncio.Queue[str] = asyncio.Queue()
        async with self._database.listening(
            [LOG_CHANNEL], lambda _, payload: payloads.put_nowait(payload)
        ) as lost:
            # Listening first, then catching up: nothing committed in between is missed;
            # what both see is printed once.
            caught_up: set[int] = set()
            while batch := await self.after(after_id, user_id=user_id):
                for entry in batch:
                    caught_up.add(entry.id or 0)
                    yield entry
                after_id = batch[-1].id or after_id
            while True:
                payload = await _next_or_lost(payloads, lost)
                ids = [i for i in decode_ids(payload) if i not in caught_up]
                for entry in await self._by_ids(ids, user_id) if ids else []:
                    yield entry

    async def last_activity(self, user_id: int) -> datetime | None:
        async with self._database.reading() as db:
            value = await db.fetchval(
                "SELECT max(at) FROM conversation_log WHERE user_id = $1", user_id
            )
        return value  # type: ignore[no-any-return]

    async def has_user(self, user_id: int) -> bool:
        async with self._database.reading() as db:
            value = await db.fetchval(
                "SELECT EXISTS (SELECT 1 FROM conversation_log WHERE user_id = $1)", user_id
            )
        return bool(value)

    async def first_seen(self, since: datetime | None, password_state: str) -> dict[int, FirstSeen]:
        having = "" if since is None else " HAVING min(at) >= $2"
        params: tuple[object, ...] = (password_state,) if since is None else (password_state, since)
        async with self._database.reading() as db:
            rows = await db.fetch(
                _FIRST_SEEN + having,
                *params,
            )
        return {row[0]: FirstSeen(row[1], row[2]) for row in rows}

    async def prune(self, before: datetime) -> int:
        async with self._database.transaction() as db:
            status = await db.execute("DELETE FROM conversation_log WHERE at < $1", before)
        return rows_changed(status)

    async def watch(self, support_user_id: int, watched_user_id: int) -> None:
        async with self._database.transaction() as db:
            await db.execute(
                "INSERT INTO support_watches (support_user_id, watched_user_id) VALUES ($1, $2)"
                " ON CONFLICT (support_user_id) DO UPDATE SET"
                " watched_user_id = excluded.watched_user_id",
                support_user_id,
                watched_user_id,
            )
            await db.execute("SELECT pg_notify($1, '')", self._prefix + WATCH_CHANNEL)

    async def unwatch(self, support_user_id: int) -> int | None:
        async with self._database.transaction() as db:
            watched = await db.fetchval(
                "DELETE FROM support_watches WHERE support_user_id = $1 RETURNING watched_user_id",
                support_user_id,
            )
            await db.execute("SELECT pg_notify($1, '')", self._prefix + WATCH_CHANNEL)
        return None if watched is None else int(watched)

    async def watches(self) -> dict[int, int]:
        async with self._database.reading() as db:
            rows = await db.fetch("SELECT support_user_id, watched_user_id FROM support_watches")
        return {int(r[0]): int(r[1]) for r in rows}

    async def watches_changed(self) -> AsyncGenerator[None, None]:
        """Yields once listening has begun, then each time any instance changed who
        is watched."""
        changes: asyncio.Queue[str] = asyncio.Queue()
        async with self._database.listening(
            [WATCH_CHANNEL], lambda _, payload: changes.put_nowait(payload)
        ) as lost:
            yield None
            while True:
                await _next_or_lost(changes, lost)
                while not changes.empty():  # several changes at once: one reload
                    changes.get_nowait()
                yield None


def _filter(
    user_id: int | None, since: datetime | None, after_id: int | None
) -> tuple[str, list[object]]:
    """Only the conditions that apply: a query with "$1 IS NULL OR user_id = $1" gets
    a generic plan that cannot use the (user_id, id) index once prepared."""
    clauses: list[str] = []
    params: list[object] = []
    for column, value in (("user_id =", user_id), ("at >=", since), ("id >", after_id)):
        if value is not None:
            params.append(value)
            clauses.append(f"{column} ${len(params)}")
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


class NotificationsLost(ConnectionError):
    """The connection that listened for notifications broke."""


async def _next_or_lost(queue: asyncio.Queue[str], lost: asyncio.Event) -> str:
    if not queue.empty():
        return queue.get_nowait()
    getting = asyncio.ensure_future(queue.get())
    losing = asyncio.ensure_future(lost.wait())
    try:
        await asyncio.wait([getting, losing], return_when=asyncio.FIRST_COMPLETED)
    finally:
        losing.cancel()
        if not getting.done():
            getting.cancel()
    if getting.done() and not getting.cancelled():
        return getting.result()
    raise NotificationsLost("the connection listening for notifications broke")
