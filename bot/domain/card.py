"""R9: the payment card, confirmed by a verification payment credited to the balance.

The card is entered in the payment provider's form (Telegram Payments) or nowhere
(the sandbox); the bot only ever sees that a payment of the right amount was made.
Every credit is keyed by the payment's charge id, so a payment seen twice is credited
once, and a real payment is never dropped, even for an invoice superseded meanwhile.
"""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.money import CURRENCY, Balance, Credit, CreditReason, LedgerKind, rubles
from bot.domain.policy import Policy
from bot.domain.ports import (
    Invoice,
    PaymentGateway,
    PaymentGatewayError,
    Store,
)
from bot.domain.records import Account, CardCheck, CheckStatus
from bot.domain.steps import Step, has_reached
from bot.domain.tokens import token_digest

log = logging.getLogger(__name__)

SANDBOX = "sandbox"


class OfferStatus(enum.Enum):
    INVOICE_SHOWN = "invoice_shown"
    NOT_YET = "not_yet"  # no account, or the phone is not confirmed (R9: fixed order)
    ALREADY_LINKED = "already_linked"
    GATEWAY_FAILED = "gateway_failed"


@dataclass(frozen=True)
class OfferOutcome:
    status: OfferStatus
    account: Account | None = None
    amount_kopecks: int = 0


class CheckProblem(enum.Enum):
    """Why a payment for an invoice is refused before any money moves."""

    UNKNOWN = "unknown"  # not an invoice of this bot: forged or garbled
    OTHER_ACCOUNT = "other_account"
    WRONG_AMOUNT = "wrong_amount"  # amount or currency differ from the invoice
    SUPERSEDED = "superseded"  # a newer invoice was issued, or this one was declined
    ALREADY_PAID = "already_paid"  # this invoice, or the card is linked already


@dataclass(frozen=True)
class CheckVerdict:
    problem: CheckProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class PaymentStatus(enum.Enum):
    CARD_LINKED = "card_linked"
    CREDITED = "credited"  # a further payment (the card was linked already): credited
    DUPLICATE = "duplicate"  # this payment was recorded already: nothing credited
    REFUSED = "refused"  # sandbox only: see `problem`, nothing paid
    UNMATCHED = "unmatched"  # money arrived for an invoice that is not this person's
    # R28: money arrived for this person's invoice, in another amount or currency:
    # credited (or held, another currency), the card not linked, support to check.
    MISMATCHED = "mismatched"


@dataclass(frozen=True)
class PaymentOutcome:
    status: PaymentStatus
    account: Account | None = None
    amount_kopecks: int = 0
    balance: Balance | None = None
    problem: CheckProblem | None = None
    currency: str = CURRENCY


def _ledger_kind(check: CardCheck, currency: str) -> LedgerKind:
    if check.backend == SANDBOX:
        return LedgerKind.SIMULATED  # R21: no money moved
    if currency != CURRENCY:
        return LedgerKind.HELD  # R28: cannot be rubles on the balance
    return LedgerKind.MONEY


class CardService:
    def __init__(
        self, *, store: Store, gateway: PaymentGateway, policy: Policy, clock: Clock
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._policy = policy
        self._clock = clock

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def amount_kopecks(self) -> int:
        return rubles(self._policy.card_check_amount_rub)

    @property
    def backend(self) -> str:
        return self._gateway.name

    async def offer(self, telegram_user_id: int, chat_id: int, language: str) -> OfferOutcome:
        """A fresh invoice for the verification payment; older ones stop being payable."""
        payload = secrets.token_urlsafe(24)
        amount = self.amount_kopecks
        async with self._store.transaction() as tx:
            account = await tx.accounts.by_telegram_user(telegram_user_id)
            if account is None or not account.has_done(Step.PHONE):
                return OfferOutcome(OfferStatus.NOT_YET, account=account)
            if account.has_done(Step.CARD):
                return OfferOutcome(OfferStatus.ALREADY_LINKED, account=account)
            check_id = await tx.card_checks.add(
                account.id, token_digest(payload), self.backend, amount, CURRENCY, self._clock.now()
            )
        invoice = Invoice(
            chat_id=chat_id,
            payload=payload,
            amount_kopecks=amount,
            currency=CURRENCY,
            language=language,
        )
        try:
            await self._gateway.present(invoice)
        except PaymentGatewayError as exc:
            log.warning("invoice for account %s not shown: %s", account.id, exc)
            async with self._store.transaction() as tx:
                await tx.card_checks.close(check_id, CheckStatus.FAILED, self._clock.now())
            return OfferOutcome(OfferStatus.GATEWAY_FAILED, account=account, amount_kopecks=amount)
        return OfferOutcome(OfferStatus.INVOICE_SHOWN, account=account, amount_kopecks=amount)

    async def check_before_payment(
        self, telegram_user_id: int, payload: str, currency: str, total_kopecks: int
    ) -> CheckVerdict:
        """Telegram's pre-checkout question: may this person pay this, now?"""
        async with self._store.reading() as tx:
            check = await tx.card_checks.by_payload(token_digest(payload))
            account = None if check is None else await tx.accounts.get(check.account_id)
        return self._verdict(check, account, telegram_user_id, currency, total_kopecks)

    async def record_payment(
        self,
        telegram_user_id: int,
        payload: str,
        currency: str,
        total_kopecks: int,
        charge_id: str,
        provider_charge_id: str | None,
    ) -> PaymentOutcome:
        """A payment that went through: credited once, and the card linked (R9)."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            check = await tx.card_checks.by_payload(token_digest(payload))
            account = None if check is None else await tx.accounts.get(check.account_id)
            if check is None or account is None or account.telegram_user_id != telegram_user_id:
                # Money was taken for something this bot cannot match to the payer.
                # Nothing is credited to anyone; the charge id lets support find it.
                log.error("payment %s matches no invoice of its payer", charge_id)
                return PaymentOutcome(PaymentStatus.UNMATCHED)
            matches = currency == check.currency and total_kopecks == check.amount_kopecks
            credit = Credit(
                account_id=account.id,
                kind=_ledger_kind(check, currency),
                amount_kopecks=total_kopecks,
                reason=CreditReason.CARD_CHECK,
                source_id=charge_id,
                currency=currency,
            )
            if not await tx.ledger.credit(credit, now):
                return PaymentOutcome(
                    PaymentStatus.DUPLICATE,
                    account=account,
                    amount_kopecks=total_kopecks,
                    balance=await tx.ledger.balance(account.id),
                )
            await tx.card_checks.mark_paid(check.id, charge_id, provider_charge_id, now)
            if not matches:
                # Pre-checkout refuses this, so it is a fault or a forgery: the money is
                # kept (R28), but a kopeck is no proof of a card.
                log.error(
                    "payment %s differs from its invoice %s: kept, card not linked;"
                    " support to check",
                    charge_id,
                    check.id,
                )
                return PaymentOutcome(
                    PaymentStatus.MISMATCHED,
                    account=account,
                    amount_kopecks=total_kopecks,
                    currency=currency,
                    balance=await tx.ledger.balance(account.id),
                )
            linked = await tx.accounts.complete(account.id, Step.CARD, now)
            return PaymentOutcome(
                PaymentStatus.CARD_LINKED if linked else PaymentStatus.CREDITED,
                account=await tx.accounts.get(account.id),
                amount_kopecks=total_kopecks,
                balance=await tx.ledger.balance(account.id),
            )

    @property
    def simulated(self) -> bool:
        """R21: payments here are the sandbox's pretend ones."""
        return self.backend == SANDBOX

    async def sandbox_pay(self, telegram_user_id: int, payload: str) -> PaymentOutcome:
        """The sandbox's simulated payment: the same checks and the same crediting as a
        real one. Refused outright unless the sandbox is the configured backend, so a
        forged button can never credit money in production."""
        if self.backend != SANDBOX:
            return PaymentOutcome(PaymentStatus.REFUSED, problem=CheckProblem.UNKNOWN)
        async with self._store.reading() as tx:
            check = await tx.card_checks.by_payload(token_digest(payload))
            account = None if check is None else await tx.accounts.get(check.account_id)
        if check is None:
            return PaymentOutcome(PaymentStatus.REFUSED, problem=CheckProblem.UNKNOWN)
        verdict = self._verdict(check, account, telegram_user_id, CURRENCY, check.amount_kopecks)
        charge_id = f"sandbox-{token_digest(payload)[:32]}"
        if verdict.problem is CheckProblem.ALREADY_PAID and check.charge_id == charge_id:
            # The same press seen again: answer as the first time, credit nothing.
            verdict = CheckVerdict()
        if not verdict.ok:
            return PaymentOutcome(PaymentStatus.REFUSED, account=account, problem=verdict.problem)
        return await self.record_payment(
            telegram_user_id, payload, CURRENCY, check.amount_kopecks, charge_id, None
        )

    async def sandbox_decline(self, telegram_user_id: int, payload: str) -> bool:
        """The sandbox's simulated declined card: the invoice is closed, nothing paid."""
        if self.backend != SANDBOX:
            return False
        async with self._store.transaction() as tx:
            check = await tx.card_checks.by_payload(token_digest(payload))
            account = None if check is None else await tx.accounts.get(check.account_id)
            if check is None or account is None or account.telegram_user_id != telegram_user_id:
                return False
            return await tx.card_checks.close(check.id, CheckStatus.DECLINED, self._clock.now())

    def _verdict(
        self,
        check: CardCheck | None,
        account: Account | None,
        telegram_user_id: int,
        currency: str,
        total_kopecks: int,
    ) -> CheckVerdict:
        if check is None or account is None:
            return CheckVerdict(CheckProblem.UNKNOWN)
        if account.telegram_user_id != telegram_user_id:
            return CheckVerdict(CheckProblem.OTHER_ACCOUNT)
        if currency != check.currency or total_kopecks != check.amount_kopecks:
            return CheckVerdict(CheckProblem.WRONG_AMOUNT)
        if check.status is CheckStatus.PAID or account.has_done(Step.CARD):
            return CheckVerdict(CheckProblem.ALREADY_PAID)
        if check.status is not CheckStatus.PENDING:
            return CheckVerdict(CheckProblem.SUPERSEDED)
        if not has_reached(account, self._policy, Step.CARD):
            return CheckVerdict(CheckProblem.SUPERSEDED)
        return CheckVerdict()
