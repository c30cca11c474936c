"""The interfaces the domain needs from the outside: storage and email delivery.

Repositories never commit: a `Store.transaction()` block is the one place where work
is committed (or rolled back on an exception). Uniqueness and single use are left to
the database's constraints and conditional updates, so that a second implementation
(PostgreSQL, several instances) keeps the same guarantees.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.accounts import Account


class EmailTaken(Exception):
    """Another account already has this address (R1)."""


class AlreadyRegistered(Exception):
    """This Telegram user already has an account."""


@dataclass(frozen=True)
class NewAccount:
    telegram_user_id: int
    email: str
    email_key: str
    password_hash: str
    created_at: datetime


@dataclass(frozen=True)
class EmailToken:
    id: int
    account_id: int
    created_at: datetime
    expires_at: datetime
    delivered_at: datetime | None
    used_at: datetime | None
    voided_at: datetime | None


class AccountRepository(Protocol):
    async def get(self, account_id: int) -> Account | None: ...

    async def by_telegram_user(self, telegram_user_id: int) -> Account | None: ...

    async def by_email_key(self, email_key: str) -> Account | None: ...

    async def add(self, new: NewAccount) -> Account:
        """Raises EmailTaken or AlreadyRegistered when a unique constraint says no."""
        ...

    async def confirm_email(self, account_id: int, at: datetime) -> None: ...


class EmailTokenRepository(Protocol):
    async def add(
        self, account_id: int, digest: str, created_at: datetime, expires_at: datetime
    ) -> int: ...

    async def find(self, digest: str) -> EmailToken | None: ...

    async def use(self, token_id: int, at: datetime) -> bool:
        """Marks the token used if it is still unused and not void; False otherwise."""
        ...

    async def mark_delivered(self, token_id: int, at: datetime) -> None: ...

    async def void(self, token_id: int, at: datetime) -> None: ...

    async def void_others(self, account_id: int, keep_token_id: int | None, at: datetime) -> None:
        """Voids every still-open token of the account except `keep_token_id`."""
        ...

    async def last_delivered_at(self, account_id: int) -> datetime | None: ...


class PreferenceRepository(Protocol):
    async def language(self, telegram_user_id: int) -> str | None: ...

    async def set_language(self, telegram_user_id: int, language: str) -> None: ...


class Transaction(Protocol):
    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def email_tokens(self) -> EmailTokenRepository: ...

    @property
    def preferences(self) -> PreferenceRepository: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """One unit of work: committed when the block ends, rolled back on an exception."""
        ...


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str


class EmailDeliveryError(Exception):
    """The email could not be handed to the mail server. The text never holds the body."""


class EmailSender(Protocol):
    async def send(self, email: OutgoingEmail) -> None:
        """Raises EmailDeliveryError when the email was not accepted for delivery."""
        ...
