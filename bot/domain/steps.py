"""The registration's steps as data, in one place (R12).

`STEPS` is the order of the steps, what marks each one done on the account (the name
of the account's time, which is also its column in both engines), whether an account
may skip it, and whether it is one of the seed's three confirmation steps. Everything
that asks "where is this person" derives from it: `next_step`, /status, the funnel,
support's "last progress", the card's "superseded" check, the storage's query for
people who stopped. A new step is a new entry here (and its column, prompt and texts).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.policy import Policy

if TYPE_CHECKING:
    from bot.domain.records import Account


class Step(enum.Enum):
    """Where a person is. The value is the key used in texts and logs."""

    SIGN_UP = "sign_up"  # no account yet: email and password to give
    EMAIL = "email"  # account created, email not confirmed (R5)
    PHONE = "phone"  # R6-R8
    CARD = "card"  # R9
    ACTIVATION = "activation"  # all confirmed; autopayment offered, "Get started" (R10, R11)
    ACTIVE = "active"  # registration complete: where a finished person is, not a step to do
    API_ACCESS = "api_access"  # R13: optional, after the registration


class Progress(enum.Enum):
    DONE = "done"
    CURRENT = "current"
    TODO = "todo"
    NOT_REQUIRED = "not_required"


Skip = Callable[["Account", Policy], bool]


def _card_exempt(account: Account, policy: Policy) -> bool:
    # R9: corporate domains with special conditions need no card.
    return policy.is_card_exempt(account.email)


@dataclass(frozen=True)
class StepSpec:
    step: Step
    # The account's time that marks the step done; the same name is its column.
    done_field: str
    # One of the seed's confirmation steps (email, phone, card), numbered in /status.
    confirmation: bool = False
    # Accounts for which the step is not required at all.
    skipped_for: Skip | None = None
    # Not part of the registration: offered once it is complete (API access).
    after_registration: bool = False
    # About how long the step takes a person, for "about 3 minutes left" (reminders).
    typical_minutes: int = 1

    def skipped(self, account: Account, policy: Policy) -> bool:
        return self.skipped_for is not None and self.skipped_for(account, policy)


STEPS: tuple[StepSpec, ...] = (
    StepSpec(Step.SIGN_UP, "created_at"),
    StepSpec(Step.EMAIL, "email_confirmed_at", confirmation=True, typical_minutes=1),
    StepSpec(Step.PHONE, "phone_confirmed_at", confirmation=True, typical_minutes=2),
    StepSpec(
        Step.CARD,
        "card_linked_at",
        confirmation=True,
        skipped_for=_card_exempt,
        typical_minutes=2,
    ),
    StepSpec(Step.ACTIVATION, "activated_at"),
    StepSpec(Step.API_ACCESS, "api_access_enabled_at", after_registration=True),
)

REGISTRATION: tuple[StepSpec, ...] = tuple(s for s in STEPS if not s.after_registration)
CONFIRMATION_STEPS: tuple[Step, ...] = tuple(s.step for s in STEPS if s.confirmation)
# Where a person can be, in order: each registration step, then done.
ORDER: tuple[Step, ...] = (*(s.step for s in REGISTRATION), Step.ACTIVE)
# The account times that hold each step's completion, as stored.
DONE_FIELDS: tuple[str, ...] = tuple(s.done_field for s in STEPS)
# The time that marks the whole registration complete.
FINISHED_FIELD = REGISTRATION[-1].done_field

_BY_STEP = {s.step: s for s in STEPS}
_POSITION = {step: index for index, step in enumerate(ORDER)}


def spec(step: Step) -> StepSpec:
    return _BY_STEP[step]


def next_step(account: Account | None, policy: Policy) -> Step:
    """What comes next for this account (R12 resumes from here).

    The order is fixed: a later step is never offered before an earlier one is done,
    whatever the stored data says.
    """
    if account is None:
        return Step.SIGN_UP
    for step_spec in REGISTRATION:
        if account.done_at(step_spec.step) is None and not step_spec.skipped(account, policy):
            return step_spec.step
    return Step.ACTIVE


def has_reached(account: Account | None, policy: Policy, step: Step) -> bool:
    """The person is at `step` or past it."""
    return _POSITION[next_step(account, policy)] >= _POSITION[step]


def is_past(account: Account | None, policy: Policy, step: Step) -> bool:
    """`step` is done (or skipped) and the person is further on."""
    return _POSITION[next_step(account, policy)] > _POSITION[step]


def confirmation_progress(account: Account | None, policy: Policy) -> list[tuple[Step, Progress]]:
    """The three confirmation steps with done / current / to do, for /status."""
    current = next_step(account, policy)
    progress: list[tuple[Step, Progress]] = []
    for step in CONFIRMATION_STEPS:
        if account is not None and spec(step).skipped(account, policy):
            progress.append((step, Progress.NOT_REQUIRED))
        elif _POSITION[step] < _POSITION[current]:
            progress.append((step, Progress.DONE))
        elif step is current:
            progress.append((step, Progress.CURRENT))
        else:
            progress.append((step, Progress.TODO))
    return progress


def steps_left(account: Account, policy: Policy) -> list[Step]:
    """The registration steps the account still has to do, the current one first
    (skipped ones left out); the activation counts as one."""
    current = next_step(account, policy)
    if current is Step.ACTIVE:
        return []
    return [
        s.step
        for s in REGISTRATION
        if _POSITION[s.step] >= _POSITION[current] and not s.skipped(account, policy)
    ]


def last_progress(account: Account) -> datetime:
    """When the account last completed a registration step (its creation at least)."""
    return max(when for when in (account.done_at(s.step) for s in REGISTRATION) if when is not None)


def steps_reached(account: Account, policy: Policy) -> list[tuple[Step, datetime, datetime | None]]:
    """Each step the account reached, with when it reached it and when it finished it
    (None: not yet), for the funnel. Reaching a step is finishing the previous step
    that the account had to do (its creation for the email step); a step the account
    may skip is left out. API access is reached with the activation."""
    reached: list[tuple[Step, datetime, datetime | None]] = []
    previous = account.created_at
    for step_spec in STEPS[1:]:
        if step_spec.skipped(account, policy):
            continue
        done = account.done_at(step_spec.step)
        reached.append((step_spec.step, previous, done))
        if done is None:
            break
        previous = done
    return reached
