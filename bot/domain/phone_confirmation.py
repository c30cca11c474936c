"""Phone confirmation (R6-R8): the number, the SMS code, the reuse limit."""

from __future__ import annotations

import dataclasses
import enum
import hmac
import logging
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.clock import Clock
from bot.domain.limits import LimitReached, Limits, Quota
from bot.domain.phones import PhoneProblem, classify_phone
from bot.domain.policy import Policy
from bot.domain.ports import (
    OutgoingSms,
    PhoneSlotTaken,
    SmsDeliveryError,
    SmsSender,
    Store,
    Transaction,
)
from bot.domain.records import Account, SmsCode
from bot.domain.steps import Step, has_reached, is_past

log = logging.getLogger(__name__)

_CODE_SEPARATORS = re.compile(r"[\s\-]")
# Two accounts racing for the same free place of a number: the loser's transaction is
# rolled back and tried again (it will then see the place taken).
_CLAIM_TRIES = 3
# How many of an account's earlier codes are looked at to tell "replaced" from "wrong".
_REPLACED_LOOKED_AT = 5


def new_code(length: int) -> str:
    """R8: a random numeric code from the OS's CSPRNG."""
    return f"{secrets.randbelow(10**length):0{length}d}"


Mac = Callable[[str], str]


def code_digest(mac: Mac, salt: str, code: str) -> str:
    """What is stored instead of the code: an HMAC keyed from SECRET_KEY (`mac`) of a
    random salt and the code. A six-digit code has a million values: an unkeyed hash
    of the row would give it away in a second (issue 16); without the key it cannot
    be recomputed at all."""
    return mac(f"sms-code:{salt}:{code}")


def code_matches(mac: Mac, code: SmsCode, given: str) -> bool:
    # Constant time, so the answer's timing says nothing about how close a guess was.
    return hmac.compare_digest(code_digest(mac, code.salt, given), code.digest)


@dataclass(frozen=True)
class CodeSms:
    """What the SMS says; the texts layer words it in the person's language."""

    language: str
    code: str
    valid_for: timedelta


class ComposeCodeSms(Protocol):
    def __call__(self, content: CodeSms) -> str: ...


@dataclass(frozen=True)
class PendingCode:
    """A live code as the person sees it: where it went, when it expires, when a new
    one may be asked for."""

    id: int
    phone: str
    sent_at: datetime
    expires_at: datetime
    resend_at: datetime
    attempts_left: int

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def seconds_until_resend(self, now: datetime) -> int:
        return max(0, math.ceil((self.resend_at - now).total_seconds()))


class PhoneStatus(enum.Enum):
    CODE_SENT = "code_sent"
    CODE_ALREADY_SENT = "code_already_sent"  # the same number again, code still fresh
    REFUSED = "refused"  # R6: see `problem`
    LIMIT_REACHED = "limit_reached"  # R7
    TOO_SOON = "too_soon"  # R8: see `seconds_left`
    DELIVERY_FAILED = "delivery_failed"
    NO_NUMBER = "no_number"  # a resend before any number was given
    NOT_YET = "not_yet"  # no account, or the email is not confirmed
    ALREADY_CONFIRMED = "already_confirmed"
    SMS_LIMIT = "sms_limit"  # R22: see `limit`


@dataclass(frozen=True)
class PhoneOutcome:
    status: PhoneStatus
    account: Account | None = None
    code: PendingCode | None = None
    problem: PhoneProblem | None = None
    seconds_left: int = 0
    limit: LimitReached | None = None
    # R31: the number of the live code this one replaced (a corrected number).
    replaced: str | None = None


class SmsCodeStatus(enum.Enum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    WRONG = "wrong"  # see `attempts_left`
    EXHAUSTED = "exhausted"  # the last allowed try was wrong: the code is void
    EXPIRED = "expired"
    NO_CODE = "no_code"
    REPLACED = "replaced"  # R31: an older code, replaced by a newer one: costs no try
    MALFORMED = "malformed"  # not N digits: not counted as a try
    LIMIT_REACHED = "limit_reached"  # R7, checked again at confirmation
    NOT_YET = "not_yet"


@dataclass(frozen=True)
class SmsCodeOutcome:
    status: SmsCodeStatus
    account: Account | None = None
    attempts_left: int = 0
    code: PendingCode | None = None  # REPLACED: the newer code, and where it went


class _Refused(Exception):
    """No SMS: the outcome to answer with (the unit of work is rolled back)."""

    def __init__(self, outcome: PhoneOutcome) -> None:
        super().__init__(outcome.status.value)
        self.outcome = outcome


@dataclass(frozen=True)
class DuePrompt:
    """A code prompt whose "The code didn't arrive?" button is now to be shown."""

    code_id: int
    chat_id: int
    message_id: int
    language: str
    phone: str
    expires_at: datetime


class PhoneService:
    def __init__(
        self,
        *,
        store: Store,
        sms_sender: SmsSender,
        compose_sms: ComposeCodeSms,
        mac: Mac,
        policy: Policy,
        clock: Clock,
    ) -> None:
        self._store = store
        self._mac = mac
        self._sms_sender = sms_sender
        self._compose_sms = compose_sms
        self._policy = policy
        self._clock = clock
        self._limits = Limits(policy)

    @property
    def policy(self) -> Policy:
        return self._policy

    def now(self) -> datetime:
        return self._clock.now()

    async def submit_phone(
        self, telegram_user_id: int, text: str, language: str, *, from_contact: bool = False
    ) -> PhoneOutcome:
        """R6-R8: checks the number and sends a code to it."""
        verdict = classify_phone(text, from_contact=from_contact)
        if not verdict.ok or verdict.e164 is None:
            return PhoneOutcome(PhoneStatus.REFUSED, problem=verdict.problem)
        return await self._send_code(telegram_user_id, verdict.e164, language, resend=False)

    async def resend_code(self, telegram_user_id: int, language: str) -> PhoneOutcome:
        """R8 "The code didn't arrive?": a new code to the same number, voiding the old."""
        async with self._store.reading() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            latest = None if account is None else await tx.sms_codes.latest(account.id)
        refusal = self._not_at_phone_step(account)
        if refusal is not None:
            return refusal
        if latest is None:
            return PhoneOutcome(PhoneStatus.NO_NUMBER, account=account)
        return await self._send_code(telegram_user_id, latest.phone, language, resend=True)

    async def check_code(
        self, telegram_user_id: int, text: str, attempt_key: int | None = None
    ) -> SmsCodeOutcome:
        """R8 and R7: the code confirms the number, if the number still has a free place.

        `attempt_key` names the try (the message it came in): the same try seen again
        after a crash gets the same answer and does not use up another attempt (R19).
        """
        given = _CODE_SEPARATORS.sub("", text)
        if not (given.isascii() and given.isdigit() and len(given) == self._policy.sms_code_length):
            return SmsCodeOutcome(SmsCodeStatus.MALFORMED)
        for _ in range(_CLAIM_TRIES):
            try:
                async with self._store.transaction() as tx:
                    return await self._check_code(tx, telegram_user_id, given, attempt_key)
            except PhoneSlotTaken:
                continue
        return SmsCodeOutcome(SmsCodeStatus.LIMIT_REACHED)

    async def pending_code(self, account_id: int) -> PendingCode | None:
        """The live code of the account, expired or not (for resuming, R12)."""
        async with self._store.reading() as tx:
            latest = await tx.sms_codes.latest(account_id)
        return None if latest is None or not latest.live else self._pending(latest)

    async def remember_prompt(
        self, code_id: int, chat_id: int, message_id: int, language: str
    ) -> None:
        """The message that asks for the code, to be given the resend button later."""
        async with self._store.transaction() as tx:
            await tx.sms_codes.set_prompt(code_id, chat_id, message_id, language)

    async def prompts_due(self, limit: int = 50) -> list[DuePrompt]:
        sent_before = self._clock.now() - self._resend_delay
        async with self._store.reading() as tx:
            codes = await tx.sms_codes.prompts_due(sent_before, limit)
        return [
            DuePrompt(
                code_id=c.id,
                chat_id=c.prompt_chat_id,
                message_id=c.prompt_message_id,
                language=c.prompt_language or "en",
                phone=c.phone,
                expires_at=c.expires_at,
            )
            for c in codes
            if c.prompt_chat_id is not None and c.prompt_message_id is not None
        ]

    async def next_prompt_due(self) -> datetime | None:
        async with self._store.reading() as tx:
            sent_at = await tx.sms_codes.next_prompt_sent_at()
        return None if sent_at is None else sent_at + self._resend_delay

    async def prompt_refreshed(self, code_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.sms_codes.mark_prompt_refreshed(code_id, self._clock.now())

    # -- inside --------------------------------------------------------------------
    @property
    def _resend_delay(self) -> timedelta:
        return timedelta(seconds=self._policy.sms_resend_seconds)

    def _pending(self, code: SmsCode) -> PendingCode:
        assert code.sent_at is not None
        return PendingCode(
            id=code.id,
            phone=code.phone,
            sent_at=code.sent_at,
            expires_at=code.expires_at,
            resend_at=code.sent_at + self._resend_delay,
            attempts_left=max(0, self._policy.sms_max_attempts - code.attempts),
        )

    def _not_at_phone_step(self, account: Account | None) -> PhoneOutcome | None:
        if not has_reached(account, self._policy, Step.PHONE):
            return PhoneOutcome(PhoneStatus.NOT_YET, account=account)
        if is_past(account, self._policy, Step.PHONE):
            return PhoneOutcome(PhoneStatus.ALREADY_CONFIRMED, account=account)
        return None

    async def _send_code(
        self, telegram_user_id: int, phone: str, language: str, *, resend: bool
    ) -> PhoneOutcome:
        now = self._clock.now()
        code = new_code(self._policy.sms_code_length)
        salt = secrets.token_hex(16)
        try:
            prepared = await self._prepare_code(telegram_user_id, phone, code, salt, now, resend)
        except _Refused as refused:
            return refused.outcome
        account, code_id, replaced = prepared
        outcome = await self._deliver(account, code_id, phone, code, language, now)
        if outcome.status is PhoneStatus.CODE_SENT and replaced is not None:
            return dataclasses.replace(outcome, replaced=replaced)
        return outcome

    async def _prepare_code(
        self, telegram_user_id: int, phone: str, code: str, salt: str, now: datetime, resend: bool
    ) -> tuple[Account, int, str | None]:
        """The checks before an SMS, the limits it uses, and the code, in one unit of
        work: a refusal (`_Refused`) rolls back whatever units were taken."""
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            refusal = self._not_at_phone_step(account)
            if refusal is not None:
                raise _Refused(refusal)
            assert account is not None
            latest = await tx.sms_codes.latest(account.id)
            corrected = latest is not None and latest.phone != phone and not resend
            if latest is not None and latest.sent_at is not None and not corrected:
                # The pause is for asking again for the same number; a corrected number
                # gets its code at once (R31), and the day's limits still hold (R22).
                wait = (latest.sent_at + self._resend_delay - now).total_seconds()
                if wait > 0:
                    if not resend and latest.phone == phone and latest.live:
                        # The same number again within the minute: a second tap, or this
                        # update delivered again after a crash. The code sent stands.
                        raise _Refused(
                            PhoneOutcome(
                                PhoneStatus.CODE_ALREADY_SENT,
                                account=account,
                                code=self._pending(latest),
                            )
                        )
                    raise _Refused(
                        PhoneOutcome(
                            PhoneStatus.TOO_SOON,
                            account=account,
                            seconds_left=math.ceil(wait),
                            code=self._pending(latest) if latest.live else None,
                        )
                    )
            # R7, before any SMS is sent (and again when the code is confirmed).
            others = [a for a in await tx.phones.holders(phone) if a != account.id]
            if len(others) >= self._policy.phone_max_accounts:
                raise _Refused(PhoneOutcome(PhoneStatus.LIMIT_REACHED, account=account))
            # R22: the account's SMS today, the number's today, and the bot's this hour.
            try:
                for quota, subject in self._sms_quotas(account, phone):
                    await self._limits.take(tx, quota, subject, now)
            except LimitReached as reached:
                raise _Refused(
                    PhoneOutcome(PhoneStatus.SMS_LIMIT, account=account, limit=reached)
                ) from None
            code_id = await tx.sms_codes.add(
                account.id,
                phone,
                salt,
                code_digest(self._mac, salt, code),
                now,
                now + timedelta(seconds=self._policy.sms_code_ttl_seconds),
            )
        replaced = latest.phone if latest is not None and latest.live and corrected else None
        return account, code_id, replaced

    @staticmethod
    def _sms_quotas(account: Account, phone: str) -> list[tuple[Quota, str]]:
        return [
            (Quota.SMS_PER_ACCOUNT, str(account.id)),
            (Quota.SMS_PER_PHONE, phone),
            (Quota.SMS_BUDGET, "all"),
        ]

    async def _deliver(
        self, account: Account, code_id: int, phone: str, code: str, language: str, now: datetime
    ) -> PhoneOutcome:
        text = self._compose_sms(
            CodeSms(
                language=language,
                code=code,
                valid_for=timedelta(seconds=self._policy.sms_code_ttl_seconds),
            )
        )
        try:
            await self._sms_sender.send(OutgoingSms(phone=phone, text=text))
        except SmsDeliveryError as exc:
            log.warning("SMS code for account %s not delivered: %s", account.id, exc)
            async with self._store.transaction() as tx:
                # Not sent: it must not start the resend timer, the code that was sent
                # before (if any) keeps working, and it uses none of the limits.
                await tx.sms_codes.void(code_id, self._clock.now())
                for quota, subject in self._sms_quotas(account, phone):
                    await self._limits.give_back(tx, quota, subject, now)
            return PhoneOutcome(PhoneStatus.DELIVERY_FAILED, account=account)
        async with self._store.transaction() as tx:
            sent_at = self._clock.now()
            await tx.sms_codes.void_others(account.id, keep_code_id=code_id, at=sent_at)
            await tx.sms_codes.mark_sent(code_id, sent_at)
            stored = await tx.sms_codes.get(code_id)
        assert stored is not None
        return PhoneOutcome(PhoneStatus.CODE_SENT, account=account, code=self._pending(stored))

    async def _replaced(self, tx: Transaction, account_id: int, live: SmsCode, given: str) -> bool:
        for older in await tx.sms_codes.recent(account_id, _REPLACED_LOOKED_AT):
            superseded = older.id != live.id and older.used_at is None
            exhausted = older.attempts >= self._policy.sms_max_attempts
            if superseded and not exhausted and code_matches(self._mac, older, given):
                return True
        return False

    async def _check_code(
        self, tx: Transaction, telegram_user_id: int, given: str, attempt_key: int | None
    ) -> SmsCodeOutcome:
        now = self._clock.now()
        account = await tx.accounts.by_telegram_user(telegram_user_id)
        if account is None or not has_reached(account, self._policy, Step.PHONE):
            return SmsCodeOutcome(SmsCodeStatus.NOT_YET, account=account)
        if is_past(account, self._policy, Step.PHONE):
            return SmsCodeOutcome(SmsCodeStatus.ALREADY_CONFIRMED, account=account)
        code = await tx.sms_codes.latest(account.id)
        if code is None:
            return SmsCodeOutcome(SmsCodeStatus.NO_CODE, account=account)
        if not code.live:
            exhausted = code.attempts >= self._policy.sms_max_attempts
            status = SmsCodeStatus.EXHAUSTED if exhausted else SmsCodeStatus.NO_CODE
            return SmsCodeOutcome(status, account=account)
        if now >= code.expires_at:
            return SmsCodeOutcome(SmsCodeStatus.EXPIRED, account=account)
        if not code_matches(self._mac, code, given):
            if await self._replaced(tx, account.id, code, given):
                # R31: the person typed a code that a newer one replaced: told so, no
                # try counted (the code was right, for its time).
                pending = self._pending(code)
                return SmsCodeOutcome(
                    SmsCodeStatus.REPLACED,
                    account=account,
                    code=pending,
                    attempts_left=pending.attempts_left,
                )
            tries = await tx.sms_codes.record_wrong_attempt(
                code.id, self._policy.sms_max_attempts, now, attempt_key
            )
            left = self._policy.sms_max_attempts - tries
            if tries == 0 or left <= 0:
                return SmsCodeOutcome(SmsCodeStatus.EXHAUSTED, account=account)
            return SmsCodeOutcome(SmsCodeStatus.WRONG, account=account, attempts_left=left)
        if not await tx.sms_codes.use(code.id, now):
            return SmsCodeOutcome(SmsCodeStatus.NO_CODE, account=account)
        # R7 again, atomically: a constraint on the number's places decides.
        if not await tx.phones.claim(code.phone, account.id, self._policy.phone_max_accounts, now):
            await tx.sms_codes.void(code.id, now)
            return SmsCodeOutcome(SmsCodeStatus.LIMIT_REACHED, account=account)
        await tx.accounts.confirm_phone(account.id, code.phone, now)
        return SmsCodeOutcome(SmsCodeStatus.CONFIRMED, account=await tx.accounts.get(account.id))
