"""The argon2id adapter: how many hashes run at once."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from argon2 import PasswordHasher

from bot.adapters.hashing import Argon2idHasher, default_hash_slots


@pytest.mark.parametrize(("cores", "slots"), [(1, 1), (2, 1), (8, 7)])
def test_by_default_one_core_is_left_to_everyone_else(
    monkeypatch: pytest.MonkeyPatch, cores: int, slots: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)))
    assert default_hash_slots() == slots
    assert Argon2idHasher(time_cost=1, memory_cost_kib=8).max_concurrent == slots


class CountingArgon2:
    """The real argon2 hasher, counting how many of its hashes run at the same moment."""

    def __init__(self, real: PasswordHasher) -> None:
        self._real = real
        self._lock = threading.Lock()
        self._running = 0
        self.most = 0

    def hash(self, password: str) -> str:
        with self._lock:
            self._running += 1
            self.most = max(self.most, self._running)
        try:
            return self._real.hash(password)
        finally:
            with self._lock:
                self._running -= 1

    def verify(self, password_hash: str, password: str) -> bool:
        return self._real.verify(password_hash, password)


@pytest.mark.parametrize("slots", [1, 2])
async def test_no_more_hashes_run_at_once_than_there_are_slots(slots: int) -> None:
    hasher = Argon2idHasher(time_cost=2, memory_cost_kib=4096, max_concurrent=slots)
    counting = CountingArgon2(hasher._argon2)
    hasher._argon2 = counting  # type: ignore[assignment]

    passwords = [f"Password-{n}" for n in range(8)]
    hashes = await asyncio.gather(*(hasher.hash(p) for p in passwords))

    assert counting.most == slots
    verified = await asyncio.gather(
        *(hasher.verify(h, p) for h, p in zip(hashes, passwords, strict=True))
    )
    assert all(verified)
