"""Money as whole kopecks (never floats), rubles typed by people, and the balance.

The balance is never stored: it is the sum of the ledger's entries, each with its
reason and the id of what caused it, so a credit can be traced and is made once.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

KOPECKS_PER_RUBLE = 100
CURRENCY = "RUB"

# R10: whole rubles, spaces (also thin and non-breaking ones) and a trailing ruble
# sign or word are tolerated: "1 500", "1500 ₽", "1500 руб.", "1500 rub".
_RUBLES = re.compile(
    r"(?P<digits>\d[\d\s\u00a0\u2009\u202f]*?)\s*(₽|р\.?|руб\.?|рублей|рубля|рубль|rub\.?|rubles?|roubles?)?",
    re.IGNORECASE,
)
_MAX_INPUT_LENGTH = 40


def rubles(amount: int) -> int:
    """Kopecks in `amount` whole rubles."""
    return amount * KOPECKS_PER_RUBLE


class AmountProblem(enum.Enum):
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"  # "-5": an amount is never below zero
    FRACTION = "fraction"  # "1500.50": whole rubles only
    OUT_OF_RANGE = "out_of_range"


# What a person means by "-5", "−5 ₽" or "1500,50": a number, only not one accepted.
_NEGATIVE = re.compile(r"[-\u2212\u2013]\s*\d[\d\s]*([.,]\d+)?\s*\S*")
_FRACTION = re.compile(r"\d[\d\s]*[.,]\d{1,2}(?:\s*[^\d\s]\S*)?")


@dataclass(frozen=True)
class AmountVerdict:
    rubles: int | None = None
    problem: AmountProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.rubles is not None


def parse_rubles(text: str, low: int, high: int) -> AmountVerdict:
    """A whole number of rubles between `low` and `high`, inclusive."""
    raw = text.strip()
    match = _RUBLES.fullmatch(raw) if len(raw) <= _MAX_INPUT_LENGTH else None
    if match is None:
        if len(raw) <= _MAX_INPUT_LENGTH and _NEGATIVE.fullmatch(raw):
            return AmountVerdict(problem=AmountProblem.NEGATIVE)
        if len(raw) <= _MAX_INPUT_LENGTH and _FRACTION.fullmatch(raw):
            return AmountVerdict(problem=AmountProblem.FRACTION)
        return AmountVerdict(problem=AmountProblem.NOT_A_NUMBER)
    value = int(re.sub(r"\D", "", match["digits"]))
    if not low <= value <= high:
        return AmountVerdict(rubles=value, problem=AmountProblem.OUT_OF_RANGE)
    return AmountVerdict(rubles=value)


class LedgerKind(enum.Enum):
    MONEY = "money"  # rubles on the balance
    BONUS = "bonus"  # bonus points, 1 point = 1 ruble (kept in kopecks as well)
    # R21: the sandbox's pretend payment. Shown as such, never money.
    SIMULATED = "simulated"
    # R28: a payment in another currency than its invoice: kept, in its own currency,
    # for support to check; not on the balance.
    HELD = "held"


class CreditReason(enum.Enum):
    CARD_CHECK = "card_check"  # R9: the verification payment, credited to the balance
    SIGNUP_BONUS = "signup_bonus"  # R11: once per account


@dataclass(frozen=True)
class Credit:
    account_id: int
    kind: LedgerKind
    amount_kopecks: int  # the currency's minor units (kopecks for rubles)
    reason: CreditReason
    # What caused it: the payment's charge id, the account for the bonus. Unique per
    # reason, so the same cause can never be credited twice.
    source_id: str
    currency: str = CURRENCY  # another one only for HELD


@dataclass(frozen=True)
class Balance:
    money_kopecks: int = 0
    bonus_kopecks: int = 0
    # Not part of the total: the sandbox's pretend payments, and payments being checked
    # (currency -> minor units).
    simulated_kopecks: int = 0
    held: tuple[tuple[str, int], ...] = ()

    @property
    def total_kopecks(self) -> int:
        return self.money_kopecks + self.bonus_kopecks

    @property
    def bonus_points(self) -> int:
        return self.bonus_kopecks // KOPECKS_PER_RUBLE
