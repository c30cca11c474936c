"""Background jobs that must run once across all instances (issue 9): the "code
didn't arrive?" edits and the log's retention. Each instance asks for the job's lease;
the one that holds it runs the job, the others wait. If the holder dies, its lease is
freed (PostgreSQL ends its session) and another instance takes the job over."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from bot.concurrency import sleep_or_stop, wait_any
from bot.safe_logging import describe_exception

log = logging.getLogger(__name__)

Lease = Callable[[str], AbstractAsyncContextManager[asyncio.Event]]
Job = Callable[[asyncio.Event], Awaitable[None]]

# After the lease could not be asked for (the database unreachable), wait this long.
RETRY_SECONDS = 5.0


async def run_once_per_cluster(lease: Lease, name: str, job: Job, stop: asyncio.Event) -> None:
    """Runs `job(end)` while this instance holds the lease `name`; `end` is set on
    `stop` or when the lease is lost, and the job is expected to return then."""
    while not stop.is_set():
        holding = asyncio.Event()
        turn = asyncio.create_task(_hold_and_run(lease, name, job, stop, holding))
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait([turn, stopping], return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            # Cancelled from outside: the job and its lease go with this task.
            turn.cancel()
            stopping.cancel()
            await asyncio.gather(turn, stopping, return_exceptions=True)
            raise
        stopping.cancel()
        if not turn.done() and not holding.is_set():
            turn.cancel()  # stopped while still waiting for the lease
        try:
            await turn  # a running job ends by itself on `stop`
        except asyncio.CancelledError:
            if not stop.is_set():
                raise
        except Exception as exc:
            log.warning("%s: %s; retrying", name, describe_exception(exc))
            await sleep_or_stop(stop, RETRY_SECONDS)


async def _hold_and_run(
    lease: Lease, name: str, job: Job, stop: asyncio.Event, holding: asyncio.Event
) -> None:
    async with lease(name) as lost:
        holding.set()
        log.info("%s: this instance runs it", name)
        end = asyncio.Event()
        relay = asyncio.create_task(_set_on_first(stop, lost, then=end))
        try:
            await job(end)
        finally:
            relay.cancel()
        if lost.is_set() and not stop.is_set():
            log.warning("%s: lease lost; asking for it again", name)


async def _set_on_first(*events: asyncio.Event, then: asyncio.Event) -> None:
    await wait_any(*events)
    then.set()
