"""FSM data as JSON, the same on every storage: the SQLite table and Redis keep exactly
what JSON gives back, and refuse the rest when it is written (a tuple would come back
as a list, an int key as a string, after the next restart or on another instance)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["DataNotJson", "encoded_fsm_data"]


class DataNotJson(TypeError):
    """FSM data that JSON would not give back the same. Names the problem only."""


def encoded_fsm_data(data: dict[str, Any]) -> str:
    try:
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        raise DataNotJson(
            "FSM data must be JSON: dicts with string keys, lists, str, int, float, bool and None"
        ) from None
    if json.loads(encoded) != data:
        # json.dumps turns tuples into lists and int keys into strings, silently.
        raise DataNotJson("FSM data must round-trip through JSON (no tuples, no non-string keys)")
    return encoded
