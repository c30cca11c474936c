from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.migrations import Migration
from storage.sqlite.database import (
    Database,
    apply_migrations,
    fetch_all,
    sqlite_migrations,
    statements,
)


async def test_a_fresh_file_gets_every_migration_recorded(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "bot.sqlite3"
    db = await Database.open(path)
    try:
        async with (
            db.reading() as conn,
            conn.execute("SELECT version FROM schema_migrations ORDER BY version") as cursor,
        ):
            versions = [row[0] for row in await cursor.fetchall()]
    finally:
        await db.close()
    assert path.exists()
    assert versions == [m.version for m in sqlite_migrations()]


async def test_running_the_migrations_again_is_a_no_op(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        async with db.writing() as conn:
            assert await apply_migrations(conn, sqlite_migrations()) == []
    finally:
        await db.close()
    reopened = await Database.open(tmp_path / "bot.sqlite3")
    await reopened.close()


async def test_the_journal_is_wal_and_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        async with db.reading() as conn:
            async with conn.execute("PRAGMA journal_mode") as cursor:
                assert (await cursor.fetchone())[0] == "wal"  # type: ignore[index]
            async with conn.execute("PRAGMA foreign_keys") as cursor:
                assert (await cursor.fetchone())[0] == 1  # type: ignore[index]
    finally:
        await db.close()


async def test_a_failing_migration_leaves_nothing_half_applied(tmp_path: Path) -> None:
    broken = [
        *sqlite_migrations(),
        Migration(
            99, "broken", "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n"
        ),
    ]
    with pytest.raises(Exception, match="nowhere"):
        await Database.open(tmp_path / "bot.sqlite3", migrations=broken)
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        async with (
            db.reading() as conn,
            conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'") as cursor,
        ):
            assert (await cursor.fetchone())[0] == 0  # type: ignore[index]
    finally:
        await db.close()


async def test_a_transaction_that_raises_is_rolled_back(database: Database) -> None:
    with pytest.raises(RuntimeError):  # noqa: PT012 - the raise must be inside the block
        async with database.transaction() as conn:
            await conn.execute("INSERT INTO preferences VALUES (1, 'ru')")
            raise RuntimeError("boom")
    async with (
        database.reading() as conn,
        conn.execute("SELECT count(*) FROM preferences") as cursor,
    ):
        assert (await cursor.fetchone())[0] == 0  # type: ignore[index]


def test_migration_statements_are_split_on_complete_statements_only() -> None:
    migration = Migration(
        1, "x", "-- a comment; with a semicolon\nCREATE TABLE a (t TEXT DEFAULT ';');\n"
    )
    assert statements(migration) == [
        "-- a comment; with a semicolon\nCREATE TABLE a (t TEXT DEFAULT ';');"
    ]


async def test_a_reader_refuses_to_write_and_never_waits_for_the_writer(database: Database) -> None:
    async with database.reading() as conn:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await conn.execute("INSERT INTO preferences VALUES (1, 'ru')")

    async with database.transaction() as writer:
        await writer.execute("INSERT INTO preferences VALUES (2, 'en')")
        # Mid-transaction, a reader still answers, with what was committed before it.
        async with database.reading() as conn:
            assert await fetch_all(conn, "SELECT * FROM preferences") == []
    async with database.reading() as conn:
        assert [tuple(r) for r in await fetch_all(conn, "SELECT * FROM preferences")] == [(2, "en")]
