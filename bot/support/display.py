"""How support staff read a conversation-log record (R18): one line of text, or one JSON
object. Imports nothing of Telegram: the terminal tools start at once (issue 20)."""

from __future__ import annotations

import json
import re

from bot.domain.conversation import Direction, LogEntry

# What a terminal would act on instead of showing: C0 and C1 controls (ESC starts a
# sequence that moves the cursor or rewrites a line, \r returns to its start), and the
# invisible and bidirectional marks that reorder or hide text. A person's text shows
# them escaped, so a line can never be overwritten with a forged time (issue 16).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def visible(text: str) -> str:
    """The text with every control character shown as an escape; new lines as ↵."""
    return _UNSAFE.sub(_escape, text.replace("\n", " ↵ "))


def format_entry(entry: LogEntry) -> str:
    """One record as support staff read it: one line, so that it can be grepped."""
    arrow = "→ bot" if entry.direction is Direction.IN else "← bot"
    step = (entry.step or "no step").removeprefix("Registration:")
    text = visible(entry.text)
    return (
        f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.user_id} {arrow} [{entry.kind}, {visible(step)}]"
        f" {text}"
    )


def as_json(entry: LogEntry) -> str:
    """One JSON object; json.dumps escapes C0 controls, and the rest are escaped too
    (their \\uXXXX escapes are valid JSON)."""
    encoded = json.dumps(
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
    return _UNSAFE.sub(_escape, encoded)
