"""Sign-up (R1-R4) and email confirmation (R5) as one service."""

from __future__ import annotations

import enum
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.clock import Clock
from bot.domain.emails import EmailProblem, EmailVerdict, check_email_syntax, email_key
from bot.domain.limits import LimitReached, Limits, Quota
from bot.domain.passwords import PasswordHasher, PasswordRule, check_password
from bot.domain.policy import Policy
from bot.domain.ports import (
    AlreadyRegistered,
    EmailDeliveryError,
    EmailSender,
    EmailTaken,
    OutgoingEmail,
    Store,
)
from bot.domain.records import Account, NewAccount
from bot.domain.steps import Step
from bot.domain.tokens import deep_link, looks_like_link_token, new_link_token, token_digest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConfirmationEmail:
    """What the confirmation email says; the texts layer turns it into an email."""

    language: str
    to: str
    link: str
    expires_at: datetime
    valid_for: timedelta
    timezone: str = "Europe/Moscow"  # the person's, for the expiry (R33)


class ComposeConfirmationEmail(Protocol):
    def __call__(self, content: ConfirmationEmail) -> OutgoingEmail: ...


class SignupStatus(enum.Enum):
    CREATED = "created"
    ALREADY_CREATED = "already_created"  # the same update seen again, or a second tap
    PASSWORD_REFUSED = "password_refused"  # noqa: S105
    EMAIL_INVALID = "email_invalid"
    EMAIL_TAKEN = "email_taken"


@dataclass(frozen=True)
class SignupOutcome:
    status: SignupStatus
    account: Account | None = None
    failures: tuple[PasswordRule, ...] = ()
    email_delivered: bool = False


class LinkStatus(enum.Enum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"  # a newer link was sent; only the newest works
    INVALID = "invalid"  # unknown, malformed or forged
    OTHER_ACCOUNT = "other_account"  # opened from another Telegram account


@dataclass(frozen=True)
class LinkOutcome:
    status: LinkStatus
    account: Account | None = None


class ResendStatus(enum.Enum):
    SENT = "sent"
    DELIVERY_FAILED = "delivery_failed"
    TOO_SOON = "too_soon"
    ALREADY_CONFIRMED = "already_confirmed"
    NO_ACCOUNT = "no_account"
    LIMIT_REACHED = "limit_reached"  # R23: see `limit`


class EmailChangeStatus(enum.Enum):
    CHANGED = "changed"  # and a new confirmation email sent to it
    DELIVERY_FAILED = "delivery_failed"  # changed, but the email could not be sent
    SAME = "same"  # the address the account already has: nothing changed
    INVALID = "invalid"
    TAKEN = "taken"
    ALREADY_CONFIRMED = "already_confirmed"  # R31: no longer changed here
    NO_ACCOUNT = "no_account"
    LIMIT_REACHED = "limit_reached"  # R23: the day's emails are used


@dataclass(frozen=True)
class EmailChangeOutcome:
    status: EmailChangeStatus
    account: Account | None = None
    limit: LimitReached | None = None


class DeletionStatus(enum.Enum):
    DELETED = "deleted"
    ACTIVE = "active"  # R32: a finished registration is closed by support, not here
    HAS_MONEY = "has_money"  # money was paid on it: never deleted with the account
    NO_ACCOUNT = "no_account"


@dataclass(frozen=True)
class ResendOutcome:
    status: ResendStatus
    account: Account | None = None
    seconds_left: int = 0
    limit: LimitReached | None = None


class SignupService:
    def __init__(
        self,
        *,
        store: Store,
        hasher: PasswordHasher,
        email_sender: EmailSender,
        compose_email: ComposeConfirmationEmail,
        policy: Policy,
        clock: Clock,
        bot_username: str,
        email_sender_address: str,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._email_sender = email_sender
        self._compose_email = compose_email
        self._policy = policy
        self._clock = clock
        self._bot_username = bot_username
        self._email_sender_address = email_sender_address
        self._limits = Limits(policy)

    @property
    def policy(self) -> Policy:
        return self._policy

    def now(self) -> datetime:
        return self._clock.now()

    @property
    def email_sender_address(self) -> str:
        """The From address of the confirmation email, told to the person (R5)."""
        return self._email_sender_address

    async def account_of(self, telegram_user_id: int) -> Account | None:
        async with self._store.reading() as tx:
            return await tx.accounts.by_telegram_user(telegram_user_id)

    async def check_email(self, text: str) -> EmailVerdict:
        """R1: syntax, then whether the address is free. Says nothing else of an account."""
        verdict = check_email_syntax(text, self._policy)
        if not verdict.ok or verdict.email is None:
            return verdict
        async with self._store.reading() as tx:
            holder = await tx.accounts.by_email_key(email_key(verdict.email))
        # R24: a sign-up left unconfirmed too long holds the address no more.
        if holder is not None and not self.expired(holder):
            return EmailVerdict(email=verdict.email, problem=EmailProblem.TAKEN)
        return verdict

    def could_be_password(self, text: str) -> bool:
        """A text that passes the password rules (R2): sent where no password is asked
        for, it is likely the password sent again, and goes from the chat (R3)."""
        return check_password(text, self._policy).ok

    def expired(self, account: Account) -> bool:
        """R24: the email was not confirmed within UNCONFIRMED_ACCOUNT_DAYS."""
        return not account.email_confirmed and account.created_at < self._expiry_cutoff()

    def _expiry_cutoff(self) -> datetime:
        return self._clock.now() - timedelta(days=self._policy.unconfirmed_account_days)

    async def expire_unconfirmed(self, batch: int = 500) -> int:
        """R24: removes the sign-ups left unconfirmed too long (in batches, so a
        backlog never holds the database long); each person is told when they come
        back. Returns how many went."""
        removed = 0
        while True:
            async with self._store.transaction() as tx:
                gone = await tx.accounts.delete_unconfirmed(self._expiry_cutoff(), limit=batch)
                await tx.expired_signups.add(gone, self._clock.now())
            removed += len(gone)
            if len(gone) < batch:
                return removed

    async def expire_if_due(self, account: Account) -> bool:
        """R24 for one account, as its person writes: True if it was removed now."""
        if not self.expired(account):
            return False
        async with self._store.transaction() as tx:
            gone = await tx.accounts.delete_unconfirmed(
                self._expiry_cutoff(), email_key=email_key(account.email)
            )
            await tx.expired_signups.add(gone, self._clock.now())
        return bool(gone)

    async def create_account(
        self, telegram_user_id: int, email: str, password: str, language: str
    ) -> SignupOutcome:
        """R2-R4: checks the password, stores only its hash, creates the account and
        sends the confirmation email. Safe to call again for the same person."""
        existing = await self.account_of(telegram_user_id)
        if existing is not None and not await self.expire_if_due(existing):
            await self._finish_interrupted_signup(existing, language)
            return SignupOutcome(SignupStatus.ALREADY_CREATED, account=existing)
        email_verdict = check_email_syntax(email, self._policy)
        if not email_verdict.ok or email_verdict.email is None:
            return SignupOutcome(SignupStatus.EMAIL_INVALID)
        verdict = check_password(password, self._policy)
        if not verdict.ok:
            return SignupOutcome(SignupStatus.PASSWORD_REFUSED, failures=verdict.failures)

        password_hash = await self._hasher.hash(password)
        now = self._clock.now()
        token = new_link_token(self._policy.email_token_bytes)
        key = email_key(email_verdict.email)
        try:
            async with self._store.transaction() as tx:
                # R24: an expired sign-up of someone else frees the address now.
                freed = await tx.accounts.delete_unconfirmed(self._expiry_cutoff(), email_key=key)
                await tx.expired_signups.add(freed, now)
                account = await tx.accounts.add(
                    NewAccount(
                        telegram_user_id=telegram_user_id,
                        email=email_verdict.email,
                        email_key=key,
                        password_hash=password_hash,
                        created_at=now,
                    )
                )
                # R23: the first confirmation email is one of the day's.
                await self._limits.take(tx, Quota.EMAIL_PER_ACCOUNT, str(account.id), now)
                token_id = await tx.email_tokens.add(
                    account.id, token_digest(token), now, now + self._link_ttl
                )
        except EmailTaken:
            return SignupOutcome(SignupStatus.EMAIL_TAKEN)
        except AlreadyRegistered:
            # Another update of the same person won the race; theirs is the account.
            return SignupOutcome(
                SignupStatus.ALREADY_CREATED, account=await self.account_of(telegram_user_id)
            )
        delivered = await self._deliver(account, token_id, token, now, language)
        return SignupOutcome(SignupStatus.CREATED, account=account, email_delivered=delivered)

    async def _finish_interrupted_signup(self, account: Account, language: str) -> None:
        """R19: the same password message again, after the process that created the
        account died before its email was sent (another instance, or this one after a
        restart, has the update now). No email ever went out, so this sends one; the
        person need not find the resend button for a fault of ours."""
        if account.email_confirmed:
            return
        async with self._store.reading() as tx:
            if await tx.email_tokens.last_delivered_at(account.id) is not None:
                return
        await self.resend_confirmation(account.telegram_user_id, language)

    async def resend_confirmation(self, telegram_user_id: int, language: str) -> ResendOutcome:
        """R5 "Send confirmation again": a fresh link; the older ones stop working."""
        now = self._clock.now()
        token = new_link_token(self._policy.email_token_bytes)
        account: Account | None = None
        try:
            async with self._store.transaction() as tx:
                account = await tx.accounts.by_telegram_user(telegram_user_id)
                if account is None:
                    return ResendOutcome(ResendStatus.NO_ACCOUNT)
                if account.email_confirmed:
                    return ResendOutcome(ResendStatus.ALREADY_CONFIRMED, account=account)
                last = await tx.email_tokens.last_delivered_at(account.id)
                if last is not None:
                    wait = self._policy.email_resend_seconds - (now - last).total_seconds()
                    if wait > 0:
                        return ResendOutcome(
                            ResendStatus.TOO_SOON, account=account, seconds_left=math.ceil(wait)
                        )
                await self._limits.take(tx, Quota.EMAIL_PER_ACCOUNT, str(account.id), now)
                token_id = await tx.email_tokens.add(
                    account.id, token_digest(token), now, now + self._link_ttl
                )
        except LimitReached as reached:
            return ResendOutcome(ResendStatus.LIMIT_REACHED, account=account, limit=reached)
        delivered = await self._deliver(account, token_id, token, now, language)
        status = ResendStatus.SENT if delivered else ResendStatus.DELIVERY_FAILED
        return ResendOutcome(status, account=account)

    async def change_email(
        self, telegram_user_id: int, text: str, language: str
    ) -> EmailChangeOutcome:
        """R31: a mistyped address replaced before it is confirmed. The new one is
        checked like the first (R1), every link sent before stops working, and a new
        email goes out, one of the day's (R23). Once confirmed, it is not changed here."""
        verdict = check_email_syntax(text, self._policy)
        if not verdict.ok or verdict.email is None:
            return EmailChangeOutcome(EmailChangeStatus.INVALID)
        new_email, new_key = verdict.email, email_key(verdict.email)
        now = self._clock.now()
        token = new_link_token(self._policy.email_token_bytes)
        account: Account | None = None
        try:
            async with self._store.transaction() as tx:
                account = await tx.accounts.by_telegram_user(telegram_user_id)
                if account is None:
                    return EmailChangeOutcome(EmailChangeStatus.NO_ACCOUNT)
                if account.email_confirmed:
                    return EmailChangeOutcome(EmailChangeStatus.ALREADY_CONFIRMED, account)
                if email_key(account.email) == new_key:
                    return EmailChangeOutcome(EmailChangeStatus.SAME, account)
                # R24: someone else's expired sign-up frees the address now.
                freed = await tx.accounts.delete_unconfirmed(
                    self._expiry_cutoff(), email_key=new_key
                )
                await tx.expired_signups.add(freed, now)
                if not await tx.accounts.change_email(account.id, new_email, new_key):
                    return EmailChangeOutcome(EmailChangeStatus.ALREADY_CONFIRMED, account)
                await self._limits.take(tx, Quota.EMAIL_PER_ACCOUNT, str(account.id), now)
                await tx.email_tokens.void_others(account.id, keep_token_id=None, at=now)
                token_id = await tx.email_tokens.add(
                    account.id, token_digest(token), now, now + self._link_ttl
                )
                changed = await tx.accounts.get(account.id)
        except EmailTaken:
            return EmailChangeOutcome(EmailChangeStatus.TAKEN, account)
        except LimitReached as reached:
            return EmailChangeOutcome(EmailChangeStatus.LIMIT_REACHED, account, limit=reached)
        assert changed is not None
        delivered = await self._deliver(changed, token_id, token, now, language)
        status = EmailChangeStatus.CHANGED if delivered else EmailChangeStatus.DELIVERY_FAILED
        return EmailChangeOutcome(status, changed)

    async def delete_account(self, telegram_user_id: int) -> DeletionStatus:
        """R32: an account whose registration is not finished, deleted on its person's
        word: its data goes, its address and its number's place are free again. One
        with money on it (a card payment) is not: support closes it, so that no money
        is lost with it. The conversation log keeps what its retention says, masked."""
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None:
                return DeletionStatus.NO_ACCOUNT
            if account.has_done(Step.ACTIVATION):
                return DeletionStatus.ACTIVE
            balance = await tx.ledger.balance(account.id)
            if balance.money_kopecks or balance.held:
                return DeletionStatus.HAS_MONEY
            await tx.accounts.delete(account.id)
        log.info("account %s deleted by its person (R32)", account.id)
        return DeletionStatus.DELETED

    async def confirm_email(self, telegram_user_id: int, token: str) -> LinkOutcome:
        """R5: the deep link's token confirms the email once, before it expires."""
        if not looks_like_link_token(token):
            return LinkOutcome(LinkStatus.INVALID)
        now = self._clock.now()
        async with self._store.transaction() as tx:
            record = await tx.email_tokens.find(token_digest(token))
            if record is None:
                return LinkOutcome(LinkStatus.INVALID)
            account = await tx.accounts.get(record.account_id)
            if account is None:
                return LinkOutcome(LinkStatus.INVALID)
            if account.telegram_user_id != telegram_user_id:
                # The token stays unused: its owner can still open it.
                return LinkOutcome(LinkStatus.OTHER_ACCOUNT)
            if account.email_confirmed:
                return LinkOutcome(LinkStatus.ALREADY_CONFIRMED, account=account)
            if record.voided_at is not None or record.used_at is not None:
                return LinkOutcome(LinkStatus.SUPERSEDED, account=account)
            if now >= record.expires_at:
                return LinkOutcome(LinkStatus.EXPIRED, account=account)
            if not await tx.email_tokens.use(record.id, now):
                # Used or voided since it was read: by the same link opened at the same
                # moment on another instance, or by a newer link. Which one, the
                # account says now (a statement sees what was committed before it).
                again = await tx.accounts.get(account.id)
                if again is not None and again.email_confirmed:
                    return LinkOutcome(LinkStatus.ALREADY_CONFIRMED, account=again)
                return LinkOutcome(LinkStatus.SUPERSEDED, account=account)
            await tx.accounts.complete(account.id, Step.EMAIL, now)
            await tx.email_tokens.void_others(account.id, keep_token_id=record.id, at=now)
            confirmed = await tx.accounts.get(account.id)
        return LinkOutcome(LinkStatus.CONFIRMED, account=confirmed)

    @property
    def _link_ttl(self) -> timedelta:
        return timedelta(seconds=self._policy.email_link_ttl_seconds)

    async def _deliver(
        self, account: Account, token_id: int, token: str, issued_at: datetime, language: str
    ) -> bool:
        email = self._compose_email(
            ConfirmationEmail(
                language=language,
                to=account.email,
                link=deep_link(self._bot_username, token),
                expires_at=issued_at + self._link_ttl,
                valid_for=self._link_ttl,
                timezone=self._policy.timezone,
            )
        )
        try:
            await self._email_sender.send(email)
        except EmailDeliveryError as exc:
            log.warning("confirmation email for account %s not delivered: %s", account.id, exc)
            async with self._store.transaction() as tx:
                # An undelivered link must not start the resend timer (nor stay usable),
                # and uses none of the day's emails.
                await tx.email_tokens.void(token_id, self._clock.now())
                await self._limits.give_back(
                    tx, Quota.EMAIL_PER_ACCOUNT, str(account.id), issued_at
                )
            return False
        async with self._store.transaction() as tx:
            now = self._clock.now()
            await tx.email_tokens.mark_delivered(token_id, now)
            await tx.email_tokens.void_others(account.id, keep_token_id=token_id, at=now)
        return True
