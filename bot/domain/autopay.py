"""R10: optional autopayment: top up by an amount when the balance falls to a threshold."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.money import AmountVerdict, parse_rubles, rubles
from bot.domain.policy import Policy
from bot.domain.ports import Store
from bot.domain.records import Account, AutopaySettings
from bot.domain.steps import Step


class AutopayStatus(enum.Enum):
    SAVED = "saved"
    NO_CARD = "no_card"  # autopayment charges the linked card: there must be one
    NO_ACCOUNT = "no_account"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True)
class AutopayOutcome:
    status: AutopayStatus
    account: Account | None = None
    settings: AutopaySettings | None = None


class AutopayService:
    def __init__(self, *, store: Store, policy: Policy, clock: Clock) -> None:
        self._store = store
        self._policy = policy
        self._clock = clock

    @property
    def policy(self) -> Policy:
        return self._policy

    def parse_amount(self, text: str) -> AmountVerdict:
        return parse_rubles(text, self._policy.autopay_min_rub, self._policy.autopay_max_rub)

    def parse_threshold(self, text: str) -> AmountVerdict:
        return parse_rubles(text, 0, self._policy.autopay_threshold_max_rub)

    async def settings_of(
        self, telegram_user_id: int
    ) -> tuple[Account | None, AutopaySettings | None]:
        async with self._store.reading() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None:
                return None, None
            return account, await tx.autopay.get(account.id)

    async def save(
        self, telegram_user_id: int, amount_rub: int, threshold_rub: int
    ) -> AutopayOutcome:
        policy = self._policy
        in_range = (
            policy.autopay_min_rub <= amount_rub <= policy.autopay_max_rub
            and 0 <= threshold_rub <= policy.autopay_threshold_max_rub
        )
        if not in_range:
            # The handler parsed these, but the rule is the domain's to keep.
            return AutopayOutcome(AutopayStatus.OUT_OF_RANGE)
        settings = AutopaySettings(
            enabled=True,
            amount_kopecks=rubles(amount_rub),
            threshold_kopecks=rubles(threshold_rub),
            updated_at=self._clock.now(),
        )
        return await self._put(telegram_user_id, settings, keep_enabled=False)

    async def skip(self, telegram_user_id: int) -> AutopayOutcome:
        """ "Skip" at the offer: decided, not set up. Settings made earlier are kept."""
        settings = AutopaySettings(
            enabled=False, amount_kopecks=None, threshold_kopecks=None, updated_at=self._clock.now()
        )
        return await self._put(telegram_user_id, settings, keep_enabled=True)

    async def turn_off(self, telegram_user_id: int) -> AutopayOutcome:
        """Off, keeping the numbers so that turning it on again can start from them."""
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None:
                return AutopayOutcome(AutopayStatus.NO_ACCOUNT)
            current = await tx.autopay.get(account.id)
            settings = AutopaySettings(
                enabled=False,
                amount_kopecks=current.amount_kopecks if current else None,
                threshold_kopecks=current.threshold_kopecks if current else None,
                updated_at=self._clock.now(),
            )
            await tx.autopay.put(account.id, settings)
            return AutopayOutcome(AutopayStatus.SAVED, account=account, settings=settings)

    async def _put(
        self, telegram_user_id: int, settings: AutopaySettings, *, keep_enabled: bool
    ) -> AutopayOutcome:
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None:
                return AutopayOutcome(AutopayStatus.NO_ACCOUNT)
            if not account.has_done(Step.CARD):
                return AutopayOutcome(AutopayStatus.NO_CARD, account=account)
            current = await tx.autopay.get(account.id)
            if keep_enabled and current is not None:
                return AutopayOutcome(AutopayStatus.SAVED, account=account, settings=current)
            await tx.autopay.put(account.id, settings)
            return AutopayOutcome(AutopayStatus.SAVED, account=account, settings=settings)
