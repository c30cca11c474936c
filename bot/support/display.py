"""How support staff read a conversation-log record (R18): one line of text, or one JSON
object. Imports nothing of Telegram: the terminal tools start at once (issue 20)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from bot.domain.conversation import Direction, LogEntry
from bot.domain.steps import Step

# What a terminal would act on instead of showing: C0 and C1 controls (ESC starts a
# sequence that moves the cursor or rewrites a line, \r returns to its start), and the
# invisible and bidirectional marks that reorder or hide text. A person's text shows
# them escaped, so a line can never be overwritten with a forged time (issue 16).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


# R34: one vocabulary for where a person is, in `logs`, /logs, /watch, /find, /stuck and
# `stats`: the step's name first, then the question within it. Keyed by the FSM state
# as recorded; tests/test_support_vocabulary.py checks that every state of states/ has
# its label, and every step its name.
STEP_NAMES: dict[Step, str] = {
    Step.SIGN_UP: "sign-up",
    Step.EMAIL: "email",
    Step.PHONE: "phone",
    Step.CARD: "card",
    Step.ACTIVATION: "activation",
    Step.ACTIVE: "registered",
    Step.API_ACCESS: "api access",
}
STEP_LABELS: dict[str, str] = {
    "Registration:email": "sign-up: email",
    "Registration:password": "sign-up: password",
    "Registration:awaiting_email_link": "email: waiting for the link",
    "Registration:new_email": "email: changing the address",
    "Registration:phone": "phone: number",
    "Registration:sms_code": "phone: code",
    "Registration:card": "card: payment",
    "Registration:activation": "activation: get started",
    "Registration:autopay_amount": "activation: autopay amount",
    "Registration:autopay_threshold": "activation: autopay minimum balance",
    "Registration:autopay_confirm": "activation: autopay summary",
    "Registration:active": "registered",
    "ApiAccess:setup_code": "api access: first code",
    "ApiAccess:code_to_switch_on": "api access: code to switch on",
    "ApiAccess:code_to_switch_off": "api access: code to switch off",
}
NO_STEP = "no step yet"
# The funnel's rows (bot/domain/funnel.py), in the same words.
FUNNEL_LABELS: dict[str, str] = {
    "sign_up_email": "sign-up: email",
    "sign_up_password": "sign-up: password",
    **{s.value: n for s, n in STEP_NAMES.items() if s not in (Step.SIGN_UP, Step.ACTIVE)},
}


def position_label(step: Step) -> str:
    """Where a person is, as /find and /stuck say it."""
    return STEP_NAMES[step]


def step_label(state: str | None) -> str:
    if state is None:
        return NO_STEP
    return STEP_LABELS.get(state, state)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def visible(text: str) -> str:
    """The text with every control character shown as an escape; new lines as ↵."""
    return _UNSAFE.sub(_escape, text.replace("\n", " ↵ "))


def format_entry(entry: LogEntry) -> str:
    """One record as support staff read it: one line, so that it can be grepped."""
    arrow = "→ bot" if entry.direction is Direction.IN else "← bot"
    step = step_label(entry.step)
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
            "step": step_label(entry.step),
            "text": entry.text,
        },
        ensure_ascii=False,
    )
    return _UNSAFE.sub(_escape, encoded)


def utc_minute(moment: datetime | None) -> str:
    """A moment as support staff read it everywhere: 2026-11-27 12:00 UTC, or -."""
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def duration(value: timedelta | None) -> str:
    """A span as support staff read it: 45s, 3m 07s, 5h 02m, 2d 04h."""
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600:02d}h"
