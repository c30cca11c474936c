"""PostgreSQL and Redis for the tests (issue 9): `.ci/services` starts them on
127.0.0.1; TEST_DATABASE_URL and TEST_REDIS_URL point elsewhere. Without them the
tests that need them are skipped, unless REQUIRE_SERVICES is set (CI), where a
missing server fails the run instead of hiding the suite."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from redis.asyncio import Redis

from storage.backend import Backend, open_backend

TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql://bot_test:bot_test@127.0.0.1:5432/bot_test"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require(url: str, default_port: int, what: str) -> str:
    if _reachable(url, default_port):
        return url
    where = urlsplit(url).netloc.rsplit("@", 1)[-1]  # not the password
    reason = f"{what} is not running at {where} (.ci/services starts it)"
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


def postgres_url() -> str:
    return require(TEST_DATABASE_URL, 5432, "PostgreSQL")


def redis_url() -> str:
    return require(TEST_REDIS_URL, 6379, "Redis")


@asynccontextmanager
async def fresh_schema(url: str) -> AsyncIterator[dict[str, str]]:
    """A schema of its own for one test, dropped afterwards: the server settings that
    put a connection in it."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin: asyncpg.Connection = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE SCHEMA "{name}"')
        yield {"search_path": name}
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await admin.close()


async def emptied_redis_database(number: int) -> str:
    """The URL of Redis database `number`, emptied first: for a test whose people have
    the same ids every run (FSM keys are per bot and per person)."""
    url = f"{redis_url().rsplit('/', 1)[0]}/{number}"
    redis = Redis.from_url(url)
    await redis.flushdb()
    await redis.aclose()
    return url


def schema_url(url: str, server_settings: dict[str, str]) -> str:
    """The URL that puts the bot's connections in the schema (for a bot process)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{server_settings['search_path']}"


@asynccontextmanager
async def backend_on(engine: str, folder: Path) -> AsyncIterator[Backend]:
    """A fresh backend on `engine` ("sqlite": a new file in `folder`; "postgresql": a
    schema of its own on the test server), closed when the block ends."""
    if engine == "sqlite":
        opened = await open_backend(database_path=folder / "bot.sqlite3")
        try:
            yield opened
        finally:
            await opened.close()
        return
    url = postgres_url()
    async with fresh_schema(url) as settings:
        opened = await open_backend(
            database_path=folder / "unused.sqlite3",
            database_url=url,
            pool_size=4,
            sqlite_needed=False,
            server_settings=settings,
        )
        try:
            yield opened
        finally:
            await opened.close()
