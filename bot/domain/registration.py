"""Where a person is in the registration (R12): derived from what is stored, never
from what the conversation last asked, so any restart resumes at the right place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.clock import Clock
from bot.domain.phone_confirmation import PendingCode, PhoneService
from bot.domain.policy import Policy
from bot.domain.ports import Store
from bot.domain.records import Account, AutopaySettings
from bot.domain.signup import SignupService
from bot.domain.steps import Progress, Step, confirmation_progress, next_step


@dataclass(frozen=True)
class Position:
    account: Account | None
    step: Step
    # Email step: the newest link has expired or was never delivered, so the person
    # is offered a fresh one rather than told to look for the old email.
    link_expired: bool = False
    # Phone step: the live code, if one was sent (it may have expired meanwhile).
    code: PendingCode | None = None
    # Activation: the autopayment decision (None: not offered or not answered yet).
    autopay: AutopaySettings | None = None
    card_exempt: bool = False
    progress: tuple[tuple[Step, Progress], ...] = ()
    # R24: a sign-up of this person was removed unconfirmed; they are to be told.
    expired_signup: bool = False


class RegistrationService:
    def __init__(
        self,
        *,
        store: Store,
        signup: SignupService,
        phone: PhoneService,
        policy: Policy,
        clock: Clock,
    ) -> None:
        self._store = store
        self._signup = signup
        self._phone = phone
        self._policy = policy
        self._clock = clock

    @property
    def policy(self) -> Policy:
        return self._policy

    def now(self) -> datetime:
        return self._clock.now()

    async def expired_signup_told(self, telegram_user_id: int) -> None:
        """R24: the person has been told their sign-up expired; not again."""
        async with self._store.transaction() as tx:
            await tx.expired_signups.take(telegram_user_id)

    async def position(self, telegram_user_id: int) -> Position:
        async with self._store.reading() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            token = None if account is None else await tx.email_tokens.latest_delivered(account.id)
            autopay = None if account is None else await tx.autopay.get(account.id)
            told = account is None and await tx.expired_signups.exists(telegram_user_id)
        if account is not None and await self._signup.expire_if_due(account):
            # R24: expired before the periodic job came to it; the same as if it had.
            return Position(None, Step.SIGN_UP, expired_signup=True)
        if account is None:
            return Position(None, Step.SIGN_UP, expired_signup=told)
        step = next_step(account, self._policy)
        progress = tuple(confirmation_progress(account, self._policy))
        exempt = account is not None and self._policy.is_card_exempt(account.email)
        if step is Step.EMAIL:
            now = self._clock.now()
            expired = token is None or not token.usable or now >= token.expires_at
            return Position(account, step, link_expired=expired, progress=progress)
        if step is Step.PHONE and account is not None:
            code = await self._phone.pending_code(account.id)
            return Position(account, step, code=code, progress=progress)
        return Position(account, step, autopay=autopay, card_exempt=exempt, progress=progress)
