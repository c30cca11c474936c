"""The conversation log's writer (R18): records go to an in-memory buffer that a
background task writes in batches, so logging never fails a reply and never makes one
wait for the disk. A failed batch is kept and tried again; the Python log says so,
without any of the texts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.concurrency import sleep_or_stop
from bot.domain.clock import Clock
from bot.domain.conversation import LogEntry
from bot.domain.ports import ConversationLogRepository
from bot.safe_logging import describe_exception

log = logging.getLogger(__name__)


class ConversationRecorder:
    def __init__(
        self,
        log_repository: ConversationLogRepository,
        clock: Clock,
        *,
        flush_seconds: float = 0.2,
        max_buffer: int = 20_000,
    ) -> None:
        self._repository = log_repository
        self._clock = clock
        self._flush_seconds = flush_seconds
        self._max_buffer = max_buffer
        self._buffer: list[LogEntry] = []
        self._write_lock = asyncio.Lock()
        self._listeners: list[Callable[[LogEntry], None]] = []

    @property
    def clock(self) -> Clock:
        return self._clock

    def add_listener(self, listener: Callable[[LogEntry], None]) -> None:
        """`listener` sees every record as it is made (the watch mirror)."""
        self._listeners.append(listener)

    def record(self, entry: LogEntry) -> None:
        if len(self._buffer) >= self._max_buffer:
            # The database has been unwritable for a long time: keep the newest.
            del self._buffer[: len(self._buffer) // 10]
            log.warning("conversation log buffer full; oldest records dropped")
        self._buffer.append(entry)
        for listener in self._listeners:
            listener(entry)

    async def flush(self) -> None:
        """Writes what is buffered. Never raises: a failed batch stays for the next try."""
        async with self._write_lock:
            batch, self._buffer = self._buffer, []
            if not batch:
                return
            try:
                await self._repository.write(batch)
            except Exception as exc:
                log.warning("conversation log not written: %s", describe_exception(exc))
                self._buffer[:0] = batch

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await sleep_or_stop(stop, self._flush_seconds)
            await self.flush()
        await self.flush()
