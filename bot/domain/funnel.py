"""The registration funnel (`python -m bot stats`): how many people reached and
finished each step of bot/domain/steps.py, and how long the step took them. The
sign-up's two questions (the email, the password) come from the conversation log,
as they leave nothing on an account; every later step from the account's times."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.policy import Policy
from bot.domain.records import Account
from bot.domain.steps import STEPS, Step, steps_reached

# The FSM state recorded in the log while the password is asked for (states/
# registration.py; tests/test_support_vocabulary.py checks they agree).
PASSWORD_STATE = "Registration:password"  # noqa: S105 (a step's name)
# The funnel's first two rows, before the steps of bot/domain/steps.py.
SIGN_UP_EMAIL = "sign_up_email"
SIGN_UP_PASSWORD = "sign_up_password"  # noqa: S105


@dataclass(frozen=True)
class FirstSeen:
    """From the conversation log: when a person first wrote to the bot, and when they
    first wrote at the password question (None: never, or pruned since)."""

    at: datetime
    password_at: datetime | None = None


@dataclass(frozen=True)
class Journey:
    """One person's way through the registration. `steps`: each step their account
    had to do and reached, when it reached it and when it finished it (None: not
    yet); empty without an account."""

    steps: tuple[tuple[Step, datetime, datetime | None], ...] = ()
    seen: FirstSeen | None = None
    created_at: datetime | None = None

    @property
    def has_account(self) -> bool:
        return self.created_at is not None

    @classmethod
    def of(cls, account: Account, policy: Policy, seen: FirstSeen | None = None) -> Journey:
        return cls(tuple(steps_reached(account, policy)), seen, account.created_at)

    @classmethod
    def without_account(cls, seen: FirstSeen) -> Journey:
        return cls(seen=seen)

    def sign_up(self) -> list[tuple[str, datetime | None, datetime | None, bool]]:
        """The sign-up's two questions: (row, reached at, finished at, finished). A
        time may be unknown (the log was pruned) while the question is known done."""
        seen = self.seen
        first = seen.at if seen is not None else None
        password = seen.password_at if seen is not None else None
        rows: list[tuple[str, datetime | None, datetime | None, bool]] = [
            (SIGN_UP_EMAIL, first, password, password is not None or self.has_account)
        ]
        if password is not None or self.has_account:
            rows.append((SIGN_UP_PASSWORD, password, self.created_at, self.has_account))
        return rows


@dataclass(frozen=True)
class FunnelRow:
    # sign_up_email, sign_up_password, then the steps' values: email, phone, card,
    # activation, api_access.
    step: str
    reached: int
    finished: int
    median: timedelta | None  # from reaching the step to finishing it

    @property
    def conversion(self) -> float | None:
        return None if self.reached == 0 else self.finished / self.reached


def _median(spans: list[float]) -> timedelta | None:
    return timedelta(seconds=statistics.median(spans)) if spans else None


def funnel(journeys: list[Journey]) -> list[FunnelRow]:
    """One row per question and step, in the steps' order. Reaching a step is
    finishing the one before that the person had to do; an account that may skip a
    step (an exempt domain's card) is not counted at it."""
    rows: list[FunnelRow] = []
    for name in (SIGN_UP_EMAIL, SIGN_UP_PASSWORD):
        reached = finished = 0
        spans: list[float] = []
        for journey in journeys:
            for row, start, end, finished_it in journey.sign_up():
                if row != name:
                    continue
                reached += 1
                finished += finished_it
                if start is not None and end is not None and finished_it:
                    spans.append(max(0.0, (end - start).total_seconds()))
        rows.append(FunnelRow(name, reached, finished, _median(spans)))
    steps: dict[Step, list[tuple[datetime, datetime | None]]] = {s.step: [] for s in STEPS[1:]}
    for journey in journeys:
        for step, start, end in journey.steps:
            steps[step].append((start, end))
    for step, pairs in steps.items():
        done = [(end - start).total_seconds() for start, end in pairs if end is not None]
        rows.append(
            FunnelRow(step.value, reached=len(pairs), finished=len(done), median=_median(done))
        )
    return rows
