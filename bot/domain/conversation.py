"""R18: the conversation log's record.

Masking is decided where the record is made (by the step the person is at, and by a
flag on sensitive replies), never by scanning text for secrets afterwards.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

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
