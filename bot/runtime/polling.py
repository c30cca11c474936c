"""Long polling that acknowledges an update only after it has been processed (R19).

aiogram's own polling moves getUpdates' offset past an update as soon as it has
been handed out: with `handle_as_tasks=True` (its default) before the handler has
even started, so a crash loses it; with `handle_as_tasks=False` only after the
handler ends, but then one slow update (a password hash, an SMTP round trip) holds
up every other person.

Here updates run concurrently (per-person isolation still orders one person's
updates), and the offset only moves up to the oldest update still in flight. A
crash therefore means Telegram delivers the unfinished updates again, and the
handlers are idempotent for exactly that case.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import Update

from bot.concurrency import sleep_or_stop, wait_any
from bot.safe_logging import describe_exception
from bot.telegram.flood import FloodGate

log = logging.getLogger(__name__)


class AckTracker:
    """Which update ids are finished, and so how far the offset may move."""

    def __init__(self) -> None:
        self._in_flight: set[int] = set()
        self._finished_above: set[int] = set()
        self._next_offset: int | None = None

    @property
    def offset(self) -> int | None:
        return self._next_offset

    def is_known(self, update_id: int) -> bool:
        return (
            update_id in self._in_flight
            or update_id in self._finished_above
            or (self._next_offset is not None and update_id < self._next_offset)
        )

    def started(self, update_id: int) -> None:
        self._in_flight.add(update_id)

    def finished(self, update_id: int) -> None:
        self._in_flight.discard(update_id)
        self._finished_above.add(update_id)
        floor = min(self._in_flight) if self._in_flight else None
        done = sorted(i for i in self._finished_above if floor is None or i < floor)
        if done:
            self._next_offset = max(done[-1] + 1, self._next_offset or 0)
            self._finished_above.difference_update(done)

    @property
    def busy(self) -> int:
        return len(self._in_flight)


async def run_polling(
    dispatcher: Dispatcher,
    bot: Bot,
    *,
    stop: asyncio.Event,
    gate: FloodGate | None = None,
    poll_timeout: int = 25,
    max_in_flight: int = 200,
) -> None:
    tracker = AckTracker()
    tasks: set[asyncio.Task[None]] = set()
    allowed = dispatcher.resolve_used_update_types()
    idle_wait = 0.05
    error_wait = 1.0

    async def process(update: Update) -> None:
        try:
            await dispatcher.feed_update(bot, update)
        except Exception as exc:
            # The error router already told the person; the update counts as processed,
            # or a poison update would come back for ever.
            log.error("update %s failed: %s", update.update_id, describe_exception(exc))
        finally:
            tracker.finished(update.update_id)

    await dispatcher.emit_startup(bot=bot, dispatcher=dispatcher)
    try:
        while not stop.is_set():
            if tracker.busy >= max_in_flight:
                await wait_any(stop, tasks=tasks, timeout=1.0)
                continue
            # With something in flight, Telegram would hand the same updates back at
            # once; a short poll keeps new people's updates flowing meanwhile.
            timeout = 0 if tracker.busy else poll_timeout
            try:
                updates = await _get_updates(bot, tracker.offset, timeout, allowed, stop)
            except (TelegramNetworkError, TelegramAPIError) as exc:
                log.warning(
                    "getUpdates failed (%s); retrying in %.0fs", type(exc).__name__, error_wait
                )
                await sleep_or_stop(stop, error_wait)
                error_wait = min(error_wait * 2, 30.0)
                continue
            error_wait = 1.0
            if updates is None:
                break
            fresh = [u for u in updates if not tracker.is_known(u.update_id)]
            for update in fresh:
                tracker.started(update.update_id)
                if gate is not None and not gate.admit(update, bot):
                    # R20: counted on arrival and dropped, so it is done at once: it
                    # never holds the offset, and never waits for its person's turn.
                    tracker.finished(update.update_id)
                    continue
                task = asyncio.create_task(process(update))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if fresh:
                idle_wait = 0.05
            elif tracker.busy:
                await wait_any(stop, tasks=tasks, timeout=idle_wait)
                idle_wait = min(idle_wait * 2, 1.0)
    finally:
        # Let what is in flight finish, then tell Telegram how far we got, so a clean
        # stop does not make people see their last answer twice.
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if tracker.offset is not None:
            with contextlib.suppress(Exception):
                await bot.get_updates(offset=tracker.offset, timeout=0, limit=1)
        await dispatcher.emit_shutdown(bot=bot, dispatcher=dispatcher)


async def _get_updates(
    bot: Bot, offset: int | None, timeout: int, allowed: list[str], stop: asyncio.Event
) -> list[Update] | None:
    """getUpdates, abandoned (None) when `stop` is set while it waits."""
    request = asyncio.ensure_future(
        bot.get_updates(
            offset=offset,
            timeout=timeout,
            allowed_updates=allowed,
            request_timeout=timeout + 10,
        )
    )
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({request, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if not request.done():
        request.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await request
        return None
    return request.result()
