"""R3: argon2id with argon2-cffi, computed in worker threads."""

from __future__ import annotations

import asyncio
import os

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2idHasher:
    """argon2id off the event loop.

    At most `max_concurrent` hashes run at once: each takes about 170 ms of a core and
    64 MiB, so an unbounded burst of sign-ups would starve everyone else of the CPU
    and the machine of memory. The rest wait their turn without blocking the loop. By
    default one core is left to the event loop and SQLite (issue 8: with both cores
    hashing, everyone else's replies waited for a core).
    """

    def __init__(
        self,
        *,
        time_cost: int = 3,
        memory_cost_kib: int = 64 * 1024,
        parallelism: int = 1,
        max_concurrent: int | None = None,
    ) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            type=Type.ID,
        )
        self.max_concurrent = max_concurrent or default_hash_slots()
        self._slots = asyncio.Semaphore(self.max_concurrent)

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        async with self._slots:
            try:
                return await asyncio.to_thread(self._argon2.verify, password_hash, password)
            except (VerificationError, InvalidHashError):
                return False


def default_hash_slots() -> int:
    """All the cores this process may run on but one, and at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)
