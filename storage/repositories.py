"""SQLite repositories: they return domain objects and never commit."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import aiosqlite

from bot.domain.accounts import Account
from bot.domain.money import Balance, Credit, LedgerKind
from bot.domain.ports import (
    AlreadyRegistered,
    AutopaySettings,
    CardCheck,
    CheckStatus,
    EmailTaken,
    EmailToken,
    NewAccount,
    PhoneSlotTaken,
    SmsCode,
    TwoFactorRecord,
)
from storage.database import Database, fetch_all, fetch_one
from storage.timefmt import from_db, from_db_optional, to_db

_ACCOUNT_COLUMNS = (
    "id, telegram_user_id, email, created_at, email_confirmed_at, phone, "
    "phone_confirmed_at, card_linked_at, activated_at, api_access_enabled_at"
)


def _account(row: sqlite3.Row) -> Account:
    return Account(
        id=row["id"],
        telegram_user_id=row["telegram_user_id"],
        email=row["email"],
        created_at=from_db(row["created_at"]),
        email_confirmed_at=from_db_optional(row["email_confirmed_at"]),
        phone=row["phone"],
        phone_confirmed_at=from_db_optional(row["phone_confirmed_at"]),
        card_linked_at=from_db_optional(row["card_linked_at"]),
        activated_at=from_db_optional(row["activated_at"]),
        api_access_enabled_at=from_db_optional(row["api_access_enabled_at"]),
    )


class SqliteAccounts:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def _one(self, where: str, value: object) -> Account | None:
        sql = f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {where} = ?"  # noqa: S608
        row = await fetch_one(self._db, sql, (value,))
        return None if row is None else _account(row)

    async def get(self, account_id: int) -> Account | None:
        return await self._one("id", account_id)

    async def by_telegram_user(self, telegram_user_id: int) -> Account | None:
        return await self._one("telegram_user_id", telegram_user_id)

    async def by_email_key(self, email_key: str) -> Account | None:
        return await self._one("email_key", email_key)

    async def add(self, new: NewAccount) -> Account:
        try:
            cursor = await self._db.execute(
                "INSERT INTO accounts (telegram_user_id, email, email_key, password_hash,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    new.telegram_user_id,
                    new.email,
                    new.email_key,
                    new.password_hash,
                    to_db(new.created_at),
                ),
            )
        except sqlite3.IntegrityError as exc:
            # The constraint decides, not an earlier read: two racing sign-ups both
            # pass the read, and only one insert can win.
            if "accounts.email_key" in str(exc):
                raise EmailTaken from None
            if "accounts.telegram_user_id" in str(exc):
                raise AlreadyRegistered from None
            raise
        account_id = cursor.lastrowid
        assert account_id is not None
        account = await self.get(account_id)
        assert account is not None
        return account

    async def confirm_email(self, account_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE accounts SET email_confirmed_at = ?"
            " WHERE id = ? AND email_confirmed_at IS NULL",
            (to_db(at), account_id),
        )

    async def confirm_phone(self, account_id: int, phone: str, at: datetime) -> None:
        await self._db.execute(
            "UPDATE accounts SET phone = ?, phone_confirmed_at = ?"
            " WHERE id = ? AND phone_confirmed_at IS NULL",
            (phone, to_db(at), account_id),
        )

    async def _many(self, sql: str, params: tuple[object, ...]) -> list[Account]:
        rows = await fetch_all(self._db, sql, params)
        return [_account(row) for row in rows]

    async def by_phone(self, phone: str) -> list[Account]:
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE phone = ?"  # noqa: S608
            " OR id IN (SELECT account_id FROM sms_codes WHERE phone = ?) ORDER BY id",
            (phone, phone),
        )

    async def unfinished_since(self, before: datetime) -> list[Account]:
        # Times are fixed-format UTC text, so max() and comparison work on them as text.
        progress = (
            "max(created_at, coalesce(email_confirmed_at, ''), coalesce(phone_confirmed_at, ''),"
            " coalesce(card_linked_at, ''))"
        )
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts"  # noqa: S608
            f" WHERE activated_at IS NULL AND {progress} < ? ORDER BY {progress}",
            (to_db(before),),
        )

    async def created_since(self, since: datetime | None) -> list[Account]:
        if since is None:
            return await self._many(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY id", ())  # noqa: S608
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE created_at >= ? ORDER BY id",  # noqa: S608
            (to_db(since),),
        )

    async def link_card(self, account_id: int, at: datetime) -> bool:
        cursor = await self._db.execute(
            "UPDATE accounts SET card_linked_at = ? WHERE id = ? AND card_linked_at IS NULL",
            (to_db(at), account_id),
        )
        return cursor.rowcount == 1

    async def activate(self, account_id: int, at: datetime) -> bool:
        cursor = await self._db.execute(
            "UPDATE accounts SET activated_at = ? WHERE id = ? AND activated_at IS NULL",
            (to_db(at), account_id),
        )
        return cursor.rowcount == 1

    async def set_api_access(self, account_id: int, at: datetime | None) -> None:
        await self._db.execute(
            "UPDATE accounts SET api_access_enabled_at = ? WHERE id = ?",
            (None if at is None else to_db(at), account_id),
        )


def _token(row: sqlite3.Row) -> EmailToken:
    return EmailToken(
        id=row["id"],
        account_id=row["account_id"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        delivered_at=from_db_optional(row["delivered_at"]),
        used_at=from_db_optional(row["used_at"]),
        voided_at=from_db_optional(row["voided_at"]),
    )


class SqliteEmailTokens:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def add(
        self, account_id: int, digest: str, created_at: datetime, expires_at: datetime
    ) -> int:
        cursor = await self._db.execute(
            "INSERT INTO email_tokens (account_id, token_digest, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            (account_id, digest, to_db(created_at), to_db(expires_at)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def find(self, digest: str) -> EmailToken | None:
        row = await fetch_one(
            self._db,
            "SELECT id, account_id, created_at, expires_at, delivered_at, used_at, voided_at"
            " FROM email_tokens WHERE token_digest = ?",
            (digest,),
        )
        return None if row is None else _token(row)

    async def use(self, token_id: int, at: datetime) -> bool:
        cursor = await self._db.execute(
            "UPDATE email_tokens SET used_at = ?"
            " WHERE id = ? AND used_at IS NULL AND voided_at IS NULL",
            (to_db(at), token_id),
        )
        return cursor.rowcount == 1

    async def mark_delivered(self, token_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET delivered_at = ? WHERE id = ?", (to_db(at), token_id)
        )

    async def void(self, token_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET voided_at = ? WHERE id = ? AND voided_at IS NULL",
            (to_db(at), token_id),
        )

    async def void_others(self, account_id: int, keep_token_id: int | None, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET voided_at = ?"
            " WHERE account_id = ? AND id IS NOT ? AND used_at IS NULL AND voided_at IS NULL",
            (to_db(at), account_id, keep_token_id),
        )

    async def last_delivered_at(self, account_id: int) -> datetime | None:
        row = await fetch_one(
            self._db,
            "SELECT max(delivered_at) FROM email_tokens WHERE account_id = ?",
            (account_id,),
        )
        return None if row is None else from_db_optional(row[0])

    async def latest_delivered(self, account_id: int) -> EmailToken | None:
        row = await fetch_one(
            self._db,
            "SELECT id, account_id, created_at, expires_at, delivered_at, used_at, voided_at"
            " FROM email_tokens WHERE account_id = ? AND delivered_at IS NOT NULL"
            " ORDER BY delivered_at DESC, id DESC LIMIT 1",
            (account_id,),
        )
        return None if row is None else _token(row)


_CODE_COLUMNS = (
    "id, account_id, phone, salt, code_digest, created_at, expires_at, sent_at, attempts,"
    " used_at, voided_at, prompt_chat_id, prompt_message_id, prompt_language,"
    " prompt_refreshed_at"
)


def _code(row: sqlite3.Row) -> SmsCode:
    return SmsCode(
        id=row["id"],
        account_id=row["account_id"],
        phone=row["phone"],
        salt=row["salt"],
        digest=row["code_digest"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        sent_at=from_db_optional(row["sent_at"]),
        attempts=row["attempts"],
        used_at=from_db_optional(row["used_at"]),
        voided_at=from_db_optional(row["voided_at"]),
        prompt_chat_id=row["prompt_chat_id"],
        prompt_message_id=row["prompt_message_id"],
        prompt_language=row["prompt_language"],
        prompt_refreshed_at=from_db_optional(row["prompt_refreshed_at"]),
    )


class SqliteSmsCodes:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def add(
        self,
        account_id: int,
        phone: str,
        salt: str,
        digest: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> int:
        cursor = await self._db.execute(
            "INSERT INTO sms_codes (account_id, phone, salt, code_digest, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (account_id, phone, salt, digest, to_db(created_at), to_db(expires_at)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def _one(self, sql: str, params: tuple[object, ...]) -> SmsCode | None:
        row = await fetch_one(self._db, sql, params)
        return None if row is None else _code(row)

    async def get(self, code_id: int) -> SmsCode | None:
        return await self._one(f"SELECT {_CODE_COLUMNS} FROM sms_codes WHERE id = ?", (code_id,))  # noqa: S608

    async def latest(self, account_id: int) -> SmsCode | None:
        return await self._one(
            f"SELECT {_CODE_COLUMNS} FROM sms_codes"  # noqa: S608
            " WHERE account_id = ? AND sent_at IS NOT NULL"
            " ORDER BY sent_at DESC, id DESC LIMIT 1",
            (account_id,),
        )

    async def mark_sent(self, code_id: int, at: datetime) -> bool:
        cursor = await self._db.execute(
            "UPDATE sms_codes SET sent_at = ? WHERE id = ? AND voided_at IS NULL",
            (to_db(at), code_id),
        )
        return cursor.rowcount == 1

    async def void(self, code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET voided_at = ? WHERE id = ? AND voided_at IS NULL",
            (to_db(at), code_id),
        )

    async def void_others(self, account_id: int, keep_code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET voided_at = ?"
            " WHERE account_id = ? AND id != ? AND used_at IS NULL AND voided_at IS NULL",
            (to_db(at), account_id, keep_code_id),
        )

    async def record_wrong_attempt(
        self, code_id: int, max_attempts: int, at: datetime, attempt_key: int | None
    ) -> int:
        # One statement: the count and the voiding cannot be split by another try.
        row = await fetch_one(
            self._db,
            "UPDATE sms_codes SET attempts = attempts + 1, last_attempt_key = ?,"
            " voided_at = CASE WHEN attempts + 1 >= ? THEN ? ELSE NULL END"
            " WHERE id = ? AND sent_at IS NOT NULL AND used_at IS NULL AND voided_at IS NULL"
            " AND (? IS NULL OR last_attempt_key IS NOT ?)"
            " RETURNING attempts",
            (attempt_key, max_attempts, to_db(at), code_id, attempt_key, attempt_key),
        )
        if row is not None:
            return int(row[0])
        if attempt_key is not None:
            # This very try was counted already (the message came again).
            again = await fetch_one(
                self._db,
                "SELECT attempts FROM sms_codes WHERE id = ? AND last_attempt_key = ?",
                (code_id, attempt_key),
            )
            if again is not None:
                return int(again[0])
        return 0

    async def use(self, code_id: int, at: datetime) -> bool:
        cursor = await self._db.execute(
            "UPDATE sms_codes SET used_at = ?"
            " WHERE id = ? AND sent_at IS NOT NULL AND used_at IS NULL AND voided_at IS NULL",
            (to_db(at), code_id),
        )
        return cursor.rowcount == 1

    async def set_prompt(self, code_id: int, chat_id: int, message_id: int, language: str) -> None:
        # A newer prompt for the same code (the person resumed) replaces the older one.
        await self._db.execute(
            "UPDATE sms_codes SET prompt_chat_id = ?, prompt_message_id = ?,"
            " prompt_language = ?, prompt_refreshed_at = NULL WHERE id = ?",
            (chat_id, message_id, language, code_id),
        )

    async def prompts_due(self, sent_before: datetime, limit: int) -> list[SmsCode]:
        rows = await fetch_all(
            self._db,
            f"SELECT {_CODE_COLUMNS} FROM sms_codes"  # noqa: S608
            " WHERE prompt_message_id IS NOT NULL AND prompt_refreshed_at IS NULL"
            " AND sent_at IS NOT NULL AND used_at IS NULL AND voided_at IS NULL"
            " AND sent_at <= ? ORDER BY sent_at LIMIT ?",
            (to_db(sent_before), limit),
        )
        return [_code(row) for row in rows]

    async def next_prompt_sent_at(self) -> datetime | None:
        row = await fetch_one(
            self._db,
            "SELECT min(sent_at) FROM sms_codes"
            " WHERE prompt_message_id IS NOT NULL AND prompt_refreshed_at IS NULL"
            " AND sent_at IS NOT NULL AND used_at IS NULL AND voided_at IS NULL",
        )
        return None if row is None else from_db_optional(row[0])

    async def mark_prompt_refreshed(self, code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET prompt_refreshed_at = ? WHERE id = ?", (to_db(at), code_id)
        )


class SqlitePhoneConfirmations:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def holders(self, phone: str) -> list[int]:
        rows = await fetch_all(
            self._db,
            "SELECT account_id FROM phone_confirmations WHERE phone = ? ORDER BY place",
            (phone,),
        )
        return [int(row[0]) for row in rows]

    async def claim(self, phone: str, account_id: int, places: int, at: datetime) -> bool:
        rows = await fetch_all(
            self._db, "SELECT place FROM phone_confirmations WHERE phone = ?", (phone,)
        )
        taken = {int(row[0]) for row in rows}
        free = [place for place in range(1, places + 1) if place not in taken]
        if not free:
            return False
        try:
            await self._db.execute(
                "INSERT INTO phone_confirmations (phone, place, account_id, confirmed_at)"
                " VALUES (?, ?, ?, ?)",
                (phone, free[0], account_id, to_db(at)),
            )
        except sqlite3.IntegrityError as exc:
            if "phone_confirmations.phone" in str(exc):
                raise PhoneSlotTaken from None
            raise
        return True


class SqliteCardChecks:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def add(
        self,
        account_id: int,
        payload_digest: str,
        backend: str,
        amount_kopecks: int,
        currency: str,
        created_at: datetime,
    ) -> int:
        await self._db.execute(
            "UPDATE card_checks SET status = 'superseded', closed_at = ?"
            " WHERE account_id = ? AND status = 'pending'",
            (to_db(created_at), account_id),
        )
        cursor = await self._db.execute(
            "INSERT INTO card_checks (account_id, payload_digest, backend, amount_kopecks,"
            " currency, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (account_id, payload_digest, backend, amount_kopecks, currency, to_db(created_at)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def by_payload(self, payload_digest: str) -> CardCheck | None:
        row = await fetch_one(
            self._db,
            "SELECT id, account_id, backend, amount_kopecks, currency, created_at, status,"
            " charge_id FROM card_checks WHERE payload_digest = ?",
            (payload_digest,),
        )
        if row is None:
            return None
        return CardCheck(
            id=row["id"],
            account_id=row["account_id"],
            backend=row["backend"],
            amount_kopecks=row["amount_kopecks"],
            currency=row["currency"],
            created_at=from_db(row["created_at"]),
            status=CheckStatus(row["status"]),
            charge_id=row["charge_id"],
        )

    async def close(self, check_id: int, status: CheckStatus, at: datetime) -> bool:
        cursor = await self._db.execute(
            "UPDATE card_checks SET status = ?, closed_at = ? WHERE id = ? AND status = 'pending'",
            (status.value, to_db(at), check_id),
        )
        return cursor.rowcount == 1

    async def mark_paid(
        self, check_id: int, charge_id: str, provider_charge_id: str | None, at: datetime
    ) -> bool:
        cursor = await self._db.execute(
            "UPDATE card_checks SET status = 'paid', closed_at = ?, charge_id = ?,"
            " provider_charge_id = ? WHERE id = ? AND charge_id IS NULL",
            (to_db(at), charge_id, provider_charge_id, check_id),
        )
        return cursor.rowcount == 1


class SqliteLedger:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def credit(self, credit: Credit, at: datetime) -> bool:
        cursor = await self._db.execute(
            "INSERT INTO ledger (account_id, kind, amount_kopecks, reason, source_id,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (reason, source_id) DO NOTHING",
            (
                credit.account_id,
                credit.kind.value,
                credit.amount_kopecks,
                credit.reason.value,
                credit.source_id,
                to_db(at),
            ),
        )
        return cursor.rowcount == 1

    async def balance(self, account_id: int) -> Balance:
        rows = await fetch_all(
            self._db,
            "SELECT kind, sum(amount_kopecks) FROM ledger WHERE account_id = ? GROUP BY kind",
            (account_id,),
        )
        sums = {LedgerKind(row[0]): int(row[1]) for row in rows}
        return Balance(
            money_kopecks=sums.get(LedgerKind.MONEY, 0),
            bonus_kopecks=sums.get(LedgerKind.BONUS, 0),
        )


class SqliteAutopay:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def get(self, account_id: int) -> AutopaySettings | None:
        row = await fetch_one(
            self._db,
            "SELECT enabled, amount_kopecks, threshold_kopecks, updated_at"
            " FROM autopay_settings WHERE account_id = ?",
            (account_id,),
        )
        if row is None:
            return None
        return AutopaySettings(
            enabled=bool(row["enabled"]),
            amount_kopecks=row["amount_kopecks"],
            threshold_kopecks=row["threshold_kopecks"],
            updated_at=from_db(row["updated_at"]),
        )

    async def put(self, account_id: int, settings: AutopaySettings) -> None:
        await self._db.execute(
            "INSERT INTO autopay_settings (account_id, enabled, amount_kopecks,"
            " threshold_kopecks, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled,"
            " amount_kopecks = excluded.amount_kopecks,"
            " threshold_kopecks = excluded.threshold_kopecks, updated_at = excluded.updated_at",
            (
                account_id,
                int(settings.enabled),
                settings.amount_kopecks,
                settings.threshold_kopecks,
                to_db(settings.updated_at),
            ),
        )


class SqliteTwoFactor:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def get(self, account_id: int) -> TwoFactorRecord | None:
        row = await fetch_one(
            self._db,
            "SELECT account_id, secret_enc, created_at, enabled_at, attempts, last_used_step,"
            " locked_until FROM two_factor WHERE account_id = ?",
            (account_id,),
        )
        if row is None:
            return None
        return TwoFactorRecord(
            account_id=row["account_id"],
            secret=row["secret_enc"],
            created_at=from_db(row["created_at"]),
            enabled_at=from_db_optional(row["enabled_at"]),
            attempts=row["attempts"],
            last_used_step=row["last_used_step"],
            locked_until=from_db_optional(row["locked_until"]),
        )

    async def put_pending(self, account_id: int, secret: str, at: datetime) -> None:
        # Only an unconfirmed set-up is replaced: an enabled one is never overwritten.
        await self._db.execute(
            "INSERT INTO two_factor (account_id, secret_enc, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (account_id) DO UPDATE SET secret_enc = excluded.secret_enc,"
            " created_at = excluded.created_at, attempts = 0, last_attempt_key = NULL"
            " WHERE two_factor.enabled_at IS NULL",
            (account_id, secret, to_db(at)),
        )

    async def wrong_attempt(self, account_id: int, attempt_key: int | None) -> int:
        row = await fetch_one(
            self._db,
            "UPDATE two_factor SET attempts = attempts + 1, last_attempt_key = ?"
            " WHERE account_id = ? AND (? IS NULL OR last_attempt_key IS NOT ?)"
            " RETURNING attempts",
            (attempt_key, account_id, attempt_key, attempt_key),
        )
        if row is not None:
            return int(row[0])
        record = await self.get(account_id)
        return 0 if record is None else record.attempts

    async def delete(self, account_id: int) -> None:
        await self._db.execute("DELETE FROM two_factor WHERE account_id = ?", (account_id,))

    async def enable(self, account_id: int, at: datetime, step: int) -> None:
        await self._db.execute(
            "UPDATE two_factor SET enabled_at = ?, last_used_step = ?, attempts = 0"
            " WHERE account_id = ? AND enabled_at IS NULL",
            (to_db(at), step, account_id),
        )

    async def used_step(self, account_id: int, step: int | None) -> None:
        await self._db.execute(
            "UPDATE two_factor SET last_used_step = ?, attempts = 0, locked_until = NULL"
            " WHERE account_id = ?",
            (step, account_id),
        )

    async def lock(self, account_id: int, until: datetime) -> None:
        await self._db.execute(
            "UPDATE two_factor SET locked_until = ?, attempts = 0 WHERE account_id = ?",
            (to_db(until), account_id),
        )


class SqliteBackupCodes:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def replace(self, account_id: int, macs: list[str], at: datetime) -> None:
        await self._db.execute("DELETE FROM backup_codes WHERE account_id = ?", (account_id,))
        await self._db.executemany(
            "INSERT INTO backup_codes (account_id, code_mac, created_at) VALUES (?, ?, ?)",
            [(account_id, mac, to_db(at)) for mac in macs],
        )

    async def use(self, account_id: int, mac: str, at: datetime) -> bool:
        # Single use: the conditional update decides, even for two tries at once.
        cursor = await self._db.execute(
            "UPDATE backup_codes SET used_at = ?"
            " WHERE account_id = ? AND code_mac = ? AND used_at IS NULL",
            (to_db(at), account_id, mac),
        )
        return cursor.rowcount == 1


class SqlitePreferences:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def language(self, telegram_user_id: int) -> str | None:
        row = await fetch_one(
            self._db,
            "SELECT language FROM preferences WHERE telegram_user_id = ?",
            (telegram_user_id,),
        )
        return None if row is None else str(row[0])

    async def set_language(self, telegram_user_id: int, language: str) -> None:
        await self._db.execute(
            "INSERT INTO preferences (telegram_user_id, language) VALUES (?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET language = excluded.language",
            (telegram_user_id, language),
        )


class SqliteTransaction:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.accounts = SqliteAccounts(connection)
        self.email_tokens = SqliteEmailTokens(connection)
        self.preferences = SqlitePreferences(connection)
        self.sms_codes = SqliteSmsCodes(connection)
        self.phones = SqlitePhoneConfirmations(connection)
        self.card_checks = SqliteCardChecks(connection)
        self.ledger = SqliteLedger(connection)
        self.autopay = SqliteAutopay(connection)
        self.two_factor = SqliteTwoFactor(connection)
        self.backup_codes = SqliteBackupCodes(connection)


class SqliteStore:
    """The domain's `Store` on the SQLite file."""

    def __init__(self, database: Database) -> None:
        self._database = database

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTransaction]:
        async with self._database.transaction() as connection:
            yield SqliteTransaction(connection)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SqliteTransaction]:
        async with self._database.reading() as connection:
            yield SqliteTransaction(connection)
