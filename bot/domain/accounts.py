"""The account and the registration's steps: email -> phone -> card -> active."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.domain.policy import Policy


class Step(enum.Enum):
    """Where a person is. The value is the key used in texts and logs."""

    SIGN_UP = "sign_up"  # no account yet: email and password to give
    EMAIL = "email"  # account created, email not confirmed
    PHONE = "phone"
    CARD = "card"
    ACTIVATION = "activation"  # all confirmed, "Get started" not pressed yet
    ACTIVE = "active"


# The three confirmation steps, in the fixed order the seed gives them.
CONFIRMATION_STEPS = (Step.EMAIL, Step.PHONE, Step.CARD)


class Progress(enum.Enum):
    DONE = "done"
    CURRENT = "current"
    TODO = "todo"
    NOT_REQUIRED = "not_required"


@dataclass(frozen=True)
class Account:
    id: int
    telegram_user_id: int
    email: str
    created_at: datetime
    email_confirmed_at: datetime | None = None
    phone: str | None = None
    phone_confirmed_at: datetime | None = None
    card_linked_at: datetime | None = None
    activated_at: datetime | None = None
    api_access_enabled_at: datetime | None = None  # R13

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


def next_step(account: Account | None, policy: Policy) -> Step:
    """What comes next for this account (R12 resumes from here).

    The order is fixed: a later step is never offered before an earlier one is done,
    whatever the stored data says.
    """
    if account is None:
        return Step.SIGN_UP
    if account.email_confirmed_at is None:
        return Step.EMAIL
    if account.phone_confirmed_at is None:
        return Step.PHONE
    if account.card_linked_at is None and not policy.is_card_exempt(account.email):
        return Step.CARD
    if account.activated_at is None:
        return Step.ACTIVATION
    return Step.ACTIVE


def confirmation_progress(account: Account | None, policy: Policy) -> list[tuple[Step, Progress]]:
    """The three confirmation steps with done / current / to do, for /status."""
    current = next_step(account, policy)
    order = [Step.SIGN_UP, *CONFIRMATION_STEPS, Step.ACTIVATION, Step.ACTIVE]
    position = order.index(current)
    progress: list[tuple[Step, Progress]] = []
    for step in CONFIRMATION_STEPS:
        if step is Step.CARD and account is not None and policy.is_card_exempt(account.email):
            progress.append((step, Progress.NOT_REQUIRED))
        elif order.index(step) < position:
            progress.append((step, Progress.DONE))
        elif step is current:
            progress.append((step, Progress.CURRENT))
        else:
            progress.append((step, Progress.TODO))
    return progress
