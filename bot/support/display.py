"""How support staff read a conversation-log record (R18): one line of text, or one JSON
object. Imports nothing of Telegram: the terminal tools start at once (issue 20)."""

from __future__ import annotations

import json

from bot.domain.conversation import Direction, LogEntry


def format_entry(entry: LogEntry) -> str:
    """One record as support staff read it: one line, so that it can be grepped."""
    arrow = "→ bot" if entry.direction is Direction.IN else "← bot"
    step = (entry.step or "no step").removeprefix("Registration:")
    text = entry.text.replace("\n", " ↵ ")
    return f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.user_id} {arrow} [{entry.kind}, {step}] {text}"


def as_json(entry: LogEntry) -> str:
    return json.dumps(
        {
            "time": entry.at.isoformat(),
            "user_id": entry.user_id,
            "direction": entry.direction.value,
            "kind": entry.kind,
            "step": entry.step,
            "text": entry.text,
        },
        ensure_ascii=False,
    )
