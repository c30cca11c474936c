"""R18: the conversation log's record, and the registration funnel computed from it.

Masking is decided where the record is made (by the step the person is at, and by a
flag on sensitive replies), never by scanning text for secrets afterwards.
"""

from __future__ import annotations

import enum
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

MASK = "••••••"


class Direction(enum.Enum):
    IN = "in"  # from the person
    OUT = "out"  # from the bot


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    user_id: int | None
    chat_id: int | None
    direction: Direction
    kind: str  # text, command, button, contact, payment, media, message, edit, ...
    step: str | None  # the FSM state at that moment, e.g. "Registration:phone"
    text: str
    id: int | None = None  # set once stored


def masked(what: str) -> str:
    """What is stored instead of a secret: the mask and what kind of secret it was."""
    return f"{MASK} ({what})"


@dataclass(frozen=True)
class Journey:
    """When one account passed each point of the registration (None: not yet)."""

    created_at: datetime
    email_confirmed_at: datetime | None
    phone_confirmed_at: datetime | None
    card_linked_at: datetime | None
    activated_at: datetime | None
    card_exempt: bool


@dataclass(frozen=True)
class FunnelRow:
    step: str  # email, phone, card, activation
    reached: int
    finished: int
    median: timedelta | None  # from reaching the step to finishing it

    @property
    def conversion(self) -> float | None:
        return None if self.reached == 0 else self.finished / self.reached


def funnel(journeys: list[Journey]) -> list[FunnelRow]:
    """How many accounts reached and finished each step, and how long it took them.

    Reaching a step is finishing the one before (the account's creation for the email
    step). Exempt accounts skip the card: they reach activation with the phone.
    """
    rows: list[FunnelRow] = []

    def row(step: str, pairs: list[tuple[datetime, datetime | None]]) -> None:
        done = [(end - start) for start, end in pairs if end is not None]
        median = (
            timedelta(seconds=statistics.median(d.total_seconds() for d in done)) if done else None
        )
        rows.append(FunnelRow(step, reached=len(pairs), finished=len(done), median=median))

    row("email", [(j.created_at, j.email_confirmed_at) for j in journeys])
    row(
        "phone",
        [(j.email_confirmed_at, j.phone_confirmed_at) for j in journeys if j.email_confirmed_at],
    )
    row(
        "card",
        [
            (j.phone_confirmed_at, j.card_linked_at)
            for j in journeys
            if j.phone_confirmed_at and not j.card_exempt
        ],
    )
    activation: list[tuple[datetime, datetime | None]] = []
    for j in journeys:
        ready = (
            j.phone_confirmed_at if j.card_exempt and j.card_linked_at is None else j.card_linked_at
        )
        if ready is not None:
            activation.append((ready, j.activated_at))
    row("activation", activation)
    return rows
