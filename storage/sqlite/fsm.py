"""aiogram's FSM storage on the same SQLite file, so state survives a restart."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.types import TelegramObject

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
    """

    def __init__(self, database: Database) -> None:
        self._database = database

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
        """What `seen` says was written, in one statement (a "forget" of one field whose
        other is unknown: two). Also the write of a set_state or set_data outside an
        update, with only that field known."""
        if not (seen.state_written or seen.data_written):
            return
        state_known, data_known = seen.state is not _MISSING, seen.data is not _MISSING
        if state_known and data_known and seen.state is None and seen.data == "{}":
            async with self._database.writing() as db:
                await db.execute(f"DELETE FROM fsm_state WHERE {_KEY_WHERE}", _key(key))  # noqa: S608
            return
        if seen.state_written and seen.state is None and not data_known:
            await self._empty(key, "data = '{}'", "state = NULL")  # data not written
            return
        if seen.data_written and seen.data == "{}" and not state_known:
            await self._empty(key, "state IS NULL", "data = '{}'")
            return
        changed = [
            *(["state = excluded.state"] if seen.state_written else []),
            *(["data = excluded.data"] if seen.data_written else []),
        ]
        async with self._database.writing() as db:
            await db.execute(
                "INSERT INTO fsm_state (bot_id, chat_id, user_id, thread_id,"  # noqa: S608
                " business_connection_id, destiny, state, data, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                f" ON CONFLICT DO UPDATE SET {', '.join(changed)},"
                " updated_at = excluded.updated_at",
                (
                    *_key(key),
                    seen.state if state_known else None,
                    seen.data if data_known else "{}",
                    _now(),
                ),
            )

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        if (seen := _seen(key)) is not None:
            if seen.state is _MISSING or seen.state != value:
                seen.state, seen.state_written = value, True
            return
        await self._write(key, _Seen(state=value, state_written=True))

    async def _empty(self, key: StorageKey, rest_empty: str, change: str) -> None:
        """Forgets the state or the data: the row goes when nothing else is left in it."""
        async with self._database.writing() as db:
            deleted = await db.execute(
                f"DELETE FROM fsm_state WHERE {_KEY_WHERE} AND {rest_empty}",  # noqa: S608
                _key(key),
            )
            if deleted.rowcount == 0:
                await db.execute(
                    f"UPDATE fsm_state SET {change}, updated_at = ? WHERE {_KEY_WHERE}",  # noqa: S608
                    (_now(), *_key(key)),
                )

    async def get_state(self, key: StorageKey) -> str | None:
        seen = _seen(key)
        if seen is not None and seen.state is not _MISSING:
            return seen.state  # type: ignore[no-any-return]
        async with self._database.reading() as db:
            row = await fetch_one(
                db,
                f"SELECT state, data FROM fsm_state WHERE {_KEY_WHERE}",  # noqa: S608
                _key(key),
            )
        state, data = (None, "{}") if row is None else (row[0], row[1])
        if seen is not None:
            seen.state = state
            if seen.data is _MISSING:
                seen.data = data
        else:
            # aiogram's FSM middleware, just before the update's block: the block
            # takes the data from here instead of reading it again.
            _prefetched.set((key, state, data))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = _encoded(data)
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
            async with self._database.reading() as db:
                sql = f"SELECT data FROM fsm_state WHERE {_KEY_WHERE}"  # noqa: S608
                row = await fetch_one(db, sql, _key(key))
            encoded = "{}" if row is None else row[0]
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


class DataNotJson(TypeError):
    """FSM data that JSON would not give back the same. Names the problem only."""


def _encoded(data: dict[str, Any]) -> str:
    try:
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        raise DataNotJson(
            "FSM data must be JSON: dicts with string keys, lists, str, int, float, bool and None"
        ) from None
    if json.loads(encoded) != data:
        # json.dumps turns tuples into lists and int keys into strings, silently.
        raise DataNotJson("FSM data must round-trip through JSON (no tuples, no non-string keys)")
    return encoded


def _now() -> str:
    return to_db(datetime.now(UTC))
