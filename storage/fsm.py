"""aiogram's FSM storage on the same SQLite file, so state survives a restart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from storage.database import Database, fetch_one
from storage.timefmt import to_db

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


class SqliteStorage(BaseStorage):
    """FSM state and data, keyed on every StorageKey field.

    Data is stored as JSON: anything that is not JSON is refused when written rather
    than lost at the next restart. Secrets never go into FSM data (R3).
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
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
        async with self._database.reading() as db:
            row = await fetch_one(db, f"SELECT state FROM fsm_state WHERE {_KEY_WHERE}", _key(key))  # noqa: S608
        return None if row is None else row[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
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
        async with self._database.reading() as db:
            row = await fetch_one(db, f"SELECT data FROM fsm_state WHERE {_KEY_WHERE}", _key(key))  # noqa: S608
        if row is None:
            return {}
        data = json.loads(row[0])
        assert isinstance(data, dict)
        return data

    async def close(self) -> None:
        # The database belongs to the composition root, which closes it after the
        # dispatcher has stopped.
        return None


def _now() -> str:
    return to_db(datetime.now(UTC))
