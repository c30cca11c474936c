"""R13: API access, behind two-factor authentication (TOTP, RFC 6238) and backup codes."""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp

from bot.domain.clock import Clock
from bot.domain.policy import Policy
from bot.domain.ports import SecretBox, Store, Transaction
from bot.domain.records import Account, TwoFactorRecord
from bot.domain.steps import Step, has_reached, next_step

ISSUER = "VK Cloud"
DIGITS = 6
INTERVAL = 30
# One step either side: the phone's clock and the server's may differ a little.
VALID_WINDOW = 1
BACKUP_CODES = 10
MAX_ATTEMPTS = 5
LOCK_MINUTES = 15
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_SEPARATORS = re.compile(r"[\s\-]")


def new_totp_secret() -> str:
    """160 random bits, base32, as authenticator apps expect."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step (30 s slot) whose code this is, within one step of `at`; None
    when the code matches none. The step is what replay protection remembers."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    now_step = totp.timecode(at)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = now_step + offset
        # pyotp compares in constant time.
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def new_backup_code() -> str:
    """Ten characters from a 31-letter alphabet (about 50 bits), shown as xxxxx-xxxxx."""
    raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_backup_code(text: str) -> str:
    return _SEPARATORS.sub("", text).lower()


def looks_like_totp(text: str) -> bool:
    given = _SEPARATORS.sub("", text)
    return given.isascii() and given.isdigit() and len(given) == DIGITS


class ApiStatus(enum.Enum):
    NOT_ACTIVE = "not_active"  # the registration is not finished
    SETUP_NEEDED = "setup_needed"  # 2FA off
    OFF = "off"  # 2FA on, API access off
    ON = "on"


@dataclass(frozen=True)
class ApiAccessView:
    """Where API access stands for a person: its status, and their step for NOT_ACTIVE."""

    status: ApiStatus
    account: Account | None
    step: Step


@dataclass(frozen=True)
class Setup:
    """A fresh secret, to be shown once (QR code and text) and then forgotten."""

    secret: str
    uri: str
    email: str
    # An earlier, unfinished set-up's key was replaced: its entry in the app is dead.
    replaced: bool = False


class TwoFactorCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # see attempts_left
    EXHAUSTED = "exhausted"  # set-up: a fresh secret is needed
    LOCKED = "locked"  # too many wrong codes: see minutes_left
    MALFORMED = "malformed"
    REPLAYED = "replayed"  # a code already used: wait for the next one
    NOTHING_PENDING = "nothing_pending"


@dataclass(frozen=True)
class TwoFactorOutcome:
    result: TwoFactorCheck
    attempts_left: int = 0
    minutes_left: int = 0
    backup_codes: tuple[str, ...] = ()
    used_backup_code: bool = False


class ApiAccessService:
    def __init__(self, *, store: Store, box: SecretBox, policy: Policy, clock: Clock) -> None:
        self._store = store
        self._box = box
        self._policy = policy
        self._clock = clock

    async def status(self, telegram_user_id: int) -> ApiAccessView:
        async with self._store.reading() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            record = None if account is None else await tx.two_factor.get(account.id)
        step = next_step(account, self._policy)
        if account is None or step is not Step.ACTIVE:
            return ApiAccessView(ApiStatus.NOT_ACTIVE, account, step)
        if record is None or record.enabled_at is None:
            return ApiAccessView(ApiStatus.SETUP_NEEDED, account, step)
        state = ApiStatus.ON if account.has_done(Step.API_ACCESS) else ApiStatus.OFF
        return ApiAccessView(state, account, step)

    async def start_setup(self, telegram_user_id: int) -> Setup | None:
        """A new secret for an active account without 2FA; any earlier unfinished
        set-up is replaced (its secret stops working)."""
        secret = new_totp_secret()
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None or not has_reached(account, self._policy, Step.ACTIVE):
                return None
            current = await tx.two_factor.get(account.id)
            if current is not None and current.enabled_at is not None:
                return None
            await tx.two_factor.put_pending(
                account.id, self._box.encrypt(secret), self._clock.now()
            )
        return Setup(
            secret=secret,
            uri=provisioning_uri(secret, account.email),
            email=account.email,
            replaced=current is not None,
        )

    async def confirm_setup(
        self, telegram_user_id: int, text: str, attempt_key: int | None = None
    ) -> TwoFactorOutcome:
        """The first code from the app turns 2FA on, creates the backup codes and
        switches API access on. The codes are kept, encrypted, until the person says
        they saved them (R25): this update seen again after a crash, or a reply that
        never arrived, shows them again instead of losing them."""
        now = self._clock.now()
        codes = [new_backup_code() for _ in range(BACKUP_CODES)]
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            record = None if account is None else await tx.two_factor.get(account.id)
            if record is not None and record.enabled_at is not None and record.pending_codes:
                return TwoFactorOutcome(
                    TwoFactorCheck.ACCEPTED, backup_codes=self._open(record.pending_codes)
                )
            if not looks_like_totp(text):
                return TwoFactorOutcome(TwoFactorCheck.MALFORMED)
            if account is None or record is None or record.enabled_at is not None:
                return TwoFactorOutcome(TwoFactorCheck.NOTHING_PENDING)
            step = matching_step(self._box.decrypt(record.secret), _SEPARATORS.sub("", text), now)
            if step is None:
                tries = await tx.two_factor.wrong_attempt(account.id, attempt_key)
                if tries >= MAX_ATTEMPTS:
                    # A fresh secret is needed: this one is gone for good.
                    await tx.two_factor.delete(account.id)
                    return TwoFactorOutcome(TwoFactorCheck.EXHAUSTED)
                return TwoFactorOutcome(TwoFactorCheck.WRONG, attempts_left=MAX_ATTEMPTS - tries)
            await tx.two_factor.enable(account.id, now, step, self._box.encrypt("\n".join(codes)))
            macs = [self._box.mac(normalise_backup_code(c)) for c in codes]
            await tx.backup_codes.replace(account.id, macs, now)
            await tx.accounts.set_api_access(account.id, now)
        return TwoFactorOutcome(TwoFactorCheck.ACCEPTED, backup_codes=tuple(codes))

    async def unsaved_backup_codes(self, telegram_user_id: int) -> tuple[str, ...]:
        """R25: the backup codes not yet said to be saved (empty once they are)."""
        async with self._store.reading() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            record = None if account is None else await tx.two_factor.get(account.id)
        if record is None or not record.pending_codes:
            return ()
        return self._open(record.pending_codes)

    async def backup_codes_saved(self, telegram_user_id: int) -> bool:
        """R25: "I have saved them": only the HMACs remain. False if nothing was kept."""
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None:
                return False
            return await tx.two_factor.codes_saved(account.id)

    def _open(self, sealed: str) -> tuple[str, ...]:
        return tuple(self._box.decrypt(sealed).split("\n"))

    async def switch(
        self, telegram_user_id: int, text: str, *, on: bool, attempt_key: int | None = None
    ) -> TwoFactorOutcome:
        """API access on or off, proven by a current TOTP code or a backup code."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            record = None if account is None else await tx.two_factor.get(account.id)
            if account is None or record is None or record.enabled_at is None:
                return TwoFactorOutcome(TwoFactorCheck.NOTHING_PENDING)
            if record.locked_until is not None and now < record.locked_until:
                minutes = int((record.locked_until - now).total_seconds() // 60) + 1
                return TwoFactorOutcome(TwoFactorCheck.LOCKED, minutes_left=minutes)
            outcome = await self._prove(tx, account.id, record, text, now, attempt_key)
            if outcome.result is TwoFactorCheck.ACCEPTED:
                await tx.accounts.set_api_access(account.id, now if on else None)
            return outcome

    async def _prove(
        self,
        t: Transaction,
        account_id: int,
        record: TwoFactorRecord,
        text: str,
        now: datetime,
        attempt_key: int | None,
    ) -> TwoFactorOutcome:
        if looks_like_totp(text):
            step = matching_step(self._box.decrypt(record.secret), _SEPARATORS.sub("", text), now)
            if step is not None:
                if record.last_used_step is not None and step <= record.last_used_step:
                    return TwoFactorOutcome(TwoFactorCheck.REPLAYED)
                await t.two_factor.used_step(account_id, step)
                return TwoFactorOutcome(TwoFactorCheck.ACCEPTED)
        elif len(normalise_backup_code(text)) == 10:
            if await t.backup_codes.use(
                account_id, self._box.mac(normalise_backup_code(text)), now
            ):
                await t.two_factor.used_step(account_id, record.last_used_step)
                return TwoFactorOutcome(TwoFactorCheck.ACCEPTED, used_backup_code=True)
        else:
            return TwoFactorOutcome(TwoFactorCheck.MALFORMED)
        tries = await t.two_factor.wrong_attempt(account_id, attempt_key)
        if tries >= MAX_ATTEMPTS:
            await t.two_factor.lock(account_id, now + timedelta(minutes=LOCK_MINUTES))
            return TwoFactorOutcome(TwoFactorCheck.LOCKED, minutes_left=LOCK_MINUTES)
        return TwoFactorOutcome(TwoFactorCheck.WRONG, attempts_left=MAX_ATTEMPTS - tries)
