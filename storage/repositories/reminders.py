"""Reminders and who wants them (issue 19, R38-R40)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.reminders import Reminder, ReminderStatus
from bot.domain.steps import Step
from storage.sql import Connection


class SqlReminders:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def claim(
        self, telegram_user_id: int, step: str, number: int, status: str, at: datetime
    ) -> bool:
        claimed = await self._db.fetchval(
            "INSERT INTO reminders (telegram_user_id, step, number, status, claimed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (telegram_user_id, step, number) DO NOTHING"
            " RETURNING number",
            telegram_user_id,
            step,
            number,
            status,
            at,
        )
        return claimed is not None

    async def mark(
        self,
        telegram_user_id: int,
        step: str,
        number: int,
        status: str,
        sent_at: datetime | None,
        claimed_at: datetime | None = None,
    ) -> None:
        await self._db.execute(
            "UPDATE reminders SET status = ?, sent_at = coalesce(?, sent_at),"
            " claimed_at = coalesce(?, claimed_at)"
            " WHERE telegram_user_id = ? AND step = ? AND number = ?",
            status,
            sent_at,
            claimed_at,
            telegram_user_id,
            step,
            number,
        )

    async def counts(self) -> dict[tuple[int, str], int]:
        rows = await self._db.fetch(
            "SELECT telegram_user_id, step, count(*) AS n FROM reminders"
            " GROUP BY telegram_user_id, step"
        )
        return {(int(r["telegram_user_id"]), str(r["step"])): int(r["n"]) for r in rows}

    async def unwanted(self) -> set[int]:
        rows = await self._db.fetch(
            "SELECT telegram_user_id FROM reminder_choices WHERE wanted = ?", False
        )
        return {int(r["telegram_user_id"]) for r in rows}

    async def blocked(self) -> dict[int, datetime]:
        rows = await self._db.fetch(
            "SELECT telegram_user_id, changed_at FROM reminder_choices WHERE blocked = ?", True
        )
        return {int(r["telegram_user_id"]): self._db.time(r["changed_at"]) for r in rows}

    async def retries(self, claimed_before: datetime) -> list[tuple[int, str, int]]:
        rows = await self._db.fetch(
            "SELECT telegram_user_id, step, number FROM reminders"
            " WHERE status = 'retry' AND claimed_at < ? ORDER BY claimed_at LIMIT 500",
            claimed_before,
        )
        return [(int(r["telegram_user_id"]), str(r["step"]), int(r["number"])) for r in rows]

    async def since(self, since: datetime | None) -> list[Reminder]:
        sql = "SELECT telegram_user_id, step, number, status, claimed_at, sent_at FROM reminders"
        rows = (
            await self._db.fetch(sql + " ORDER BY claimed_at")
            if since is None
            else await self._db.fetch(sql + " WHERE claimed_at >= ? ORDER BY claimed_at", since)
        )
        return [
            Reminder(
                user_id=int(r["telegram_user_id"]),
                step=Step(r["step"]),
                number=int(r["number"]),
                status=ReminderStatus(r["status"]),
                claimed_at=self._db.time(r["claimed_at"]),
                sent_at=self._db.time_or_none(r["sent_at"]),
            )
            for r in rows
        ]

    async def wanted(self, telegram_user_id: int) -> bool:
        row = await self._db.fetchrow(
            "SELECT wanted, blocked FROM reminder_choices WHERE telegram_user_id = ?",
            telegram_user_id,
        )
        return row is None or bool(row["wanted"])

    async def set_wanted(
        self, telegram_user_id: int, wanted: bool, *, blocked: bool, at: datetime
    ) -> None:
        if blocked:
            # A block keeps the person's own choice as it was.
            await self._db.execute(
                "INSERT INTO reminder_choices (telegram_user_id, wanted, blocked, changed_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (telegram_user_id) DO UPDATE"
                " SET blocked = excluded.blocked, changed_at = excluded.changed_at",
                telegram_user_id,
                True,
                True,
                at,
            )
            return
        await self._db.execute(
            "INSERT INTO reminder_choices (telegram_user_id, wanted, blocked, changed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (telegram_user_id) DO UPDATE"
            " SET wanted = excluded.wanted, changed_at = excluded.changed_at",
            telegram_user_id,
            wanted,
            False,
            at,
        )
