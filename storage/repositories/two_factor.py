"""Two-factor authentication and its backup codes (R13)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.records import TwoFactorRecord
from storage.sql import Connection


class SqlTwoFactor:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def get(self, account_id: int) -> TwoFactorRecord | None:
        row = await self._db.fetchrow(
            "SELECT account_id, secret_enc, created_at, enabled_at, attempts, last_used_step,"
            " locked_until, pending_codes_enc FROM two_factor WHERE account_id = ?",
            account_id,
        )
        if row is None:
            return None
        return TwoFactorRecord(
            account_id=int(row["account_id"]),
            secret=row["secret_enc"],
            created_at=self._db.time(row["created_at"]),
            enabled_at=self._db.time_or_none(row["enabled_at"]),
            attempts=int(row["attempts"]),
            last_used_step=row["last_used_step"],
            locked_until=self._db.time_or_none(row["locked_until"]),
            pending_codes=row["pending_codes_enc"],
        )

    async def put_pending(self, account_id: int, secret: str, at: datetime) -> None:
        # Only an unconfirmed set-up is replaced: an enabled one is never overwritten.
        await self._db.execute(
            "INSERT INTO two_factor (account_id, secret_enc, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (account_id) DO UPDATE SET secret_enc = excluded.secret_enc,"
            " created_at = excluded.created_at, attempts = 0, last_attempt_key = NULL"
            " WHERE two_factor.enabled_at IS NULL",
            account_id,
            secret,
            at,
        )

    async def wrong_attempt(self, account_id: int, attempt_key: int | None) -> int:
        attempts = await self._db.fetchval(
            "UPDATE two_factor SET attempts = attempts + 1, last_attempt_key = ?"
            " WHERE account_id = ?"
            " AND (?::bigint IS NULL OR last_attempt_key IS DISTINCT FROM ?)"
            " RETURNING attempts",
            attempt_key,
            account_id,
            attempt_key,
            attempt_key,
        )
        if attempts is not None:
            return int(attempts)
        record = await self.get(account_id)
        return 0 if record is None else record.attempts

    async def delete(self, account_id: int) -> None:
        await self._db.execute("DELETE FROM two_factor WHERE account_id = ?", account_id)

    async def enable(self, account_id: int, at: datetime, step: int, pending_codes: str) -> None:
        await self._db.execute(
            "UPDATE two_factor SET enabled_at = ?, last_used_step = ?, attempts = 0,"
            " pending_codes_enc = ? WHERE account_id = ? AND enabled_at IS NULL",
            at,
            step,
            pending_codes,
            account_id,
        )

    async def codes_saved(self, account_id: int) -> bool:
        changed = await self._db.execute(
            "UPDATE two_factor SET pending_codes_enc = NULL"
            " WHERE account_id = ? AND pending_codes_enc IS NOT NULL",
            account_id,
        )
        return changed == 1

    async def used_step(self, account_id: int, step: int | None) -> None:
        await self._db.execute(
            "UPDATE two_factor SET last_used_step = ?, attempts = 0, locked_until = NULL"
            " WHERE account_id = ?",
            step,
            account_id,
        )

    async def lock(self, account_id: int, until: datetime) -> None:
        await self._db.execute(
            "UPDATE two_factor SET locked_until = ?, attempts = 0 WHERE account_id = ?",
            until,
            account_id,
        )


class SqlBackupCodes:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def replace(self, account_id: int, macs: list[str], at: datetime) -> None:
        await self._db.execute("DELETE FROM backup_codes WHERE account_id = ?", account_id)
        await self._db.executemany(
            "INSERT INTO backup_codes (account_id, code_mac, created_at) VALUES (?, ?, ?)",
            [(account_id, mac, at) for mac in macs],
        )

    async def use(self, account_id: int, mac: str, at: datetime) -> bool:
        # Single use: the conditional update decides, even for two tries at once.
        changed = await self._db.execute(
            "UPDATE backup_codes SET used_at = ?"
            " WHERE account_id = ? AND code_mac = ? AND used_at IS NULL",
            at,
            account_id,
            mac,
        )
        return changed == 1
