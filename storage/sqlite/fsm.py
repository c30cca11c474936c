"""aiogram's FSM storage on the same SQLite file, so state survives a restart."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
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


# What this update has read or written of its people's state, by key. Only within one
# update: aiogram's event isolation lets no other update of the same person run
# meanwhile, so the copy cannot go stale; across updates every read goes to the file,
# which any other process may have written.
_this_update: ContextVar[dict[StorageKey, _Seen] | None] = ContextVar(
    "fsm_this_update", default=None
)


@contextmanager
def remembered_per_update(key: StorageKey | None, state: str | None) -> Iterator[None]:
    """Within the block, reads of FSM state and data are served from what the block
    has read or written already (the log reads the step for every reply it records).
    `key` and `state`: what aiogram's FSM middleware has just read for the update."""
    seen: dict[StorageKey, _Seen] = {}
    if key is not None:
        seen[key] = _Seen(state=state)
    token = _this_update.set(seen)
    try:
        yield
    finally:
        _this_update.reset(token)


class RememberStatePerUpdate(BaseMiddleware):
    """The person's step and data are read from the database once per update, not at
    every reply the conversation log records (issue 8)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        with remembered_per_update(state.key if state else None, data.get("raw_state")):
            return await handler(event, data)


def _seen(key: StorageKey) -> _Seen | None:
    remembered = _this_update.get()
    if remembered is None:
        return None
    return remembered.setdefault(key, _Seen())


class SqliteStorage(BaseStorage):
    """FSM state and data, keyed on every StorageKey field.

    Data is stored as JSON: anything that would not come back the same (a tuple, a key
    that is not a string, an object) is refused when written rather than changed or
    lost at the next restart. A person with no step and no data has no row: `clear()`
    deletes it (100,000 people who came once leave nothing behind). Secrets never go
    into FSM data (R3).
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        if value is None:
            await self._empty(key, "data = '{}'", "state = NULL")
        else:
            await self._set_state(key, value)
        if (seen := _seen(key)) is not None:
            seen.state = value

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

    async def _set_state(self, key: StorageKey, value: str) -> None:
        async with self._database.writing() as db:
            await db.execute(
                "INSERT INTO fsm_state (bot_id, chat_id, user_id, thread_id,"
                " business_connection_id, destiny, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET state = excluded.state,"
                " updated_at = excluded.updated_at",
                (*_key(key), value, _now()),
            )

    async def get_state(self, key: StorageKey) -> str | None:
        seen = _seen(key)
        if seen is not None and seen.state is not _MISSING:
            return seen.state  # type: ignore[no-any-return]
        async with self._database.reading() as db:
            row = await fetch_one(db, f"SELECT state FROM fsm_state WHERE {_KEY_WHERE}", _key(key))  # noqa: S608
        state = None if row is None else row[0]
        if seen is not None:
            seen.state = state
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = _encoded(data)
        if encoded == "{}":
            await self._empty(key, "state IS NULL", "data = '{}'")
        else:
            await self._set_data(key, encoded)
        if (seen := _seen(key)) is not None:
            seen.data = encoded

    async def _set_data(self, key: StorageKey, encoded: str) -> None:
        async with self._database.writing() as db:
            await db.execute(
                "INSERT INTO fsm_state (bot_id, chat_id, user_id, thread_id,"
                " business_connection_id, destiny, data, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET data = excluded.data,"
                " updated_at = excluded.updated_at",
                (*_key(key), encoded, _now()),
            )

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
