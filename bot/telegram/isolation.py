"""One update of a person at a time (aiogram's event isolation), done so that it costs
nothing once the person is gone and lets go when its holder dies.

- `PersonLocks` (one instance): a lock per person while one of their updates runs or
  waits, forgotten after. aiogram's `SimpleEventIsolation` keeps every lock for ever:
  100,000 people who wrote once are 100,000 locks (R30).
- `LeasedRedisLocks` (several instances): the lock in Redis is a lease of a few seconds
  that its holder renews while the update runs. If the instance dies (SIGKILL, a lost
  machine), the lease runs out within seconds and Telegram's redelivery of the update
  runs on another instance; a lease is never held by two at once (R29).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator

from aiogram.fsm.storage.base import BaseEventIsolation, KeyBuilder, StorageKey
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from bot.concurrency import wait_any

log = logging.getLogger(__name__)


class PersonLocks(BaseEventIsolation):
    def __init__(self) -> None:
        # key -> (lock, how many updates hold it or wait for it)
        self._locks: dict[StorageKey, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield None
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @property
    def held(self) -> int:
        """People with an update running or waiting (for the memory test, R30)."""
        return len(self._locks)

    async def close(self) -> None:
        self._locks.clear()


class LeasedRedisLocks(BaseEventIsolation):
    def __init__(
        self, redis: Redis, key_builder: KeyBuilder, *, lease_seconds: float = 5.0
    ) -> None:
        self.redis = redis
        self.key_builder = key_builder
        self.lease_seconds = lease_seconds

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lease = self.redis.lock(
            name=self.key_builder.build(key, "lock"),
            timeout=self.lease_seconds,
            sleep=0.05,
            lock_class=Lock,
        )
        await lease.acquire()
        done = asyncio.Event()
        renewing = asyncio.create_task(self._renew(lease, done))
        try:
            yield None
        finally:
            # Told to stop, not cancelled: redis-py may swallow a cancellation that
            # arrives in the middle of a command, and a renewal that outlived its update
            # would hold the person's lock for ever (seen in the cluster test).
            done.set()
            await renewing
            with contextlib.suppress(LockError):
                # Not ours any more (it ran out while this instance was stalled):
                # nothing to release.
                await lease.release()

    async def _renew(self, lease: Lock, done: asyncio.Event) -> None:
        while True:
            await wait_any(done, timeout=self.lease_seconds / 3)
            if done.is_set():
                return
            try:
                await lease.extend(self.lease_seconds, replace_ttl=True)
            except Exception as exc:  # lost (LockError), or Redis unreachable
                log.warning(
                    "a person's lock could not be renewed (%s); another instance may take"
                    " their next update",
                    type(exc).__name__,
                )
                return

    async def close(self) -> None:
        pass
