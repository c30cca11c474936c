"""The SQLite FSM storage passes the same cases as aiogram's MemoryStorage, and more;
Redis, as the bot sets it up for several instances (issue 9), passes them too."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from redis.asyncio import Redis

from bot.app import redis_client, redis_key_builder, redis_storage
from storage.fsm_data import DataNotJson
from storage.sqlite.database import Database, fetch_all
from storage.sqlite.fsm import SqliteStorage
from tests.support.servers import redis_url

KEY = StorageKey(bot_id=42, chat_id=-100, user_id=7)


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BaseStorage]:
    if request.param == "memory":
        yield MemoryStorage()
        return
    if request.param == "redis":
        # As the bot makes it (bot/app.py), under a prefix of this test's own.
        prefix = f"test-{uuid.uuid4().hex}"
        redis = Redis.from_url(redis_url())
        yield redis_storage(redis, redis_key_builder(prefix))
        keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        return
    db = await Database.open(tmp_path / "fsm.sqlite3")
    yield SqliteStorage(db)
    await db.close()


async def test_set_state(storage: BaseStorage) -> None:
    assert await storage.get_state(key=KEY) is None
    await storage.set_state(key=KEY, state="state")
    assert await storage.get_state(key=KEY) == "state"
    await storage.set_state(key=KEY, state=State("s", group_name="G"))
    assert await storage.get_state(key=KEY) == "G:s"
    await storage.set_state(key=KEY, state=None)
    assert await storage.get_state(key=KEY) is None


async def test_set_data(storage: BaseStorage) -> None:
    assert await storage.get_data(key=KEY) == {}
    await storage.set_data(key=KEY, data={"foo": "bar"})
    assert await storage.get_data(key=KEY) == {"foo": "bar"}
    await storage.set_data(key=KEY, data={})
    assert await storage.get_data(key=KEY) == {}


async def test_update_data(storage: BaseStorage) -> None:
    assert await storage.get_data(key=KEY) == {}
    assert await storage.update_data(key=KEY, data={"foo": "bar"}) == {"foo": "bar"}
    assert await storage.update_data(key=KEY, data={}) == {"foo": "bar"}
    assert await storage.update_data(key=KEY, data={"baz": "spam"}) == {"foo": "bar", "baz": "spam"}
    assert await storage.update_data(key=KEY, data={"baz": "test"}) == {"foo": "bar", "baz": "test"}
    assert await storage.get_data(key=KEY) == {"foo": "bar", "baz": "test"}


async def test_get_value(storage: BaseStorage) -> None:
    await storage.set_data(key=KEY, data={"foo": "bar"})
    assert await storage.get_value(KEY, "foo") == "bar"
    assert await storage.get_value(KEY, "nope") is None
    assert await storage.get_value(KEY, "nope", "default") == "default"


async def test_state_and_data_do_not_overwrite_each_other(storage: BaseStorage) -> None:
    await storage.set_data(key=KEY, data={"email": "a@corp.example"})
    await storage.set_state(key=KEY, state="Registration:password")
    assert await storage.get_data(key=KEY) == {"email": "a@corp.example"}
    await storage.set_data(key=KEY, data={})
    assert await storage.get_state(key=KEY) == "Registration:password"


@pytest.mark.parametrize(
    "other",
    [
        StorageKey(bot_id=43, chat_id=-100, user_id=7),
        StorageKey(bot_id=42, chat_id=-101, user_id=7),
        StorageKey(bot_id=42, chat_id=-100, user_id=8),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, thread_id=5),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, business_connection_id="bc"),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, destiny="other"),
    ],
)
async def test_every_key_field_keeps_records_apart(storage: BaseStorage, other: StorageKey) -> None:
    await storage.set_state(key=KEY, state="mine")
    await storage.set_data(key=KEY, data={"who": "me"})
    assert await storage.get_state(key=other) is None
    assert await storage.get_data(key=other) == {}
    await storage.set_state(key=other, state="theirs")
    assert await storage.get_state(key=KEY) == "mine"


async def test_state_and_data_survive_closing_and_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "fsm.sqlite3"
    db = await Database.open(path)
    await SqliteStorage(db).set_state(KEY, "Registration:phone")
    await SqliteStorage(db).set_data(KEY, {"email": "a@corp.example", "n": [1, 2]})
    await db.close()

    reopened = await Database.open(path)
    try:
        storage = SqliteStorage(reopened)
        assert await storage.get_state(KEY) == "Registration:phone"
        assert await storage.get_data(KEY) == {"email": "a@corp.example", "n": [1, 2]}
    finally:
        await reopened.close()


async def test_data_that_cannot_survive_a_restart_is_refused_when_written(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "fsm.sqlite3")
    try:
        with pytest.raises(TypeError):
            await SqliteStorage(db).set_data(KEY, {"when": object()})
    finally:
        await db.close()


@asynccontextmanager
async def opened_twice(
    path: Path, *, busy_timeout_ms: int = 5000
) -> AsyncIterator[tuple[Database, Database]]:
    """The same file opened twice, as by two processes of the bot; the first waits
    `busy_timeout_ms` for SQLite's write lock."""
    mine = await Database.open(path, busy_timeout_ms=busy_timeout_ms)
    try:
        another_process = await Database.open(path)
        try:
            yield mine, another_process
        finally:
            await another_process.close()
    finally:
        await mine.close()


@pytest.fixture
async def two_processes(tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    async with opened_twice(tmp_path / "fsm.sqlite3") as both:
        yield both


async def test_within_one_update_state_and_data_are_read_once_and_never_across_updates(
    two_processes: tuple[Database, Database],
) -> None:
    mine, another_process = two_processes
    storage, other = SqliteStorage(mine), SqliteStorage(another_process)
    await other.set_state(KEY, "Registration:email")
    await other.set_data(KEY, {"email": "a@corp.ru"})

    async with storage.one_update(KEY, "Registration:email"):
        await storage.set_data(KEY, {"email": "b@corp.ru"})
        async with another_process.writing() as db:  # not through this context
            await db.execute(
                "UPDATE fsm_state SET state = 'changed:elsewhere',"
                ' data = \'{"changed": "elsewhere"}\' WHERE user_id = ?',
                (KEY.user_id,),
            )
        # What this update knows is served again: the step it was given, the data
        # it wrote. (Event isolation keeps other updates of this person out.)
        assert await storage.get_state(KEY) == "Registration:email"
        data = await storage.get_data(KEY)
        assert data == {"email": "b@corp.ru"}
        data["email"] = "mutated@corp.ru"
        assert await storage.get_data(KEY) == {"email": "b@corp.ru"}
        await storage.set_state(KEY, "Registration:password")
        assert await storage.get_state(KEY) == "Registration:password"

    # The update's writes went to the file when it ended; the next one reads it.
    assert await other.get_state(KEY) == "Registration:password"
    assert await other.get_data(KEY) == {"email": "b@corp.ru"}
    await other.set_state(KEY, "Registration:phone")
    async with storage.one_update(None, None):
        assert await storage.get_state(KEY) == "Registration:phone"


async def test_an_updates_writes_are_one_statement_at_its_end_even_when_it_fails(
    two_processes: tuple[Database, Database],
) -> None:
    mine, another_process = two_processes
    storage, other = SqliteStorage(mine), SqliteStorage(another_process)
    other_db = another_process._writer_connection  # read past any update's context
    rows_meanwhile: list[object] = []

    async def failing_update() -> None:
        async with storage.one_update(KEY, None):
            await storage.set_state(KEY, "Registration:phone")
            await storage.set_data(KEY, {"email": "a@corp.ru"})
            await storage.update_data(KEY, {"phone": "+79161234567"})
            rows_meanwhile.extend(await fetch_all(other_db, "SELECT * FROM fsm_state"))
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        await failing_update()

    assert rows_meanwhile == []  # nothing written before the update's end

    assert await other.get_state(KEY) == "Registration:phone"
    assert await other.get_data(KEY) == {"email": "a@corp.ru", "phone": "+79161234567"}

    async with storage.one_update(KEY, "Registration:phone"):
        await storage.set_state(KEY, None)
        await storage.set_data(KEY, {})
    rows = await fetch_all(other_db, "SELECT * FROM fsm_state")
    assert rows == []  # nothing left: no row


async def test_the_data_read_with_the_step_is_not_read_again_in_the_update(
    two_processes: tuple[Database, Database],
) -> None:
    mine, another_process = two_processes
    storage, other = SqliteStorage(mine), SqliteStorage(another_process)
    await other.set_state(KEY, "Registration:email")
    await other.set_data(KEY, {"email": "a@corp.ru"})

    state = await storage.get_state(KEY)  # as aiogram's FSM middleware does
    await other.set_data(KEY, {"email": "changed@corp.ru"})  # (isolation forbids it)
    async with storage.one_update(KEY, state):
        seen = await storage.get_data(KEY)
    async with storage.one_update(KEY, state):
        fresh = await storage.get_data(KEY)  # no prefetch left: read again

    assert seen == {"email": "a@corp.ru"}
    assert fresh == {"email": "changed@corp.ru"}


async def test_more_updates_at_once_than_redis_connections_wait_for_one() -> None:
    # As the bot makes its client: 300 writes at once through 10 connections.
    prefix = f"test-{uuid.uuid4().hex}"
    redis = redis_client(redis_url(), pool_size=10)
    storage = redis_storage(redis, redis_key_builder(prefix))
    keys = [StorageKey(bot_id=42, chat_id=n, user_id=n) for n in range(300)]
    try:
        await asyncio.gather(*(storage.set_state(key, state=f"s{key.user_id}") for key in keys))

        states = await asyncio.gather(*(storage.get_state(key) for key in keys))
        assert states == [f"s{n}" for n in range(300)]
    finally:
        stored = [key async for key in redis.scan_iter(f"{prefix}:*")]
        if stored:
            await redis.delete(*stored)
        await redis.aclose()


# MemoryStorage keeps the objects themselves and encodes nothing: the stored ones only.
@pytest.mark.parametrize("storage", ["sqlite", "redis"], indirect=True)
@pytest.mark.parametrize(
    "data", [{"pair": (1, 2)}, {1: "one"}, {"when": object()}, {"nested": {"t": (1,)}}]
)
async def test_data_that_json_would_not_give_back_is_refused_on_every_storage(
    storage: BaseStorage, data: dict[object, object]
) -> None:
    with pytest.raises(DataNotJson):
        await storage.set_data(key=KEY, data=data)  # type: ignore[arg-type]
    assert await storage.get_data(key=KEY) == {}


async def test_data_that_json_gives_back_comes_back_the_same_on_every_storage(
    storage: BaseStorage,
) -> None:
    data = {"email": "ivan@corp.example", "n": [1, 2.5, None, True], "m": {"k": "v"}}
    await storage.set_data(key=KEY, data=data)
    assert await storage.get_data(key=KEY) == data


async def test_clear_deletes_the_row(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "fsm.sqlite3")
    try:
        storage = SqliteStorage(db)
        await storage.set_state(key=KEY, state="Registration:phone")
        await storage.set_data(key=KEY, data={"a": 1})
        await storage.set_state(key=KEY, state=None)  # what FSMContext.clear() does
        await storage.set_data(key=KEY, data={})
        async with db.reading() as conn:
            rows = await fetch_all(conn, "SELECT count(*) FROM fsm_state")
        assert rows[0][0] == 0
        assert await storage.get_state(key=KEY) is None
        assert await storage.get_data(key=KEY) == {}
    finally:
        await db.close()


async def test_a_state_kept_when_only_the_data_is_emptied(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "fsm.sqlite3")
    try:
        storage = SqliteStorage(db)
        await storage.set_state(key=KEY, state="Registration:phone")
        await storage.set_data(key=KEY, data={"a": 1})
        await storage.set_data(key=KEY, data={})
        assert await storage.get_state(key=KEY) == "Registration:phone"
        await storage.set_state(key=KEY, state=None)
        await storage.set_data(key=KEY, data={"b": 2})
        assert await storage.get_data(key=KEY) == {"b": 2}
    finally:
        await db.close()


PEOPLE = [StorageKey(bot_id=42, chat_id=n, user_id=n) for n in range(1, 51)]


async def test_the_writes_of_updates_that_end_together_are_one_statement(
    two_processes: tuple[Database, Database],
) -> None:
    mine, another_process = two_processes
    storage, other = SqliteStorage(mine), SqliteStorage(another_process)
    statements: list[str] = []
    await mine._writer_connection.set_trace_callback(statements.append)

    async def update(key: StorageKey) -> None:
        async with storage.one_update(key, None):
            await storage.set_state(key, "Registration:phone")
            await storage.set_data(key, {"n": key.user_id})

    await asyncio.gather(*(update(key) for key in PEOPLE))

    writes = [s for s in statements if "fsm_state" in s]
    assert len(writes) == 1  # fifty people's step changes, one trip and one fsync
    for key in PEOPLE:
        assert await other.get_state(key) == "Registration:phone"
        assert await other.get_data(key) == {"n": key.user_id}


async def test_two_writes_of_one_person_at_once_are_written_in_their_order(
    two_processes: tuple[Database, Database],
) -> None:
    mine, another_process = two_processes
    storage, other = SqliteStorage(mine), SqliteStorage(another_process)

    await asyncio.gather(
        storage.set_state(KEY, "Registration:email"),
        storage.set_state(PEOPLE[0], "Registration:email"),
        storage.set_state(KEY, None),  # each waits for a batch of its own
        storage.set_state(KEY, "Registration:password"),
        storage.set_data(KEY, {"email": "a@corp.ru"}),
    )

    assert await other.get_state(KEY) == "Registration:password"
    assert await other.get_data(KEY) == {"email": "a@corp.ru"}
    assert await other.get_state(PEOPLE[0]) == "Registration:email"


async def test_a_batch_the_file_refuses_fails_every_update_in_it_and_the_next_is_written(
    tmp_path: Path,
) -> None:
    async with opened_twice(tmp_path / "fsm.sqlite3", busy_timeout_ms=50) as (
        mine,
        another_process,
    ):
        storage, other = SqliteStorage(mine), SqliteStorage(another_process)
        async with another_process.transaction():  # holds SQLite's one write lock
            results = await asyncio.gather(
                *(storage.set_state(key, "Registration:phone") for key in PEOPLE[:3]),
                return_exceptions=True,
            )
        assert [type(r) for r in results] == [sqlite3.OperationalError] * 3
        assert [await other.get_state(key) for key in PEOPLE[:3]] == [None] * 3

        await storage.set_state(KEY, "Registration:phone")
        assert await other.get_state(KEY) == "Registration:phone"


async def test_an_update_cancelled_while_its_write_waits_is_written_all_the_same(
    two_processes: tuple[Database, Database],
) -> None:
    mine, another_process = two_processes
    storage, other = SqliteStorage(mine), SqliteStorage(another_process)
    task = asyncio.create_task(storage.set_state(KEY, "Registration:phone"))
    await asyncio.sleep(0)  # the task has handed its write over and waits for it
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await storage.set_state(PEOPLE[0], "Registration:email")  # a batch after that one

    assert await other.get_state(KEY) == "Registration:phone"
