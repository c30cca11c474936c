"""The interfaces the domain needs from the outside: storage, email and SMS delivery.

Repositories never commit: a `Store.transaction()` block is the one place where work
is committed (or rolled back on an exception). Uniqueness and single use are left to
the database's constraints and conditional updates, so that a second implementation
(PostgreSQL, several instances) keeps the same guarantees.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.conversation import LogEntry
from bot.domain.desk import DeskTopic, MessageRef, PendingCopy, SupportRequest
from bot.domain.funnel import FirstSeen
from bot.domain.limits import Quota, Window
from bot.domain.money import Balance, Credit
from bot.domain.records import (
    Account,
    AutopaySettings,
    CardCheck,
    CheckStatus,
    EmailToken,
    LinkRecord,
    ListedAccount,
    NewAccount,
    SessionRecord,
    SmsCode,
    TwoFactorRecord,
    View,
)
from bot.domain.reminders import Reminder
from bot.domain.steps import Step


class EmailTaken(Exception):
    """Another account already has this address (R1)."""


class AlreadyRegistered(Exception):
    """This Telegram user already has an account."""


class PhoneSlotTaken(Exception):
    """Another account took the same free place of a phone number at the same moment
    (R7); the transaction is rolled back and may be tried again."""


class AccountRepository(Protocol):
    async def get(self, account_id: int) -> Account | None: ...

    async def by_telegram_user(self, telegram_user_id: int) -> Account | None: ...

    async def by_email_key(self, email_key: str) -> Account | None: ...

    async def add(self, new: NewAccount) -> Account:
        """Raises EmailTaken or AlreadyRegistered when a unique constraint says no."""
        ...

    async def change_email(self, account_id: int, email: str, email_key: str) -> bool:
        """R31: a new address for an account whose email is not confirmed; False if it
        is confirmed meanwhile. Raises EmailTaken when another account has the address."""
        ...

    async def delete(self, account_id: int) -> None:
        """R32: the account and everything of it (ON DELETE CASCADE)."""
        ...

    async def complete(self, account_id: int, step: Step, at: datetime) -> bool:
        """Marks `step` done (its time in bot/domain/steps.py); False if it already was."""
        ...

    async def confirm_phone(self, account_id: int, phone: str, at: datetime) -> None: ...

    async def by_phone(self, phone: str) -> list[Account]:
        """Accounts with this number, confirmed or still being confirmed."""
        ...

    async def steps_done(self) -> dict[Step, int]:
        """How many accounts have done each step (the funnel's totals, for /metrics)."""
        ...

    async def unfinished_since(self, before: datetime) -> list[Account]:
        """Accounts whose registration is not complete and whose last completed step
        (bot/domain/steps.py) is older than `before`, the oldest first."""
        ...

    async def created_since(self, since: datetime | None) -> list[Account]: ...

    async def set_api_access(self, account_id: int, at: datetime | None) -> None:
        """API access on (since `at`) or off (None)."""
        ...

    async def delete_unconfirmed(
        self, created_before: datetime, email_key: str | None = None, limit: int = 500
    ) -> list[int]:
        """R24: deletes accounts whose email is not confirmed and that were created
        before `created_before` (only the one with `email_key`, if given); returns their
        Telegram user ids. Everything of theirs goes with them (ON DELETE CASCADE)."""
        ...


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

    async def latest_delivered(self, account_id: int) -> EmailToken | None: ...


class SmsCodeRepository(Protocol):
    async def add(
        self,
        account_id: int,
        phone: str,
        salt: str,
        digest: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> int: ...

    async def get(self, code_id: int) -> SmsCode | None: ...

    async def latest(self, account_id: int) -> SmsCode | None:
        """The newest code that was sent, live or not."""
        ...

    async def recent(self, account_id: int, limit: int) -> list[SmsCode]:
        """The account's last `limit` codes that were sent, newest first."""
        ...

    async def mark_sent(self, code_id: int, at: datetime) -> bool:
        """Marks a not yet void code as sent; False if it was voided meanwhile."""
        ...

    async def void(self, code_id: int, at: datetime) -> None: ...

    async def void_others(self, account_id: int, keep_code_id: int, at: datetime) -> None: ...

    async def record_wrong_attempt(
        self, code_id: int, max_attempts: int, at: datetime, attempt_key: int | None
    ) -> int:
        """Counts a wrong try on a live code and voids it at `max_attempts`; returns the
        count after this try, or 0 if the code was no longer live. A try with the same
        `attempt_key` as the last one is not counted again: its count is returned."""
        ...

    async def use(self, code_id: int, at: datetime) -> bool:
        """Marks a live code used; False if it is no longer live."""
        ...

    async def set_prompt(
        self, code_id: int, chat_id: int, message_id: int, language: str
    ) -> None: ...

    async def prompts_due(self, sent_before: datetime, limit: int) -> list[SmsCode]:
        """Live codes sent before `sent_before` whose prompt has not been refreshed."""
        ...

    async def next_prompt_sent_at(self) -> datetime | None:
        """The send time of the oldest live code whose prompt is still to refresh."""
        ...

    async def mark_prompt_refreshed(self, code_id: int, at: datetime) -> None: ...


class PhoneConfirmationRepository(Protocol):
    async def holders(self, phone: str) -> list[int]:
        """The accounts on which this number is confirmed."""
        ...

    async def claim(self, phone: str, account_id: int, places: int, at: datetime) -> bool:
        """Takes one of the number's `places` for the account (R7). False when all are
        taken; raises PhoneSlotTaken when another account took the same place at the
        same moment (a constraint decides, so this holds across processes)."""
        ...


class CardCheckRepository(Protocol):
    async def add(
        self,
        account_id: int,
        payload_digest: str,
        backend: str,
        amount_kopecks: int,
        currency: str,
        created_at: datetime,
    ) -> int:
        """A new pending check; any older pending check of the account is superseded
        first (one pending check per account is a constraint)."""
        ...

    async def by_payload(self, payload_digest: str) -> CardCheck | None: ...

    async def close(self, check_id: int, status: CheckStatus, at: datetime) -> bool:
        """Moves a pending check to `status`; False if it was not pending."""
        ...

    async def mark_paid(
        self, check_id: int, charge_id: str, provider_charge_id: str | None, at: datetime
    ) -> bool:
        """Records the payment on the check, whatever its status; False if this
        charge was recorded already (the same payment seen twice)."""
        ...


class LedgerRepository(Protocol):
    async def credit(self, credit: Credit, at: datetime) -> bool:
        """Adds the entry; False if its (reason, source_id) was credited already."""
        ...

    async def balance(self, account_id: int) -> Balance: ...


class AutopayRepository(Protocol):
    async def get(self, account_id: int) -> AutopaySettings | None: ...

    async def put(self, account_id: int, settings: AutopaySettings) -> None: ...


class TwoFactorRepository(Protocol):
    async def get(self, account_id: int) -> TwoFactorRecord | None: ...

    async def put_pending(self, account_id: int, secret: str, at: datetime) -> None:
        """A set-up not confirmed yet; replaces an earlier unconfirmed one."""
        ...

    async def wrong_attempt(self, account_id: int, attempt_key: int | None) -> int:
        """Counts a wrong code (the same `attempt_key` only once); returns the count."""
        ...

    async def delete(self, account_id: int) -> None: ...

    async def enable(self, account_id: int, at: datetime, step: int, pending_codes: str) -> None:
        """2FA on; `pending_codes` is the encrypted backup codes, kept until saved (R25)."""
        ...

    async def codes_saved(self, account_id: int) -> bool:
        """Forgets the encrypted backup codes; False if there were none."""
        ...

    async def used_step(self, account_id: int, step: int | None) -> None:
        """A code was accepted: remember its step (no replay) and forget wrong tries."""
        ...

    async def lock(self, account_id: int, until: datetime) -> None: ...


class BackupCodeRepository(Protocol):
    async def replace(self, account_id: int, macs: list[str], at: datetime) -> None: ...

    async def use(self, account_id: int, mac: str, at: datetime) -> bool:
        """Marks the code used; False if it is unknown or used already."""
        ...


class QuotaRepository(Protocol):
    async def take(self, quota: Quota, subject: str, window: Window, limit: int) -> bool:
        """One unit of `quota` for `subject` in `window`; False when `limit` are used
        (a condition in the statement decides, so this holds across instances)."""
        ...

    async def give_back(self, quota: Quota, subject: str, window: Window) -> None: ...

    async def prune(self, before: datetime) -> int:
        """Forgets the windows that ended before `before`."""
        ...


class ExpiredSignupRepository(Protocol):
    """R24: who had a sign-up removed unconfirmed, to be told once."""

    async def add(self, telegram_user_ids: list[int], at: datetime) -> None: ...

    async def take(self, telegram_user_id: int) -> bool:
        """Forgets the person's entry; True if there was one."""
        ...

    async def exists(self, telegram_user_id: int) -> bool: ...

    async def prune(self, before: datetime) -> int: ...


class SecretBox(Protocol):
    """Encryption of secrets at rest, and a keyed hash for codes that are only checked."""

    def encrypt(self, plain: str) -> str: ...

    def decrypt(self, token: str) -> str: ...

    def mac(self, text: str) -> str: ...


class PreferenceRepository(Protocol):
    async def language(self, telegram_user_id: int) -> str | None: ...

    async def set_language(self, telegram_user_id: int, language: str) -> None: ...


class DeskRepository(Protocol):
    """The support desk (R35-R37): each person's topic, their requests, and every
    message copied between them."""

    async def reserve_topic(self, telegram_user_id: int, now: datetime, stale: datetime) -> bool:
        """True: this caller creates the person's topic. False: the topic exists, or
        another instance reserved it after `stale`."""
        ...

    async def topic(self, telegram_user_id: int) -> DeskTopic | None: ...

    async def set_topic(self, telegram_user_id: int, thread_id: int) -> None: ...

    async def set_card(self, telegram_user_id: int, message_id: int) -> None: ...

    async def forget_topic(self, telegram_user_id: int) -> None: ...

    async def person_in(self, thread_id: int) -> int | None: ...

    async def open_request(self, telegram_user_id: int, now: datetime) -> SupportRequest:
        """The person's open request (talking again), or a new one."""
        ...

    async def open_request_of(self, telegram_user_id: int) -> SupportRequest | None: ...

    async def set_talking(self, telegram_user_id: int, talking: bool) -> None: ...

    async def answered(self, telegram_user_id: int, now: datetime) -> None:
        """The desk replied: the open request's first answer, if it had none."""
        ...

    async def close(self, telegram_user_id: int, now: datetime) -> SupportRequest | None: ...

    async def open_requests(self) -> list[SupportRequest]: ...

    async def requests_since(self, since: datetime | None) -> list[SupportRequest]: ...

    async def claim_copy(
        self, source: MessageRef, target_chat_id: int, to_person: bool, now: datetime
    ) -> bool:
        """False: this message was already claimed (a redelivered update)."""
        ...

    async def copied(self, source: MessageRef, copy_message_id: int) -> None: ...

    async def copy_of(self, source: MessageRef) -> MessageRef | None: ...

    async def pending_copies(self, claimed_before: datetime, limit: int) -> list[PendingCopy]: ...

    async def retry_copy(self, source: MessageRef, now: datetime) -> None: ...


class ReminderRepository(Protocol):
    """Reminders (R38-R40): one row per person, step and number, recorded before it is
    sent; and whether a person wants them."""

    async def claim(
        self, telegram_user_id: int, step: str, number: int, status: str, at: datetime
    ) -> bool:
        """False: this reminder was recorded already."""
        ...

    async def mark(
        self,
        telegram_user_id: int,
        step: str,
        number: int,
        status: str,
        sent_at: datetime | None,
        claimed_at: datetime | None = None,
    ) -> None: ...

    async def counts(self) -> dict[tuple[int, str], int]:
        """Reminders recorded, by person and step."""
        ...

    async def unwanted(self) -> set[int]:
        """People who turned reminders off."""
        ...

    async def blocked(self) -> dict[int, datetime]:
        """People a reminder found had blocked the bot, and when."""
        ...

    async def retries(self, claimed_before: datetime) -> list[tuple[int, str, int]]: ...

    async def since(self, since: datetime | None) -> list[Reminder]: ...

    async def wanted(self, telegram_user_id: int) -> bool: ...

    async def set_wanted(
        self, telegram_user_id: int, wanted: bool, *, blocked: bool, at: datetime
    ) -> None: ...


class DashboardRepository(Protocol):
    """Issue 20 (R41-R44): login links and sessions by digest, views, replies, and the
    People list."""

    async def add_link(
        self, digest: str, staff_user_id: int, at: datetime, expires_at: datetime
    ) -> None: ...

    async def link(self, digest: str) -> LinkRecord | None: ...

    async def use_link(self, digest: str, at: datetime) -> bool:
        """True for the one caller that used it (it was unused)."""
        ...

    async def add_session(
        self, digest: str, staff_user_id: int, at: datetime, expires_at: datetime
    ) -> None: ...

    async def session(self, digest: str) -> SessionRecord | None: ...

    async def end_session(self, digest: str) -> None: ...

    async def prune(self, before: datetime) -> int:
        """Links and sessions that expired before `before`."""
        ...

    async def add_view(self, staff_user_id: int, user_id: int, at: datetime) -> None: ...

    async def views(self, user_id: int, limit: int) -> list[View]: ...

    async def claim_reply(
        self, digest: str, staff_user_id: int, user_id: int, at: datetime
    ) -> bool: ...

    async def reply_sent(self, digest: str, message_id: int) -> None: ...

    async def forget_reply(self, digest: str) -> None: ...

    async def accounts_page(
        self,
        user_ids: list[int] | None,
        stuck_before: datetime | None,
        open_request: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[ListedAccount], int]:
        """Accounts (newest first; stuck ones oldest progress first), and how many
        match in all."""
        ...


class Transaction(Protocol):
    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def email_tokens(self) -> EmailTokenRepository: ...

    @property
    def preferences(self) -> PreferenceRepository: ...

    @property
    def sms_codes(self) -> SmsCodeRepository: ...

    @property
    def phones(self) -> PhoneConfirmationRepository: ...

    @property
    def card_checks(self) -> CardCheckRepository: ...

    @property
    def ledger(self) -> LedgerRepository: ...

    @property
    def autopay(self) -> AutopayRepository: ...

    @property
    def two_factor(self) -> TwoFactorRepository: ...

    @property
    def backup_codes(self) -> BackupCodeRepository: ...

    @property
    def quotas(self) -> QuotaRepository: ...

    @property
    def expired_signups(self) -> ExpiredSignupRepository: ...

    @property
    def desk(self) -> DeskRepository: ...

    @property
    def reminders(self) -> ReminderRepository: ...

    @property
    def dashboard(self) -> DashboardRepository: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """One unit of work: committed when the block ends, rolled back on an exception."""
        ...

    def reading(self) -> AbstractAsyncContextManager[Transaction]:
        """Reads only, refused by the engine if anything writes: no waiting for the
        writers. Each read sees what was committed before it began; a decision that
        leads to a write reads inside `transaction()` instead."""
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


@dataclass(frozen=True)
class OutgoingSms:
    phone: str  # E.164
    text: str


class SmsDeliveryError(Exception):
    """The gateway did not accept the SMS. The text never holds the message (the code)."""


class SmsSender(Protocol):
    async def send(self, sms: OutgoingSms) -> None:
        """Raises SmsDeliveryError when the SMS was not accepted for delivery."""
        ...


@dataclass(frozen=True)
class Invoice:
    """What the person is asked to pay (R9): shown by the payment gateway."""

    chat_id: int
    payload: str  # unguessable, bound to one check of one account
    amount_kopecks: int
    currency: str
    language: str


class PaymentGatewayError(Exception):
    """The payment form could not be shown. The text never holds the payload."""


class PaymentGateway(Protocol):
    """Telegram Payments or the sandbox. The card itself is entered in the provider's
    form (or nowhere, in the sandbox): the bot never sees a card number."""

    @property
    def name(self) -> str: ...

    async def present(self, invoice: Invoice) -> None:
        """Shows the invoice to the person; raises PaymentGatewayError."""
        ...


class ConversationLogRepository(Protocol):
    """R18's records. Written in batches by the recorder, outside any domain transaction."""

    async def write(self, entries: list[LogEntry]) -> None: ...

    async def latest(
        self, user_id: int | None, limit: int, since: datetime | None = None
    ) -> list[LogEntry]: ...

    async def after(
        self,
        after_id: int,
        user_id: int | None = None,
        since: datetime | None = None,
        limit: int = 1000,
    ) -> list[LogEntry]: ...

    def follow(self, after_id: int, user_id: int | None = None) -> AsyncGenerator[LogEntry, None]:
        """Records written after `after_id` by any instance, as they are committed,
        until the caller stops iterating."""
        ...

    def watches_changed(self) -> AsyncGenerator[None, None]:
        """Yields once it is following (read the watches then), and again whenever
        any instance may have changed who is watched."""
        ...

    async def last_activity(self, user_id: int) -> datetime | None: ...

    async def has_user(self, user_id: int) -> bool: ...

    async def first_seen(self, since: datetime | None, password_state: str) -> dict[int, FirstSeen]:
        """Per person who wrote since `since`: their first message, and their first
        one while `password_state` was the step (the funnel's sign-up rows)."""
        ...

    async def prune(self, before: datetime) -> int: ...

    async def watch(self, support_user_id: int, watched_user_id: int) -> None: ...

    async def unwatch(self, support_user_id: int) -> int | None: ...

    async def watches(self) -> dict[int, int]: ...
