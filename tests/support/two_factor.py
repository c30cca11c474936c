"""The two-factor key as the set-up message shows it: in groups of four (R13)."""

from __future__ import annotations

import re

KEY = re.compile(r"<code>((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})</code>")


def key_in(caption: str) -> str:
    """The key shown in the caption, without the spaces an app ignores."""
    found = KEY.search(caption)
    assert found, caption
    return found[1].replace(" ", "")
