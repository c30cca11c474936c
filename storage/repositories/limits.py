"""The units used of each limit, per window (R22, R23)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.limits import Quota, Window
from storage.sql import Connection


class SqlQuotas:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def take(self, quota: Quota, subject: str, window: Window, limit: int) -> bool:
        if limit <= 0:
            return False
        # The first unit of a window inserts its row; later ones add to it only while
        # it is below the limit. On PostgreSQL the upsert locks the row, so two
        # instances' takes are counted one after the other.
        used = await self._db.fetchval(
            "INSERT INTO quotas (scope, subject, window_starts_at, used) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (scope, subject, window_starts_at) DO UPDATE"
            " SET used = quotas.used + 1 WHERE quotas.used < ?"
            " RETURNING used",
            quota.value,
            subject,
            window.starts_at,
            limit,
        )
        return used is not None

    async def give_back(self, quota: Quota, subject: str, window: Window) -> None:
        await self._db.execute(
            "UPDATE quotas SET used = used - 1"
            " WHERE scope = ? AND subject = ? AND window_starts_at = ? AND used > 0",
            quota.value,
            subject,
            window.starts_at,
        )

    async def prune(self, before: datetime) -> int:
        return await self._db.execute("DELETE FROM quotas WHERE window_starts_at < ?", before)
