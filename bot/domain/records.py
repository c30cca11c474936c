"""The domain's entities as stored: what the repositories of `ports.py` read and write."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.domain.steps import Step


@dataclass(frozen=True)
class Account:
    id: int
    telegram_user_id: int
    email: str
    created_at: datetime
    phone: str | None = None
    # When each step was done (bot/domain/steps.py says which steps there are).
    done: Mapping[Step, datetime] = field(default_factory=dict)

    def done_at(self, step: Step) -> datetime | None:
        if step is Step.SIGN_UP:
            return self.created_at
        return self.done.get(step)

    def has_done(self, step: Step) -> bool:
        return self.done_at(step) is not None

    def with_done(self, step: Step, at: datetime | None) -> Account:
        done = {s: t for s, t in self.done.items() if s is not step}
        if at is not None:
            done[step] = at
        return replace(self, done=done)

    @property
    def email_confirmed(self) -> bool:
        return self.has_done(Step.EMAIL)


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

    @property
    def usable(self) -> bool:
        """Neither used nor void (it may still have expired)."""
        return self.used_at is None and self.voided_at is None


@dataclass(frozen=True)
class SmsCode:
    """One SMS code (R8). Only a salted SHA-256 of the code is kept."""

    id: int
    account_id: int
    phone: str
    salt: str
    digest: str
    created_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    attempts: int
    used_at: datetime | None
    voided_at: datetime | None
    # The message that asks for the code: it gets the "didn't arrive?" button later.
    prompt_chat_id: int | None
    prompt_message_id: int | None
    prompt_language: str | None
    prompt_refreshed_at: datetime | None

    @property
    def live(self) -> bool:
        """Sent, and neither used nor void (it may still have expired)."""
        return self.sent_at is not None and self.used_at is None and self.voided_at is None


class CheckStatus(enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    DECLINED = "declined"  # the sandbox's simulated decline
    SUPERSEDED = "superseded"  # a fresh invoice was issued
    FAILED = "failed"  # the invoice could not be shown


@dataclass(frozen=True)
class CardCheck:
    """R9: one verification payment asked of an account (one invoice)."""

    id: int
    account_id: int
    backend: str
    amount_kopecks: int
    currency: str
    created_at: datetime
    status: CheckStatus
    charge_id: str | None


@dataclass(frozen=True)
class AutopaySettings:
    """R10. A row with `enabled` False records that the person skipped or turned it off."""

    enabled: bool
    amount_kopecks: int | None
    threshold_kopecks: int | None
    updated_at: datetime


@dataclass(frozen=True)
class TwoFactorRecord:
    """R13. `secret` is the encrypted token (SecretBox), never the secret itself."""

    account_id: int
    secret: str
    created_at: datetime
    enabled_at: datetime | None
    attempts: int
    last_used_step: int | None
    locked_until: datetime | None
    # R25: the backup codes, encrypted, until the person says they saved them.
    pending_codes: str | None = None


# -- the dashboard (issue 20) -------------------------------------------------------
@dataclass(frozen=True)
class LinkRecord:
    staff_user_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class SessionRecord:
    staff_user_id: int
    expires_at: datetime


@dataclass(frozen=True)
class View:
    staff_user_id: int
    user_id: int
    at: datetime


@dataclass(frozen=True)
class ListedAccount:
    """An account as the People list reads it, with what is kept beside it."""

    account: Account
    language: str | None
    reminders_wanted: bool
    reminders_sent: int
    open_request_since: datetime | None
