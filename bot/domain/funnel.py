"""The registration funnel (`python -m bot stats`): how many accounts reached and
finished each step of bot/domain/steps.py, and how long the step took them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.policy import Policy
from bot.domain.records import Account
from bot.domain.steps import STEPS, Step, steps_reached


@dataclass(frozen=True)
class Journey:
    """Each step one account had to do and reached: when it reached it and when it
    finished it (None: not yet)."""

    steps: tuple[tuple[Step, datetime, datetime | None], ...]

    @classmethod
    def of(cls, account: Account, policy: Policy) -> Journey:
        return cls(tuple(steps_reached(account, policy)))


@dataclass(frozen=True)
class FunnelRow:
    step: str  # the step's value: email, phone, card, activation, api_access
    reached: int
    finished: int
    median: timedelta | None  # from reaching the step to finishing it

    @property
    def conversion(self) -> float | None:
        return None if self.reached == 0 else self.finished / self.reached


def funnel(journeys: list[Journey]) -> list[FunnelRow]:
    """One row per step after the sign-up, in the steps' order. Reaching a step is
    finishing the one before that the account had to do; an account that may skip a
    step (an exempt domain's card) is not counted at it."""
    spans: dict[Step, list[tuple[datetime, datetime | None]]] = {s.step: [] for s in STEPS[1:]}
    for journey in journeys:
        for step, reached, finished in journey.steps:
            spans[step].append((reached, finished))
    rows: list[FunnelRow] = []
    for step, pairs in spans.items():
        done = [(end - start).total_seconds() for start, end in pairs if end is not None]
        median = timedelta(seconds=statistics.median(done)) if done else None
        rows.append(FunnelRow(step.value, reached=len(pairs), finished=len(done), median=median))
    return rows
