"""aiogram's FSM storage on the same SQLite file, so state survives a restart."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.types import TelegramObject

from bot.domain.clock import Clock, SystemClock
from storage.fsm_data import encoded_fsm_data
from storage.sqlite.database import Database, fetch_one
from storage.sqlite.timefmt import to_db

_KEY_WHERE = (
    "bot_id = ? AND chat_id = ? AND user_id = ? AND thread_id = ?"
    " AND business_connection_id = ? AND destiny = ?"
)


def _key(key: StorageKey) -> tuple[int, int, int, int, str, str]:
    return (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or 0,
        key.business_connection_id or "",
        key.destiny,
    )


_MISSING: Any = object()


@dataclass
class _Seen:
    state: Any = _MISSING  # str | None once read or written
    data: Any = _MISSING  # the JSON text once read or written
    state_written: bool = False
    data_written: bool = False


@dataclass
class _Update:
    """What one update has read or written of its people's state, by key."""

    seen: dict[StorageKey, _Seen]
    open: bool = True


# Only within one update: aiogram's event isolation lets no other update of the same
# person run meanwhile, so the copy cannot go stale; across updates every read goes to
# the file, which any other process may have written. The update's writes are kept
# here and written in one statement when it ends (issue 21).
_this_update: ContextVar[_Update | None] = ContextVar("fsm_this_update", default=None)
# What aiogram's FSM middleware read just before the update's block began: the step
# and, in the same query, the data, so that the block does not read the data again.
_prefetched: ContextVar[tuple[StorageKey, str | None, str] | None] = ContextVar(
    "fsm_prefetched", default=None
)


class RememberStatePerUpdate(BaseMiddleware):
    """The person's step and data are read from the database once per update, not at
    every reply the conversation log records (issue 8), and what the update changes of
    them is written once, when it ends (issue 21)."""

    def __init__(self, storage: SqliteStorage) -> None:
        self._storage = storage

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        async with self._storage.one_update(state.key if state else None, data.get("raw_state")):
            return await handler(event, data)


def _seen(key: StorageKey) -> _Seen | None:
    update = _this_update.get()
    if update is None or not update.open:
        return None
    return update.seen.setdefault(key, _Seen())


class SqliteStorage(BaseStorage):
    """FSM state and data, keyed on every StorageKey field.

    Data is stored as JSON: anything that would not come back the same (a tuple, a key
    that is not a string, an object) is refused when written rather than changed or
    lost at the next restart. A person with no step and no data has no row: `clear()`
    deletes it (100,000 people who came once leave nothing behind). Secrets never go
    into FSM data (R3).

    Within `one_update()` (every update, by `RememberStatePerUpdate`) reads are served
    from what the update has read or written already, and its writes are held and
    written together at its end, in one statement: a step change that sets the state
    and the data is one trip to the file, not three. The end comes before the update is
    acknowledged, also when a handler raises; a crash before it loses the update's FSM
    writes with the acknowledgement, and Telegram delivers the update again (R19).

    Under load the statements of many updates go together (`_GroupCommit`), and the
    row is read on the event loop's own thread (`Database.read_in_place`): handing a
    look-up of one row to a thread cost more than the look-up (issue 21).
    """

    def __init__(self, database: Database, clock: Clock | None = None) -> None:
        self._database = database
        self._writes = _GroupCommit(database, clock or SystemClock())

    @asynccontextmanager
    async def one_update(self, key: StorageKey | None, state: str | None) -> AsyncIterator[None]:
        """The block is one update; `key` and `state`: what aiogram's FSM middleware
        has just read for it."""
        prefetched = _prefetched.get()
        _prefetched.set(None)
        update = _Update({})
        if key is not None:
            seen = update.seen[key] = _Seen(state=state)
            if prefetched is not None and prefetched[0] == key and prefetched[1] == state:
                seen.data = prefetched[2]
        token = _this_update.set(update)
        try:
            yield
        finally:
            # Anything the update started that writes later goes to the file at once.
            update.open = False
            _this_update.reset(token)
            for seen_key, seen in update.seen.items():
                await self._write(seen_key, seen)

    async def _write(self, key: StorageKey, seen: _Seen) -> None:
        """What `seen` says was written; also the write of a set_state or set_data
        outside an update, with only that field known. Returns once it is in the file."""
        change = _change(key, seen)
        if change is not None:
            await self._writes.write(change)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        if (seen := _seen(key)) is not None:
            if seen.state is _MISSING or seen.state != value:
                seen.state, seen.state_written = value, True
            return
        await self._write(key, _Seen(state=value, state_written=True))

    async def get_state(self, key: StorageKey) -> str | None:
        seen = _seen(key)
        if seen is not None and seen.state is not _MISSING:
            return seen.state  # type: ignore[no-any-return]
        row = await self._row(key)
        state, data = (None, "{}") if row is None else (row["state"], row["data"])
        if seen is not None:
            seen.state = state
            if seen.data is _MISSING:
                seen.data = data
        else:
            # aiogram's FSM middleware, just before the update's block: the block
            # takes the data from here instead of reading it again.
            _prefetched.set((key, state, data))
        return state

    async def _row(self, key: StorageKey) -> sqlite3.Row | None:
        """The person's row: a primary-key look-up, made in place (issue 21)."""
        sql = f"SELECT state, data FROM fsm_state WHERE {_KEY_WHERE}"  # noqa: S608
        rows = self._database.read_in_place(sql, _key(key))
        if rows is None:  # SQLite busy this instant: through a reader, which waits
            async with self._database.reading() as db:
                return await fetch_one(db, sql, _key(key))
        return rows[0] if rows else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = encoded_fsm_data(data)
        if (seen := _seen(key)) is not None:
            if seen.data is _MISSING or seen.data != encoded:
                seen.data, seen.data_written = encoded, True
            return
        await self._write(key, _Seen(data=encoded, data_written=True))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        seen = _seen(key)
        if seen is not None and seen.data is not _MISSING:
            encoded = seen.data
        else:
            row = await self._row(key)
            encoded = "{}" if row is None else row["data"]
            if seen is not None:
                seen.data = encoded
        # Decoded afresh each time: a caller changing the dict changes nothing stored.
        data = json.loads(encoded)
        assert isinstance(data, dict)
        return data

    async def close(self) -> None:
        # The database belongs to the composition root, which closes it after the
        # dispatcher has stopped.
        return None


# -- writing: one person's change, and many people's changes together -----------------

_KEY_COLUMNS = "bot_id, chat_id, user_id, thread_id, business_connection_id, destiny"


class _Shape(Enum):
    """What one write does to a person's row; changes of one shape are one statement."""

    DELETE = "delete"  # no step and no data left: no row
    FORGET_STATE = "forget state"  # step gone, data not known here: kept if not empty
    FORGET_DATA = "forget data"  # data gone, step not known here: kept if set
    SET_STATE = "set state"
    SET_DATA = "set data"
    SET_BOTH = "set both"


@dataclass(frozen=True)
class _Change:
    key: StorageKey
    shape: _Shape
    state: str | None = None
    data: str = "{}"


def _change(key: StorageKey, seen: _Seen) -> _Change | None:
    """What `seen` says was written, as a change of one shape; None: nothing was."""
    if not (seen.state_written or seen.data_written):
        return None
    state_known, data_known = seen.state is not _MISSING, seen.data is not _MISSING
    state = seen.state if state_known else None
    data = seen.data if data_known else "{}"
    if state_known and data_known and state is None and data == "{}":
        return _Change(key, _Shape.DELETE)
    if seen.state_written and state is None and not data_known:
        return _Change(key, _Shape.FORGET_STATE)
    if seen.data_written and data == "{}" and not state_known:
        return _Change(key, _Shape.FORGET_DATA)
    if seen.state_written and seen.data_written:
        return _Change(key, _Shape.SET_BOTH, state, data)
    return _Change(key, _Shape.SET_STATE if seen.state_written else _Shape.SET_DATA, state, data)


def _statements(shape: _Shape, changes: list[_Change], now: str) -> list[_Statement]:
    """The statements that make `changes` (all of `shape`, each of another key)."""
    keys: list[object] = [value for change in changes for value in _key(change.key)]
    # ORed key equalities, not a row value IN (VALUES ...): SQLite finds each of these
    # by the primary key (MULTI-INDEX OR); the IN form scans the table.
    any_key = " OR ".join([f"({_KEY_WHERE})"] * len(changes))
    if shape is _Shape.DELETE:
        return [(f"DELETE FROM fsm_state WHERE {any_key}", keys)]  # noqa: S608
    if shape in (_Shape.FORGET_STATE, _Shape.FORGET_DATA):
        # The row goes when nothing else is left in it; otherwise that field is emptied.
        rest_empty, emptied = (
            ("data = '{}'", "state = NULL")
            if shape is _Shape.FORGET_STATE
            else ("state IS NULL", "data = '{}'")
        )
        return [
            (f"DELETE FROM fsm_state WHERE ({any_key}) AND {rest_empty}", keys),  # noqa: S608
            (f"UPDATE fsm_state SET {emptied}, updated_at = ? WHERE {any_key}", [now, *keys]),  # noqa: S608
        ]
    changed = {
        _Shape.SET_STATE: "state = excluded.state",
        _Shape.SET_DATA: "data = excluded.data",
        _Shape.SET_BOTH: "state = excluded.state, data = excluded.data",
    }[shape]
    rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(changes))
    values: list[object] = [v for c in changes for v in (*_key(c.key), c.state, c.data, now)]
    return [
        (
            f"INSERT INTO fsm_state ({_KEY_COLUMNS}, state, data, updated_at)"  # noqa: S608
            f" VALUES {rows} ON CONFLICT DO UPDATE SET {changed},"
            " updated_at = excluded.updated_at",
            values,
        )
    ]


_Statement = tuple[str, list[object]]


class _GroupCommit:
    """Group commit (issue 21): the FSM writes of the updates that end while a batch is
    being written wait and go together in the next batch, one statement for all the
    changes of a shape: under load, one trip to the file and one fsync for many people
    instead of one each. A write alone is written at once, as before, in one statement.
    Each update still waits until its own write is in the file, so nothing is
    acknowledged before it is (R19); a batch that fails fails every update in it, and
    Telegram delivers them again."""

    # At most this many people a batch: 9 bound values a row stay far below SQLite's
    # limit of 32,766, and a batch does not keep the writing connection for long.
    MAX_BATCH = 200

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._waiting: list[tuple[_Change, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, change: _Change) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._waiting.append((change, done))
        if self._writer is None:
            self._writer = loop.create_task(self._write_waiting())
        # An update cancelled meanwhile stops waiting; its write stays in the queue
        # and is written all the same, never half of it.
        await done

    def _next_batch(self) -> list[tuple[_Change, asyncio.Future[None]]]:
        """The oldest waiting writes, one per person: a second write of the same
        person waits for the next batch, so that the two cannot change order."""
        batch: list[tuple[_Change, asyncio.Future[None]]] = []
        keys: set[StorageKey] = set()
        for change, done in self._waiting:
            if change.key in keys or len(batch) == self.MAX_BATCH:
                break
            keys.add(change.key)
            batch.append((change, done))
        del self._waiting[: len(batch)]
        return batch

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch = self._next_batch()
                try:
                    await self._write_batch([change for change, _ in batch])
                except Exception as exc:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                except BaseException:  # the writer was cancelled (the loop stops)
                    for _, done in batch:
                        done.cancel()
                    raise
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._writer = None
            for _, done in self._waiting:  # the writer was cancelled (the loop stops)
                done.cancel()
            self._waiting.clear()

    async def _write_batch(self, changes: list[_Change]) -> None:
        by_shape: dict[_Shape, list[_Change]] = {}
        for change in changes:
            by_shape.setdefault(change.shape, []).append(change)
        now = to_db(self._clock.now())
        statements = [
            statement
            for shape, of_shape in by_shape.items()
            for statement in _statements(shape, of_shape, now)
        ]
        # Each person's change is one statement (a "forget": two, as alone), so the
        # batch needs no transaction of its own: a statement is one, and one trip.
        async with self._database.writing() as db:
            for sql, params in statements:
                await db.execute(sql, params)
