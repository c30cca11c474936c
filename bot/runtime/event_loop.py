"""The event loop every mode runs on."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on uvloop where it is installed (not on Windows), else on
    asyncio's own loop. uvloop's cheaper wake-ups from the SQLite and hashing threads
    and its faster callbacks cut the benchmark's reply times by a quarter (issue 8)."""
    try:
        import uvloop  # optional: not built for Windows
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
