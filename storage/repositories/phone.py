"""SMS codes and the places of each confirmed phone number (R6-R8)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.ports import PhoneSlotTaken
from bot.domain.records import SmsCode
from storage.sql import Connection, Row, UniqueViolation

_CODE_COLUMNS = (
    "id, account_id, phone, salt, code_digest, created_at, expires_at, sent_at, attempts,"
    " used_at, voided_at, prompt_chat_id, prompt_message_id, prompt_language,"
    " prompt_refreshed_at"
)
_LIVE = "sent_at IS NOT NULL AND used_at IS NULL AND voided_at IS NULL"
_PROMPT_DUE = f"prompt_message_id IS NOT NULL AND prompt_refreshed_at IS NULL AND {_LIVE}"


class SqlSmsCodes:
    def __init__(self, db: Connection) -> None:
        self._db = db

    def _code(self, row: Row) -> SmsCode:
        time, maybe = self._db.time, self._db.time_or_none
        return SmsCode(
            id=int(row["id"]),
            account_id=int(row["account_id"]),
            phone=row["phone"],
            salt=row["salt"],
            digest=row["code_digest"],
            created_at=time(row["created_at"]),
            expires_at=time(row["expires_at"]),
            sent_at=maybe(row["sent_at"]),
            attempts=int(row["attempts"]),
            used_at=maybe(row["used_at"]),
            voided_at=maybe(row["voided_at"]),
            prompt_chat_id=row["prompt_chat_id"],
            prompt_message_id=row["prompt_message_id"],
            prompt_language=row["prompt_language"],
            prompt_refreshed_at=maybe(row["prompt_refreshed_at"]),
        )

    async def _one(self, sql: str, *params: object) -> SmsCode | None:
        row = await self._db.fetchrow(sql, *params)
        return None if row is None else self._code(row)

    async def add(
        self,
        account_id: int,
        phone: str,
        salt: str,
        digest: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> int:
        code_id = await self._db.fetchval(
            "INSERT INTO sms_codes (account_id, phone, salt, code_digest, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            account_id,
            phone,
            salt,
            digest,
            created_at,
            expires_at,
        )
        return int(code_id)

    async def get(self, code_id: int) -> SmsCode | None:
        return await self._one(f"SELECT {_CODE_COLUMNS} FROM sms_codes WHERE id = ?", code_id)  # noqa: S608

    async def latest(self, account_id: int) -> SmsCode | None:
        return await self._one(
            f"SELECT {_CODE_COLUMNS} FROM sms_codes"  # noqa: S608
            " WHERE account_id = ? AND sent_at IS NOT NULL"
            " ORDER BY sent_at DESC, id DESC LIMIT 1",
            account_id,
        )

    async def recent(self, account_id: int, limit: int) -> list[SmsCode]:
        rows = await self._db.fetch(
            f"SELECT {_CODE_COLUMNS} FROM sms_codes"  # noqa: S608
            " WHERE account_id = ? AND sent_at IS NOT NULL"
            " ORDER BY sent_at DESC, id DESC LIMIT ?",
            account_id,
            limit,
        )
        return [self._code(row) for row in rows]

    async def mark_sent(self, code_id: int, at: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE sms_codes SET sent_at = ? WHERE id = ? AND voided_at IS NULL", at, code_id
        )
        return changed == 1

    async def void(self, code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET voided_at = ? WHERE id = ? AND voided_at IS NULL", at, code_id
        )

    async def void_others(self, account_id: int, keep_code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET voided_at = ? WHERE account_id = ? AND id <> ?"
            " AND used_at IS NULL AND voided_at IS NULL",
            at,
            account_id,
            keep_code_id,
        )

    async def record_wrong_attempt(
        self, code_id: int, max_attempts: int, at: datetime, attempt_key: int | None
    ) -> int:
        # One statement: the count and the voiding cannot be split by another try (on
        # PostgreSQL the row lock makes a second instance's try wait, then see this).
        attempts = await self._db.fetchval(
            "UPDATE sms_codes SET attempts = attempts + 1, last_attempt_key = ?,"  # noqa: S608
            " voided_at = CASE WHEN attempts + 1 >= ? THEN ?::timestamptz ELSE NULL END"
            f" WHERE id = ? AND {_LIVE}"
            " AND (?::bigint IS NULL OR last_attempt_key IS DISTINCT FROM ?)"
            " RETURNING attempts",
            attempt_key,
            max_attempts,
            at,
            code_id,
            attempt_key,
            attempt_key,
        )
        if attempts is not None:
            return int(attempts)
        if attempt_key is not None:
            # This very try was counted already (the message came again).
            again = await self._db.fetchval(
                "SELECT attempts FROM sms_codes WHERE id = ? AND last_attempt_key = ?",
                code_id,
                attempt_key,
            )
            if again is not None:
                return int(again)
        return 0

    async def use(self, code_id: int, at: datetime) -> bool:
        changed = await self._db.execute(
            f"UPDATE sms_codes SET used_at = ? WHERE id = ? AND {_LIVE}",  # noqa: S608
            at,
            code_id,
        )
        return changed == 1

    async def set_prompt(self, code_id: int, chat_id: int, message_id: int, language: str) -> None:
        # A newer prompt for the same code (the person resumed) replaces the older one.
        await self._db.execute(
            "UPDATE sms_codes SET prompt_chat_id = ?, prompt_message_id = ?,"
            " prompt_language = ?, prompt_refreshed_at = NULL WHERE id = ?",
            chat_id,
            message_id,
            language,
            code_id,
        )

    async def prompts_due(self, sent_before: datetime, limit: int) -> list[SmsCode]:
        rows = await self._db.fetch(
            f"SELECT {_CODE_COLUMNS} FROM sms_codes"  # noqa: S608
            f" WHERE {_PROMPT_DUE} AND sent_at <= ? ORDER BY sent_at LIMIT ?",
            sent_before,
            limit,
        )
        return [self._code(row) for row in rows]

    async def next_prompt_sent_at(self) -> datetime | None:
        value = await self._db.fetchval(f"SELECT min(sent_at) FROM sms_codes WHERE {_PROMPT_DUE}")  # noqa: S608
        return self._db.time_or_none(value)

    async def mark_prompt_refreshed(self, code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET prompt_refreshed_at = ? WHERE id = ?", at, code_id
        )


class SqlPhoneConfirmations:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def holders(self, phone: str) -> list[int]:
        rows = await self._db.fetch(
            "SELECT account_id FROM phone_confirmations WHERE phone = ? ORDER BY place", phone
        )
        return [int(row["account_id"]) for row in rows]

    async def claim(self, phone: str, account_id: int, places: int, at: datetime) -> bool:
        rows = await self._db.fetch("SELECT place FROM phone_confirmations WHERE phone = ?", phone)
        taken = {int(row["place"]) for row in rows}
        free = [place for place in range(1, places + 1) if place not in taken]
        if not free:
            return False
        try:
            async with self._db.savepoint():
                await self._db.execute(
                    "INSERT INTO phone_confirmations (phone, place, account_id, confirmed_at)"
                    " VALUES (?, ?, ?, ?)",
                    phone,
                    free[0],
                    account_id,
                    at,
                )
        except UniqueViolation as exc:
            # Another account took this place first (on another instance, its insert
            # committed while ours waited on the key).
            if {"phone", "place"} <= exc.columns:
                raise PhoneSlotTaken from None
            raise
        return True
