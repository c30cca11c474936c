"""The dashboard's links, sessions, views and replies, and the People list (issue 20)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.records import LinkRecord, ListedAccount, SessionRecord, View
from bot.domain.steps import FINISHED_FIELD
from storage.repositories.accounts import ACCOUNT_FIELDS, account_from, last_progress_sql
from storage.sql import Connection, UniqueViolation

_COLUMNS = ", ".join(f"a.{c}" for c in ACCOUNT_FIELDS)
# What is kept beside an account, one subquery each: on 100,000 accounts a page of 50
# runs them 50 times, not 100,000 (docs/performance.md).
_BESIDE = (
    "(SELECT language FROM preferences p WHERE p.telegram_user_id = a.telegram_user_id)"
    " AS language,"
    " (SELECT wanted FROM reminder_choices c WHERE c.telegram_user_id = a.telegram_user_id)"
    " AS wanted,"
    " (SELECT count(*) FROM reminders m WHERE m.telegram_user_id = a.telegram_user_id"
    " AND m.status = 'sent') AS sent,"
    " (SELECT opened_at FROM support_requests r WHERE r.telegram_user_id = a.telegram_user_id"
    " AND r.closed_at IS NULL) AS request_opened_at"
)
# Driven from the open requests (a few, on the partial unique index), not checked for
# each of the accounts: 44 ms against 100,000 accounts the other way round.
_OPEN_REQUEST = (
    "a.telegram_user_id IN (SELECT telegram_user_id FROM support_requests WHERE closed_at IS NULL)"
)


class SqlDashboard:
    def __init__(self, db: Connection) -> None:
        self._db = db

    # -- links and sessions ---------------------------------------------------------------
    async def add_link(
        self, digest: str, staff_user_id: int, at: datetime, expires_at: datetime
    ) -> None:
        await self._db.execute(
            "INSERT INTO dashboard_links (digest, staff_user_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            digest,
            staff_user_id,
            at,
            expires_at,
        )

    async def link(self, digest: str) -> LinkRecord | None:
        row = await self._db.fetchrow(
            "SELECT staff_user_id, expires_at, used_at FROM dashboard_links WHERE digest = ?",
            digest,
        )
        if row is None:
            return None
        return LinkRecord(
            int(row["staff_user_id"]),
            self._db.time(row["expires_at"]),
            self._db.time_or_none(row["used_at"]),
        )

    async def use_link(self, digest: str, at: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE dashboard_links SET used_at = ? WHERE digest = ? AND used_at IS NULL",
            at,
            digest,
        )
        return changed == 1

    async def add_session(
        self, digest: str, staff_user_id: int, at: datetime, expires_at: datetime
    ) -> None:
        await self._db.execute(
            "INSERT INTO dashboard_sessions (digest, staff_user_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            digest,
            staff_user_id,
            at,
            expires_at,
        )

    async def session(self, digest: str) -> SessionRecord | None:
        row = await self._db.fetchrow(
            "SELECT staff_user_id, expires_at FROM dashboard_sessions WHERE digest = ?", digest
        )
        if row is None:
            return None
        return SessionRecord(int(row["staff_user_id"]), self._db.time(row["expires_at"]))

    async def end_session(self, digest: str) -> None:
        await self._db.execute("DELETE FROM dashboard_sessions WHERE digest = ?", digest)

    async def prune(self, before: datetime) -> int:
        links = await self._db.execute("DELETE FROM dashboard_links WHERE expires_at < ?", before)
        sessions = await self._db.execute(
            "DELETE FROM dashboard_sessions WHERE expires_at < ?", before
        )
        return links + sessions

    # -- views and replies ----------------------------------------------------------------
    async def add_view(self, staff_user_id: int, user_id: int, at: datetime) -> None:
        await self._db.execute(
            "INSERT INTO dashboard_views (staff_user_id, telegram_user_id, at) VALUES (?, ?, ?)",
            staff_user_id,
            user_id,
            at,
        )

    async def views(self, user_id: int, limit: int) -> list[View]:
        rows = await self._db.fetch(
            "SELECT staff_user_id, telegram_user_id, at FROM dashboard_views"
            " WHERE telegram_user_id = ? ORDER BY id DESC LIMIT ?",
            user_id,
            limit,
        )
        return [
            View(int(r["staff_user_id"]), int(r["telegram_user_id"]), self._db.time(r["at"]))
            for r in rows
        ]

    async def claim_reply(
        self, digest: str, staff_user_id: int, user_id: int, at: datetime
    ) -> bool:
        try:
            async with self._db.savepoint():
                await self._db.execute(
                    "INSERT INTO dashboard_replies (reply_key, staff_user_id, telegram_user_id,"
                    " at) VALUES (?, ?, ?, ?)",
                    digest,
                    staff_user_id,
                    user_id,
                    at,
                )
        except UniqueViolation:
            return False
        return True

    async def reply_sent(self, digest: str, message_id: int) -> None:
        await self._db.execute(
            "UPDATE dashboard_replies SET message_id = ? WHERE reply_key = ?", message_id, digest
        )

    async def forget_reply(self, digest: str) -> None:
        await self._db.execute("DELETE FROM dashboard_replies WHERE reply_key = ?", digest)

    # -- the People list --------------------------------------------------------------------
    async def accounts_page(
        self,
        user_ids: list[int] | None,
        stuck_before: datetime | None,
        open_request: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[ListedAccount], int]:
        where: list[str] = []
        params: list[object] = []
        order = "a.id DESC"
        if user_ids is not None:
            if not user_ids:
                return [], 0
            where.append(f"a.telegram_user_id IN ({', '.join('?' for _ in user_ids)})")
            params += user_ids
        if stuck_before is not None:
            progress = last_progress_sql(self._db.dialect, "a.")  # as /stuck
            where.append(f"a.{FINISHED_FIELD} IS NULL AND {progress} < ?")
            params.append(stuck_before)
            order = f"{progress}, a.id"
        if open_request:
            where.append(_OPEN_REQUEST)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        total = await self._db.fetchval(
            f"SELECT count(*) FROM accounts a{clause}",  # noqa: S608 - built from constants
            *params,
        )
        # The page's ids are chosen first (from the index alone where it can), then
        # the accounts and what is kept beside them are read for those rows only:
        # PostgreSQL computes a SELECT list for the rows OFFSET skips too (page 1,000 of
        # 100,000 accounts took 455 ms that way; docs/performance.md).
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS}, {_BESIDE} FROM accounts a WHERE a.id IN"  # noqa: S608
            f" (SELECT a.id FROM accounts a{clause} ORDER BY {order} LIMIT ? OFFSET ?)"
            f" ORDER BY {order}",
            *params,
            limit,
            offset,
        )
        listed = [
            ListedAccount(
                account=account_from(self._db, row),
                language=row["language"],
                reminders_wanted=row["wanted"] is None or bool(row["wanted"]),
                reminders_sent=int(row["sent"] or 0),
                open_request_since=self._db.time_or_none(row["request_opened_at"]),
            )
            for row in rows
        ]
        return listed, int(total or 0)
