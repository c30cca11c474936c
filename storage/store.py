"""The domain's `Store` on either engine: a unit of work is one engine transaction, and
the repositories on it speak the shared SQL (storage/sql.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from storage.repositories import Repositories
from storage.sql import Connection


class Engine(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    def reading(self) -> AbstractAsyncContextManager[Any]: ...


class SqlStore:
    def __init__(self, engine: Engine, connection: Callable[[Any], Connection]) -> None:
        self._engine = engine
        self._connection = connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        async with self._engine.transaction() as raw:
            yield Repositories(self._connection(raw))

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repositories]:
        async with self._engine.reading() as raw:
            yield Repositories(self._connection(raw))
