"""Waiting for several things at once: the first of some events or tasks, a pause that
a stop cuts short, work that a stop ends. Every background loop of the bot waits this
way, so a stop is never held up by a sleep."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterable
from typing import Any


async def wait_any(
    *events: asyncio.Event,
    tasks: Iterable[asyncio.Future[Any]] = (),
    timeout: float | None = None,
) -> None:
    """Returns as soon as one of `events` is set, one of `tasks` is done, or `timeout`
    seconds have passed. The tasks are left running."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait([*waiters, *tasks], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleeps `seconds`, or less if `stop` is set meanwhile."""
    await wait_any(stop, timeout=seconds)


async def run_until(stop: asyncio.Event, work: Coroutine[Any, Any, None]) -> None:
    """Runs `work` until it ends or `stop` is set, whichever comes first, and cancels
    the other. What made `work` fail is raised; `stop` ends it quietly."""
    working = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([working, stopping], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        working.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await working
