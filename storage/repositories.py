"""SQLite repositories: they return domain objects and never commit."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import aiosqlite

from bot.domain.accounts import Account
from bot.domain.ports import AlreadyRegistered, EmailTaken, EmailToken, NewAccount
from storage.database import Database
from storage.timefmt import from_db, from_db_optional, to_db

_ACCOUNT_COLUMNS = (
    "id, telegram_user_id, email, created_at, email_confirmed_at, phone, "
    "phone_confirmed_at, card_linked_at, activated_at"
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
    )


class SqliteAccounts:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def _one(self, where: str, value: object) -> Account | None:
        sql = f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {where} = ?"  # noqa: S608
        async with self._db.execute(sql, (value,)) as cursor:
            row = await cursor.fetchone()
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
        async with self._db.execute(
            "SELECT id, account_id, created_at, expires_at, delivered_at, used_at, voided_at"
            " FROM email_tokens WHERE token_digest = ?",
            (digest,),
        ) as cursor:
            row = await cursor.fetchone()
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
        async with self._db.execute(
            "SELECT max(delivered_at) FROM email_tokens WHERE account_id = ?", (account_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else from_db_optional(row[0])


class SqlitePreferences:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def language(self, telegram_user_id: int) -> str | None:
        async with self._db.execute(
            "SELECT language FROM preferences WHERE telegram_user_id = ?", (telegram_user_id,)
        ) as cursor:
            row = await cursor.fetchone()
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


class SqliteStore:
    """The domain's `Store` on the SQLite file."""

    def __init__(self, database: Database) -> None:
        self._database = database

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTransaction]:
        async with self._database.transaction() as connection:
            yield SqliteTransaction(connection)
