"""PostgreSQL repositories: the same contract as storage/repositories.py (the shared
suite in tests/storage runs on both), in PostgreSQL's SQL. They never commit.

A statement that a constraint may refuse runs in a savepoint: PostgreSQL aborts the
whole transaction on an error, and the domain may go on after EmailTaken and the like.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg

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
from storage.postgres.database import PgDatabase, rows_changed

_ACCOUNT_COLUMNS = (
    "id, telegram_user_id, email, created_at, email_confirmed_at, phone,"
    " phone_confirmed_at, card_linked_at, activated_at, api_access_enabled_at"
)


def _account(row: asyncpg.Record) -> Account:
    return Account(**dict(row))


class PgAccounts:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def _one(self, where: str, value: object) -> Account | None:
        sql = f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {where} = $1"  # noqa: S608
        row = await self._db.fetchrow(sql, value)
        return None if row is None else _account(row)

    async def get(self, account_id: int) -> Account | None:
        return await self._one("id", account_id)

    async def by_telegram_user(self, telegram_user_id: int) -> Account | None:
        return await self._one("telegram_user_id", telegram_user_id)

    async def by_email_key(self, email_key: str) -> Account | None:
        return await self._one("email_key", email_key)

    async def add(self, new: NewAccount) -> Account:
        try:
            async with self._db.transaction():  # a savepoint
                row = await self._db.fetchrow(
                    "INSERT INTO accounts (telegram_user_id, email, email_key, password_hash,"  # noqa: S608
                    f" created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {_ACCOUNT_COLUMNS}",
                    new.telegram_user_id,
                    new.email,
                    new.email_key,
                    new.password_hash,
                    new.created_at,
                )
        except asyncpg.UniqueViolationError as exc:
            # The constraint decides, not an earlier read, on whichever instance.
            if exc.constraint_name == "accounts_email_key_key":
                raise EmailTaken from None
            if exc.constraint_name == "accounts_telegram_user_id_key":
                raise AlreadyRegistered from None
            raise
        assert row is not None
        return _account(row)

    async def confirm_email(self, account_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE accounts SET email_confirmed_at = $1"
            " WHERE id = $2 AND email_confirmed_at IS NULL",
            at,
            account_id,
        )

    async def confirm_phone(self, account_id: int, phone: str, at: datetime) -> None:
        await self._db.execute(
            "UPDATE accounts SET phone = $1, phone_confirmed_at = $2"
            " WHERE id = $3 AND phone_confirmed_at IS NULL",
            phone,
            at,
            account_id,
        )

    async def _many(self, sql: str, *params: object) -> list[Account]:
        return [_account(row) for row in await self._db.fetch(sql, *params)]

    async def by_phone(self, phone: str) -> list[Account]:
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE phone = $1"  # noqa: S608
            " OR id IN (SELECT account_id FROM sms_codes WHERE phone = $1) ORDER BY id",
            phone,
        )

    async def unfinished_since(self, before: datetime) -> list[Account]:
        # greatest() skips NULLs: the time of the last step done.
        progress = "greatest(created_at, email_confirmed_at, phone_confirmed_at, card_linked_at)"
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts"  # noqa: S608
            f" WHERE activated_at IS NULL AND {progress} < $1 ORDER BY {progress}, id",
            before,
        )

    async def created_since(self, since: datetime | None) -> list[Account]:
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts"  # noqa: S608
            " WHERE $1::timestamptz IS NULL OR created_at >= $1 ORDER BY id",
            since,
        )

    async def link_card(self, account_id: int, at: datetime) -> bool:
        status = await self._db.execute(
            "UPDATE accounts SET card_linked_at = $1 WHERE id = $2 AND card_linked_at IS NULL",
            at,
            account_id,
        )
        return rows_changed(status) == 1

    async def activate(self, account_id: int, at: datetime) -> bool:
        status = await self._db.execute(
            "UPDATE accounts SET activated_at = $1 WHERE id = $2 AND activated_at IS NULL",
            at,
            account_id,
        )
        return rows_changed(status) == 1

    async def set_api_access(self, account_id: int, at: datetime | None) -> None:
        await self._db.execute(
            "UPDATE accounts SET api_access_enabled_at = $1 WHERE id = $2", at, account_id
        )


_EMAIL_TOKEN_FIELDS = "id, account_id, created_at, expires_at, delivered_at, used_at, voided_at"  # noqa: S105 - column names


class PgEmailTokens:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def add(
        self, account_id: int, digest: str, created_at: datetime, expires_at: datetime
    ) -> int:
        token_id = await self._db.fetchval(
            "INSERT INTO email_tokens (account_id, token_digest, created_at, expires_at)"
            " VALUES ($1, $2, $3, $4) RETURNING id",
            account_id,
            digest,
            created_at,
            expires_at,
        )
        return int(token_id)

    async def find(self, digest: str) -> EmailToken | None:
        row = await self._db.fetchrow(
            f"SELECT {_EMAIL_TOKEN_FIELDS} FROM email_tokens WHERE token_digest = $1",  # noqa: S608
            digest,
        )
        return None if row is None else EmailToken(**dict(row))

    async def use(self, token_id: int, at: datetime) -> bool:
        status = await self._db.execute(
            "UPDATE email_tokens SET used_at = $1"
            " WHERE id = $2 AND used_at IS NULL AND voided_at IS NULL",
            at,
            token_id,
        )
        return rows_changed(status) == 1

    async def mark_delivered(self, token_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET delivered_at = $1 WHERE id = $2", at, token_id
        )

    async def void(self, token_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET voided_at = $1 WHERE id = $2 AND voided_at IS NULL",
            at,
            token_id,
        )

    async def void_others(self, account_id: int, keep_token_id: int | None, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET voided_at = $1 WHERE account_id = $2"
            " AND id IS DISTINCT FROM $3 AND used_at IS NULL AND voided_at IS NULL",
            at,
            account_id,
            keep_token_id,
        )

    async def last_delivered_at(self, account_id: int) -> datetime | None:
        value = await self._db.fetchval(
            "SELECT max(delivered_at) FROM email_tokens WHERE account_id = $1", account_id
        )
        return value  # type: ignore[no-any-return]

    async def latest_delivered(self, account_id: int) -> EmailToken | None:
        row = await self._db.fetchrow(
            f"SELECT {_EMAIL_TOKEN_FIELDS} FROM email_tokens"  # noqa: S608
            " WHERE account_id = $1 AND delivered_at IS NOT NULL"
            " ORDER BY delivered_at DESC, id DESC LIMIT 1",
            account_id,
        )
        return None if row is None else EmailToken(**dict(row))


_CODE_COLUMNS = (
    "id, account_id, phone, salt, code_digest AS digest, created_at, expires_at, sent_at,"
    " attempts, used_at, voided_at, prompt_chat_id, prompt_message_id, prompt_language,"
    " prompt_refreshed_at"
)
_LIVE = "sent_at IS NOT NULL AND used_at IS NULL AND voided_at IS NULL"


class PgSmsCodes:
    def __init__(self, connection: asyncpg.Connection) -> None:
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
        code_id = await self._db.fetchval(
            "INSERT INTO sms_codes (account_id, phone, salt, code_digest, created_at, expires_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            account_id,
            phone,
            salt,
            digest,
            created_at,
            expires_at,
        )
        return int(code_id)

    async def _one(self, sql: str, *params: object) -> SmsCode | None:
        row = await self._db.fetchrow(sql, *params)
        return None if row is None else SmsCode(**dict(row))

    async def get(self, code_id: int) -> SmsCode | None:
        return await self._one(f"SELECT {_CODE_COLUMNS} FROM sms_codes WHERE id = $1", code_id)  # noqa: S608

    async def latest(self, account_id: int) -> SmsCode | None:
        return await self._one(
            f"SELECT {_CODE_COLUMNS} FROM sms_codes"  # noqa: S608
            " WHERE account_id = $1 AND sent_at IS NOT NULL"
            " ORDER BY sent_at DESC, id DESC LIMIT 1",
            account_id,
        )

    async def mark_sent(self, code_id: int, at: datetime) -> bool:
        status = await self._db.execute(
            "UPDATE sms_codes SET sent_at = $1 WHERE id = $2 AND voided_at IS NULL", at, code_id
        )
        return rows_changed(status) == 1

    async def void(self, code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET voided_at = $1 WHERE id = $2 AND voided_at IS NULL", at, code_id
        )

    async def void_others(self, account_id: int, keep_code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET voided_at = $1 WHERE account_id = $2 AND id <> $3"
            " AND used_at IS NULL AND voided_at IS NULL",
            at,
            account_id,
            keep_code_id,
        )

    async def record_wrong_attempt(
        self, code_id: int, max_attempts: int, at: datetime, attempt_key: int | None
    ) -> int:
        # One statement: the count and the voiding cannot be split by another try. The
        # row lock it takes makes a second instance's try wait, then see this count.
        attempts = await self._db.fetchval(
            "UPDATE sms_codes SET attempts = attempts + 1, last_attempt_key = $1,"  # noqa: S608
            " voided_at = CASE WHEN attempts + 1 >= $2 THEN $3::timestamptz ELSE NULL END"
            f" WHERE id = $4 AND {_LIVE}"
            " AND ($1::bigint IS NULL OR last_attempt_key IS DISTINCT FROM $1)"
            " RETURNING attempts",
            attempt_key,
            max_attempts,
            at,
            code_id,
        )
        if attempts is not None:
            return int(attempts)
        if attempt_key is not None:
            # This very try was counted already (the message came again).
            again = await self._db.fetchval(
                "SELECT attempts FROM sms_codes WHERE id = $1 AND last_attempt_key = $2",
                code_id,
                attempt_key,
            )
            if again is not None:
                return int(again)
        return 0

    async def use(self, code_id: int, at: datetime) -> bool:
        status = await self._db.execute(
            f"UPDATE sms_codes SET used_at = $1 WHERE id = $2 AND {_LIVE}",  # noqa: S608
            at,
            code_id,
        )
        return rows_changed(status) == 1

    async def set_prompt(self, code_id: int, chat_id: int, message_id: int, language: str) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET prompt_chat_id = $1, prompt_message_id = $2,"
            " prompt_language = $3, prompt_refreshed_at = NULL WHERE id = $4",
            chat_id,
            message_id,
            language,
            code_id,
        )

    async def prompts_due(self, sent_before: datetime, limit: int) -> list[SmsCode]:
        rows = await self._db.fetch(
            f"SELECT {_CODE_COLUMNS} FROM sms_codes"  # noqa: S608
            " WHERE prompt_message_id IS NOT NULL AND prompt_refreshed_at IS NULL"
            f" AND {_LIVE} AND sent_at <= $1 ORDER BY sent_at LIMIT $2",
            sent_before,
            limit,
        )
        return [SmsCode(**dict(row)) for row in rows]

    async def next_prompt_sent_at(self) -> datetime | None:
        value = await self._db.fetchval(
            "SELECT min(sent_at) FROM sms_codes"  # noqa: S608
            f" WHERE prompt_message_id IS NOT NULL AND prompt_refreshed_at IS NULL AND {_LIVE}"
        )
        return value  # type: ignore[no-any-return]

    async def mark_prompt_refreshed(self, code_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE sms_codes SET prompt_refreshed_at = $1 WHERE id = $2", at, code_id
        )


class PgPhoneConfirmations:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def holders(self, phone: str) -> list[int]:
        rows = await self._db.fetch(
            "SELECT account_id FROM phone_confirmations WHERE phone = $1 ORDER BY place", phone
        )
        return [int(row[0]) for row in rows]

    async def claim(self, phone: str, account_id: int, places: int, at: datetime) -> bool:
        rows = await self._db.fetch("SELECT place FROM phone_confirmations WHERE phone = $1", phone)
        taken = {int(row[0]) for row in rows}
        free = [place for place in range(1, places + 1) if place not in taken]
        if not free:
            return False
        try:
            async with self._db.transaction():  # a savepoint
                await self._db.execute(
                    "INSERT INTO phone_confirmations (phone, place, account_id, confirmed_at)"
                    " VALUES ($1, $2, $3, $4)",
                    phone,
                    free[0],
                    account_id,
                    at,
                )
        except asyncpg.UniqueViolationError as exc:
            # Another instance's account took this place first (its insert committed
            # while ours waited on the key).
            if exc.constraint_name == "phone_confirmations_pkey":
                raise PhoneSlotTaken from None
            raise
        return True


class PgCardChecks:
    def __init__(self, connection: asyncpg.Connection) -> None:
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
            "UPDATE card_checks SET status = 'superseded', closed_at = $1"
            " WHERE account_id = $2 AND status = 'pending'",
            created_at,
            account_id,
        )
        check_id = await self._db.fetchval(
            "INSERT INTO card_checks (account_id, payload_digest, backend, amount_kopecks,"
            " currency, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            account_id,
            payload_digest,
            backend,
            amount_kopecks,
            currency,
            created_at,
        )
        return int(check_id)

    async def by_payload(self, payload_digest: str) -> CardCheck | None:
        row = await self._db.fetchrow(
            "SELECT id, account_id, backend, amount_kopecks, currency, created_at, status,"
            " charge_id FROM card_checks WHERE payload_digest = $1",
            payload_digest,
        )
        if row is None:
            return None
        return CardCheck(**{**dict(row), "status": CheckStatus(row["status"])})

    async def close(self, check_id: int, status: CheckStatus, at: datetime) -> bool:
        result = await self._db.execute(
            "UPDATE card_checks SET status = $1, closed_at = $2"
            " WHERE id = $3 AND status = 'pending'",
            status.value,
            at,
            check_id,
        )
        return rows_changed(result) == 1

    async def mark_paid(
        self, check_id: int, charge_id: str, provider_charge_id: str | None, at: datetime
    ) -> bool:
        result = await self._db.execute(
            "UPDATE card_checks SET status = 'paid', closed_at = $1, charge_id = $2,"
            " provider_charge_id = $3 WHERE id = $4 AND charge_id IS NULL",
            at,
            charge_id,
            provider_charge_id,
            check_id,
        )
        return rows_changed(result) == 1


class PgLedger:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def credit(self, credit: Credit, at: datetime) -> bool:
        # ON CONFLICT DO NOTHING waits for a competing insert of the same (reason,
        # source_id) on another instance, then does nothing: the credit counts once.
        status = await self._db.execute(
            "INSERT INTO ledger (account_id, kind, amount_kopecks, reason, source_id,"
            " created_at) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (reason, source_id) DO NOTHING",
            credit.account_id,
            credit.kind.value,
            credit.amount_kopecks,
            credit.reason.value,
            credit.source_id,
            at,
        )
        return rows_changed(status) == 1

    async def balance(self, account_id: int) -> Balance:
        rows = await self._db.fetch(
            "SELECT kind, sum(amount_kopecks) FROM ledger WHERE account_id = $1 GROUP BY kind",
            account_id,
        )
        sums = {LedgerKind(row[0]): int(row[1]) for row in rows}
        return Balance(
            money_kopecks=sums.get(LedgerKind.MONEY, 0),
            bonus_kopecks=sums.get(LedgerKind.BONUS, 0),
        )


class PgAutopay:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def get(self, account_id: int) -> AutopaySettings | None:
        row = await self._db.fetchrow(
            "SELECT enabled, amount_kopecks, threshold_kopecks, updated_at"
            " FROM autopay_settings WHERE account_id = $1",
            account_id,
        )
        return None if row is None else AutopaySettings(**dict(row))

    async def put(self, account_id: int, settings: AutopaySettings) -> None:
        await self._db.execute(
            "INSERT INTO autopay_settings (account_id, enabled, amount_kopecks,"
            " threshold_kopecks, updated_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled,"
            " amount_kopecks = excluded.amount_kopecks,"
            " threshold_kopecks = excluded.threshold_kopecks, updated_at = excluded.updated_at",
            account_id,
            settings.enabled,
            settings.amount_kopecks,
            settings.threshold_kopecks,
            settings.updated_at,
        )


class PgTwoFactor:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def get(self, account_id: int) -> TwoFactorRecord | None:
        row = await self._db.fetchrow(
            "SELECT account_id, secret_enc AS secret, created_at, enabled_at, attempts,"
            " last_used_step, locked_until FROM two_factor WHERE account_id = $1",
            account_id,
        )
        return None if row is None else TwoFactorRecord(**dict(row))

    async def put_pending(self, account_id: int, secret: str, at: datetime) -> None:
        # Only an unconfirmed set-up is replaced: an enabled one is never overwritten.
        await self._db.execute(
            "INSERT INTO two_factor (account_id, secret_enc, created_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (account_id) DO UPDATE SET secret_enc = excluded.secret_enc,"
            " created_at = excluded.created_at, attempts = 0, last_attempt_key = NULL"
            " WHERE two_factor.enabled_at IS NULL",
            account_id,
            secret,
            at,
        )

    async def wrong_attempt(self, account_id: int, attempt_key: int | None) -> int:
        attempts = await self._db.fetchval(
            "UPDATE two_factor SET attempts = attempts + 1, last_attempt_key = $1"
            " WHERE account_id = $2"
            " AND ($1::bigint IS NULL OR last_attempt_key IS DISTINCT FROM $1)"
            " RETURNING attempts",
            attempt_key,
            account_id,
        )
        if attempts is not None:
            return int(attempts)
        record = await self.get(account_id)
        return 0 if record is None else record.attempts

    async def delete(self, account_id: int) -> None:
        await self._db.execute("DELETE FROM two_factor WHERE account_id = $1", account_id)

    async def enable(self, account_id: int, at: datetime, step: int) -> None:
        await self._db.execute(
            "UPDATE two_factor SET enabled_at = $1, last_used_step = $2, attempts = 0"
            " WHERE account_id = $3 AND enabled_at IS NULL",
            at,
            step,
            account_id,
        )

    async def used_step(self, account_id: int, step: int | None) -> None:
        await self._db.execute(
            "UPDATE two_factor SET last_used_step = $1, attempts = 0, locked_until = NULL"
            " WHERE account_id = $2",
            step,
            account_id,
        )

    async def lock(self, account_id: int, until: datetime) -> None:
        await self._db.execute(
            "UPDATE two_factor SET locked_until = $1, attempts = 0 WHERE account_id = $2",
            until,
            account_id,
        )


class PgBackupCodes:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def replace(self, account_id: int, macs: list[str], at: datetime) -> None:
        await self._db.execute("DELETE FROM backup_codes WHERE account_id = $1", account_id)
        await self._db.executemany(
            "INSERT INTO backup_codes (account_id, code_mac, created_at) VALUES ($1, $2, $3)",
            [(account_id, mac, at) for mac in macs],
        )

    async def use(self, account_id: int, mac: str, at: datetime) -> bool:
        status = await self._db.execute(
            "UPDATE backup_codes SET used_at = $1"
            " WHERE account_id = $2 AND code_mac = $3 AND used_at IS NULL",
            at,
            account_id,
            mac,
        )
        return rows_changed(status) == 1


class PgPreferences:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._db = connection

    async def language(self, telegram_user_id: int) -> str | None:
        value = await self._db.fetchval(
            "SELECT language FROM preferences WHERE telegram_user_id = $1", telegram_user_id
        )
        return None if value is None else str(value)

    async def set_language(self, telegram_user_id: int, language: str) -> None:
        await self._db.execute(
            "INSERT INTO preferences (telegram_user_id, language) VALUES ($1, $2)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET language = excluded.language",
            telegram_user_id,
            language,
        )


class PgTransaction:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self.accounts = PgAccounts(connection)
        self.email_tokens = PgEmailTokens(connection)
        self.preferences = PgPreferences(connection)
        self.sms_codes = PgSmsCodes(connection)
        self.phones = PgPhoneConfirmations(connection)
        self.card_checks = PgCardChecks(connection)
        self.ledger = PgLedger(connection)
        self.autopay = PgAutopay(connection)
        self.two_factor = PgTwoFactor(connection)
        self.backup_codes = PgBackupCodes(connection)


class PgStore:
    """The domain's `Store` on PostgreSQL."""

    def __init__(self, database: PgDatabase) -> None:
        self._database = database

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgTransaction]:
        async with self._database.transaction() as connection:
            yield PgTransaction(connection)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[PgTransaction]:
        async with self._database.reading() as connection:
            yield PgTransaction(connection)
