"""One update of a person at a time (R29, R30): the in-process locks are forgotten once
unused, and the Redis lease lets go within seconds of its holder's death yet is never
held twice while its holder lives."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from bot.app import redis_key_builder
from bot.telegram.isolation import LeasedRedisLocks, PersonLocks
from tests.support.servers import redis_url


def key(user_id: int) -> StorageKey:
    return StorageKey(bot_id=42, chat_id=user_id, user_id=user_id)


async def test_a_persons_lock_is_forgotten_once_nothing_holds_or_waits_for_it() -> None:
    locks = PersonLocks()
    order: list[str] = []

    async def update(name: str, user_id: int, pause: float) -> None:
        async with locks.lock(key(user_id)):
            order.append(f"{name} in")
            await asyncio.sleep(pause)
            order.append(f"{name} out")

    await asyncio.gather(update("a1", 1, 0.02), update("a2", 1, 0), update("b", 2, 0))

    assert order.index("a1 out") < order.index("a2 in")  # one person: one at a time
    assert order.index("b in") < order.index("a1 out")  # another person: no waiting
    assert locks.held == 0
    for user_id in range(10_000):
        async with locks.lock(key(user_id)):
            pass
    assert locks.held == 0


async def test_a_lease_whose_holder_died_is_taken_over_within_seconds() -> None:
    redis = Redis.from_url(redis_url())
    prefix = f"test-{uuid.uuid4().hex}"
    locks = LeasedRedisLocks(redis, redis_key_builder(prefix), lease_seconds=1.0)
    try:
        # A holder that took the lease and died: nobody renews it, nobody releases it.
        dead = redis.lock(
            name=redis_key_builder(prefix).build(key(1), "lock"), timeout=1.0, sleep=0.05
        )
        assert await dead.acquire()
        started = time.monotonic()

        async with locks.lock(key(1)):
            waited = time.monotonic() - started

        assert 0.5 < waited < 3.0
    finally:
        await redis.aclose()


async def test_a_lease_is_renewed_while_its_update_runs_so_nobody_else_enters() -> None:
    redis = Redis.from_url(redis_url())
    prefix = f"test-{uuid.uuid4().hex}"
    locks = LeasedRedisLocks(redis, redis_key_builder(prefix), lease_seconds=0.6)
    inside = 0
    most = 0

    async def update(pause: float) -> None:
        nonlocal inside, most
        async with locks.lock(key(1)):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(pause)  # longer than the lease: renewal keeps it ours
            inside -= 1

    try:
        await asyncio.gather(update(1.5), update(0.1), update(0.1))
        assert most == 1
    finally:
        await redis.aclose()


async def test_a_lease_is_let_go_as_soon_as_its_update_ends() -> None:
    """Its renewal stops by being told, not by a cancellation (which redis-py can
    swallow in the middle of a command): no renewal outlives the update."""
    redis = Redis.from_url(redis_url())
    prefix = f"test-{uuid.uuid4().hex}"
    builder = redis_key_builder(prefix)
    locks = LeasedRedisLocks(redis, builder, lease_seconds=0.3)
    try:
        for pause in (0.0, 0.1, 0.35, 0.7):  # before, between and across renewals
            async with locks.lock(key(1)):
                await asyncio.sleep(pause)
            assert await redis.exists(builder.build(key(1), "lock")) == 0
        assert len(asyncio.all_tasks()) == 1  # this test's own: no renewal left running
    finally:
        await redis.aclose()
