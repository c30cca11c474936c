"""The conversation log on the SQLite file (R18). Written in batches, outside the
domain's transactions: a slow or failing log write never holds up a reply."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncGenerator
from datetime import datetime

from bot.domain.conversation import Direction, LogEntry
from bot.domain.funnel import FirstSeen
from storage.sqlite.database import Database, fetch_all, fetch_one
from storage.sqlite.timefmt import from_db, to_db

_COLUMNS = "id, at, user_id, chat_id, direction, kind, step, text"
# Each person's first message, and their first at the password question (the funnel).
_FIRST_SEEN = (
    "SELECT user_id, min(at), min(CASE WHEN step = ? THEN at END) FROM conversation_log"
    " WHERE direction = 'in' AND user_id IS NOT NULL GROUP BY user_id"
)


def _entry(row: sqlite3.Row) -> LogEntry:
    return LogEntry(
        id=row["id"],
        at=from_db(row["at"]),
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        direction=Direction(row["direction"]),
        kind=row["kind"],
        step=row["step"],
        text=row["text"],
    )


class SqliteConversationLog:
    def __init__(
        self, database: Database, *, poll_seconds: float = 0.5, watch_poll_seconds: float = 5.0
    ) -> None:
        self._database = database
        # SQLite tells no other process of a write: followers ask this often.
        self._poll_seconds = poll_seconds
        self.watch_poll_seconds = watch_poll_seconds

    async def write(self, entries: list[LogEntry]) -> None:
        async with self._database.transaction() as db:
            await db.executemany(
                "INSERT INTO conversation_log (at, user_id, chat_id, direction, kind, step, text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        to_db(e.at),
                        e.user_id,
                        e.chat_id,
                        e.direction.value,
                        e.kind,
                        e.step,
                        e.text,
                    )
                    for e in entries
                ],
            )

    async def latest(
        self, user_id: int | None, limit: int, since: datetime | None = None
    ) -> list[LogEntry]:
        """The last `limit` records (of one person, or of everyone), oldest first."""
        where, params = _filter(user_id, since, None)
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                f"SELECT {_COLUMNS} FROM conversation_log {where} ORDER BY id DESC LIMIT ?",  # noqa: S608
                (*params, limit),
            )
        return [_entry(row) for row in reversed(rows)]

    async def after(
        self,
        after_id: int,
        user_id: int | None = None,
        since: datetime | None = None,
        limit: int = 1000,
    ) -> list[LogEntry]:
        """Records newer than `after_id`, oldest first (for following the log live)."""
        where, params = _filter(user_id, since, after_id)
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                f"SELECT {_COLUMNS} FROM conversation_log {where} ORDER BY id LIMIT ?",  # noqa: S608
                (*params, limit),
            )
        return [_entry(row) for row in rows]

    async def follow(
        self, after_id: int, user_id: int | None = None
    ) -> AsyncGenerator[LogEntry, None]:
        """Records written after `after_id`, by this process or any other, until the
        caller stops. One writer at a time takes ids in commit order, so asking for
        the ids after the last one seen misses nothing."""
        while True:
            batch = await self.after(after_id, user_id=user_id)
            for entry in batch:
                yield entry
                after_id = entry.id or after_id
            if not batch:
                await asyncio.sleep(self._poll_seconds)

    async def watches_changed(self) -> AsyncGenerator[None, None]:
        """At once, then now and then: another process on the same file may have
        changed the watches, and SQLite tells nobody."""
        while True:
            yield None
            await asyncio.sleep(self.watch_poll_seconds)

    async def last_activity(self, user_id: int) -> datetime | None:
        async with self._database.reading() as db:
            row = await fetch_one(
                db, "SELECT max(at) FROM conversation_log WHERE user_id = ?", (user_id,)
            )
        return None if row is None or row[0] is None else from_db(row[0])

    async def has_user(self, user_id: int) -> bool:
        async with self._database.reading() as db:
            row = await fetch_one(
                db, "SELECT 1 FROM conversation_log WHERE user_id = ? LIMIT 1", (user_id,)
            )
        return row is not None

    async def first_seen(self, since: datetime | None, password_state: str) -> dict[int, FirstSeen]:
        having = "" if since is None else " HAVING min(at) >= ?"
        params: tuple[object, ...] = (
            (password_state,) if since is None else (password_state, to_db(since))
        )
        async with self._database.reading() as db:
            rows = await fetch_all(
                db,
                _FIRST_SEEN + having,
                params,
            )
        return {
            row[0]: FirstSeen(from_db(row[1]), None if row[2] is None else from_db(row[2]))
            for row in rows
        }

    async def prune(self, before: datetime) -> int:
        async with self._database.transaction() as db:
            cursor = await db.execute("DELETE FROM conversation_log WHERE at < ?", (to_db(before),))
            return cursor.rowcount

    async def watch(self, support_user_id: int, watched_user_id: int) -> None:
        async with self._database.transaction() as db:
            await db.execute(
                "INSERT INTO support_watches (support_user_id, watched_user_id) VALUES (?, ?)"
                " ON CONFLICT (support_user_id) DO UPDATE SET"
                " watched_user_id = excluded.watched_user_id",
                (support_user_id, watched_user_id),
            )

    async def unwatch(self, support_user_id: int) -> int | None:
        async with self._database.transaction() as db:
            row = await fetch_one(
                db,
                "DELETE FROM support_watches WHERE support_user_id = ? RETURNING watched_user_id",
                (support_user_id,),
            )
        return None if row is None else int(row[0])

    async def watches(self) -> dict[int, int]:
        """support user id -> watched user id."""
        async with self._database.reading() as db:
            rows = await fetch_all(
                db, "SELECT support_user_id, watched_user_id FROM support_watches"
            )
        return {int(r[0]): int(r[1]) for r in rows}


def _filter(
    user_id: int | None, since: datetime | None, after_id: int | None
) -> tuple[str, tuple[object, ...]]:
    clauses: list[str] = []
    params: list[object] = []
    if user_id is not None:
        clauses.append("user_id = ?")
        params.append(user_id)
    if since is not None:
        clauses.append("at >= ?")
        params.append(to_db(since))
    if after_id is not None:
        clauses.append("id > ?")
        params.append(after_id)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", tuple(params)
