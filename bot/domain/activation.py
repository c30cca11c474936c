"""R11: "Get started" activates the services and credits the sign-up bonus once; the
balance (R9 payment + R11 bonus) is derived from the ledger."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bot.domain.clock import Clock
from bot.domain.money import Balance, Credit, CreditReason, LedgerKind, rubles
from bot.domain.policy import Policy
from bot.domain.ports import Store
from bot.domain.records import Account
from bot.domain.steps import Step, has_reached


class ActivationStatus(enum.Enum):
    ACTIVATED = "activated"
    ALREADY_ACTIVE = "already_active"  # a second press, a stale button, a redelivery
    NOT_YET = "not_yet"  # a confirmation step is still open


@dataclass(frozen=True)
class ActivationOutcome:
    status: ActivationStatus
    account: Account | None = None
    balance: Balance = field(default_factory=Balance)
    bonus_kopecks: int = 0


class ActivationService:
    def __init__(self, *, store: Store, policy: Policy, clock: Clock) -> None:
        self._store = store
        self._policy = policy
        self._clock = clock

    @property
    def policy(self) -> Policy:
        return self._policy

    async def activate(self, telegram_user_id: int) -> ActivationOutcome:
        now = self._clock.now()
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None or not has_reached(account, self._policy, Step.ACTIVATION):
                return ActivationOutcome(ActivationStatus.NOT_YET, account=account)
            if not await tx.accounts.complete(account.id, Step.ACTIVATION, now):
                return ActivationOutcome(
                    ActivationStatus.ALREADY_ACTIVE,
                    account=account,
                    balance=await tx.ledger.balance(account.id),
                )
            bonus = rubles(self._policy.bonus_points)
            # Keyed by the account: whatever happens around it, one bonus per account.
            await tx.ledger.credit(
                Credit(
                    account_id=account.id,
                    kind=LedgerKind.BONUS,
                    amount_kopecks=bonus,
                    reason=CreditReason.SIGNUP_BONUS,
                    source_id=f"account:{account.id}",
                ),
                now,
            )
            return ActivationOutcome(
                ActivationStatus.ACTIVATED,
                account=await tx.accounts.get(account.id),
                balance=await tx.ledger.balance(account.id),
                bonus_kopecks=bonus,
            )

    async def balance_of(self, telegram_user_id: int) -> tuple[Account | None, Balance]:
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None:
                return None, Balance()
            return account, await tx.ledger.balance(account.id)
