"""Accounts, confirmation-link tokens and language preferences (R1-R5, R12, R17)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.ports import AlreadyRegistered, EmailTaken
from bot.domain.records import Account, EmailToken, NewAccount
from bot.domain.steps import DONE_FIELDS, FINISHED_FIELD, REGISTRATION, STEPS, Step, spec
from storage.sql import Connection, Dialect, Row, UniqueViolation

# The step times come from the step table: a new step's column is read with the rest.
ACCOUNT_FIELDS = ("id", "telegram_user_id", "email", "phone", *DONE_FIELDS)
_ACCOUNT_COLUMNS = ", ".join(ACCOUNT_FIELDS)


def last_progress_sql(dialect: Dialect, table: str = "") -> str:
    """The time of the last step done, from the step table (as steps.last_progress
    says it); `table`: the accounts' alias in the query ("a." for `accounts a`)."""
    fields = [f"{table}{s.done_field}" for s in REGISTRATION]
    return dialect.greatest(fields[0], *fields[1:])


_LATER_STEPS = STEPS[1:]  # the sign-up's time is created_at


def account_from(db: Connection, row: Row) -> Account:
    done: dict[Step, datetime] = {}
    for step_spec in _LATER_STEPS:
        value = row[step_spec.done_field]
        if value is not None:
            done[step_spec.step] = db.time(value)
    return Account(
        id=int(row["id"]),
        telegram_user_id=int(row["telegram_user_id"]),
        email=row["email"],
        created_at=db.time(row["created_at"]),
        phone=row["phone"],
        done=done,
    )


class SqlAccounts:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def _one(self, where: str, value: object) -> Account | None:
        sql = f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {where} = ?"  # noqa: S608
        row = await self._db.fetchrow(sql, value)
        return None if row is None else account_from(self._db, row)

    async def _many(self, sql: str, *params: object) -> list[Account]:
        return [account_from(self._db, row) for row in await self._db.fetch(sql, *params)]

    async def get(self, account_id: int) -> Account | None:
        return await self._one("id", account_id)

    async def by_telegram_user(self, telegram_user_id: int) -> Account | None:
        return await self._one("telegram_user_id", telegram_user_id)

    async def by_email_key(self, email_key: str) -> Account | None:
        return await self._one("email_key", email_key)

    async def add(self, new: NewAccount) -> Account:
        try:
            async with self._db.savepoint():
                row = await self._db.fetchrow(
                    "INSERT INTO accounts (telegram_user_id, email, email_key, password_hash,"  # noqa: S608
                    f" created_at) VALUES (?, ?, ?, ?, ?) RETURNING {_ACCOUNT_COLUMNS}",
                    new.telegram_user_id,
                    new.email,
                    new.email_key,
                    new.password_hash,
                    new.created_at,
                )
        except UniqueViolation as exc:
            # The constraint decides, not an earlier read: two racing sign-ups (on one
            # instance or two) both pass the read, and only one insert can win.
            if "email_key" in exc.columns:
                raise EmailTaken from None
            if "telegram_user_id" in exc.columns:
                raise AlreadyRegistered from None
            raise
        assert row is not None
        return account_from(self._db, row)

    async def change_email(self, account_id: int, email: str, email_key: str) -> bool:
        confirmed = spec(Step.EMAIL).done_field
        try:
            async with self._db.savepoint():
                changed = await self._db.execute(
                    f"UPDATE accounts SET email = ?, email_key = ?"  # noqa: S608
                    f" WHERE id = ? AND {confirmed} IS NULL",
                    email,
                    email_key,
                    account_id,
                )
        except UniqueViolation as exc:
            if "email_key" in exc.columns:
                raise EmailTaken from None
            raise
        return changed == 1

    async def delete(self, account_id: int) -> None:
        await self._db.execute("DELETE FROM accounts WHERE id = ?", account_id)

    async def complete(self, account_id: int, step: Step, at: datetime) -> bool:
        if step is Step.SIGN_UP:
            raise ValueError("the sign-up is done when the account is created")
        column = spec(step).done_field
        changed = await self._db.execute(
            f"UPDATE accounts SET {column} = ? WHERE id = ? AND {column} IS NULL",  # noqa: S608
            at,
            account_id,
        )
        return changed == 1

    async def confirm_phone(self, account_id: int, phone: str, at: datetime) -> None:
        column = spec(Step.PHONE).done_field
        await self._db.execute(
            f"UPDATE accounts SET phone = ?, {column} = ? WHERE id = ? AND {column} IS NULL",  # noqa: S608
            phone,
            at,
            account_id,
        )

    async def by_phone(self, phone: str) -> list[Account]:
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE phone = ?"  # noqa: S608
            " OR id IN (SELECT account_id FROM sms_codes WHERE phone = ?) ORDER BY id",
            phone,
            phone,
        )

    async def steps_done(self) -> dict[Step, int]:
        counts = ", ".join(f"count({s.done_field}) AS n{i}" for i, s in enumerate(STEPS))
        row = await self._db.fetchrow(f"SELECT {counts} FROM accounts")  # noqa: S608
        return {s.step: int(row[f"n{i}"] or 0) if row else 0 for i, s in enumerate(STEPS)}

    async def unfinished_since(self, before: datetime) -> list[Account]:
        progress = last_progress_sql(self._db.dialect)
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts"  # noqa: S608
            f" WHERE {FINISHED_FIELD} IS NULL AND {progress} < ? ORDER BY {progress}, id",
            before,
        )

    async def created_since(self, since: datetime | None) -> list[Account]:
        if since is None:
            return await self._many(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY id")  # noqa: S608
        return await self._many(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE created_at >= ? ORDER BY id",  # noqa: S608
            since,
        )

    async def delete_unconfirmed(
        self, created_before: datetime, email_key: str | None = None, limit: int = 500
    ) -> list[int]:
        confirmed = spec(Step.EMAIL).done_field
        only = "" if email_key is None else " AND email_key = ?"
        params: tuple[object, ...] = (
            (created_before,)
            if email_key is None
            else (
                created_before,
                email_key,
            )
        )
        rows = await self._db.fetch(
            "DELETE FROM accounts WHERE id IN (SELECT id FROM accounts"  # noqa: S608
            f" WHERE {confirmed} IS NULL AND created_at < ?{only} ORDER BY id LIMIT ?)"
            " RETURNING telegram_user_id",
            *params,
            limit,
        )
        return [int(row["telegram_user_id"]) for row in rows]

    async def set_api_access(self, account_id: int, at: datetime | None) -> None:
        column = spec(Step.API_ACCESS).done_field
        await self._db.execute(
            f"UPDATE accounts SET {column} = ? WHERE id = ?",  # noqa: S608
            at,
            account_id,
        )


class SqlExpiredSignups:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def add(self, telegram_user_ids: list[int], at: datetime) -> None:
        await self._db.executemany(
            "INSERT INTO expired_signups (telegram_user_id, expired_at) VALUES (?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET expired_at = excluded.expired_at",
            [(user_id, at) for user_id in telegram_user_ids],
        )

    async def take(self, telegram_user_id: int) -> bool:
        changed = await self._db.execute(
            "DELETE FROM expired_signups WHERE telegram_user_id = ?", telegram_user_id
        )
        return changed == 1

    async def exists(self, telegram_user_id: int) -> bool:
        found = await self._db.fetchval(
            "SELECT 1 FROM expired_signups WHERE telegram_user_id = ?", telegram_user_id
        )
        return found is not None

    async def prune(self, before: datetime) -> int:
        return await self._db.execute("DELETE FROM expired_signups WHERE expired_at < ?", before)


_TOKEN_COLUMNS = "id, account_id, created_at, expires_at, delivered_at, used_at, voided_at"  # noqa: S105 - column names


class SqlEmailTokens:
    def __init__(self, db: Connection) -> None:
        self._db = db

    def _token(self, row: Row) -> EmailToken:
        time, maybe = self._db.time, self._db.time_or_none
        return EmailToken(
            id=int(row["id"]),
            account_id=int(row["account_id"]),
            created_at=time(row["created_at"]),
            expires_at=time(row["expires_at"]),
            delivered_at=maybe(row["delivered_at"]),
            used_at=maybe(row["used_at"]),
            voided_at=maybe(row["voided_at"]),
        )

    async def add(
        self, account_id: int, digest: str, created_at: datetime, expires_at: datetime
    ) -> int:
        token_id = await self._db.fetchval(
            "INSERT INTO email_tokens (account_id, token_digest, created_at, expires_at)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            account_id,
            digest,
            created_at,
            expires_at,
        )
        return int(token_id)

    async def find(self, digest: str) -> EmailToken | None:
        row = await self._db.fetchrow(
            f"SELECT {_TOKEN_COLUMNS} FROM email_tokens WHERE token_digest = ?",  # noqa: S608
            digest,
        )
        return None if row is None else self._token(row)

    async def use(self, token_id: int, at: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE email_tokens SET used_at = ?"
            " WHERE id = ? AND used_at IS NULL AND voided_at IS NULL",
            at,
            token_id,
        )
        return changed == 1

    async def mark_delivered(self, token_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET delivered_at = ? WHERE id = ?", at, token_id
        )

    async def void(self, token_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET voided_at = ? WHERE id = ? AND voided_at IS NULL",
            at,
            token_id,
        )

    async def void_others(self, account_id: int, keep_token_id: int | None, at: datetime) -> None:
        await self._db.execute(
            "UPDATE email_tokens SET voided_at = ? WHERE account_id = ?"
            " AND id IS DISTINCT FROM ? AND used_at IS NULL AND voided_at IS NULL",
            at,
            account_id,
            keep_token_id,
        )

    async def last_delivered_at(self, account_id: int) -> datetime | None:
        value = await self._db.fetchval(
            "SELECT max(delivered_at) FROM email_tokens WHERE account_id = ?", account_id
        )
        return self._db.time_or_none(value)

    async def latest_delivered(self, account_id: int) -> EmailToken | None:
        row = await self._db.fetchrow(
            f"SELECT {_TOKEN_COLUMNS} FROM email_tokens"  # noqa: S608
            " WHERE account_id = ? AND delivered_at IS NOT NULL"
            " ORDER BY delivered_at DESC, id DESC LIMIT 1",
            account_id,
        )
        return None if row is None else self._token(row)


class SqlPreferences:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def language(self, telegram_user_id: int) -> str | None:
        value = await self._db.fetchval(
            "SELECT language FROM preferences WHERE telegram_user_id = ?", telegram_user_id
        )
        return None if value is None else str(value)

    async def set_language(self, telegram_user_id: int, language: str) -> None:
        await self._db.execute(
            "INSERT INTO preferences (telegram_user_id, language) VALUES (?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET language = excluded.language",
            telegram_user_id,
            language,
        )
