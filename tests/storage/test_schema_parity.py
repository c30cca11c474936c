"""The two engines' migrations make the same schema (issue 15): tables, columns, type
families, nullability, unique keys and foreign keys. A column added to one engine's
migrations only fails here.

Type families: integer, text, time, boolean. SQLite keeps times as fixed-format text
and flags as 0/1 integers, so there a time is a TEXT column named `at` or ending in `_at`
or `_until`, and a flag an INTEGER column with `CHECK (name IN (0, 1))`; PostgreSQL
has timestamptz and boolean for them.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from storage.postgres.database import apply_pg_migrations, bundled_pg_migrations
from storage.sqlite.database import Database
from tests.support.servers import fresh_schema, postgres_url

# Only on one engine, and why: aiogram's FSM state is in Redis with PostgreSQL.
SQLITE_ONLY = {"fsm_state"}
PG_TYPES = {
    "bigint": "integer",
    "integer": "integer",
    "smallint": "integer",
    "text": "text",
    "character varying": "text",
    "timestamp with time zone": "time",
    "boolean": "boolean",
}
_TIME_NAME = re.compile(r"(.*_)?at|.*_until")


@dataclass
class Table:
    columns: dict[str, tuple[str, bool]] = field(default_factory=dict)  # family, nullable
    uniques: set[tuple[frozenset[str], bool]] = field(default_factory=set)  # columns, partial
    foreign_keys: set[tuple[tuple[str, ...], str, tuple[str, ...], str]] = field(
        default_factory=set
    )


def _sqlite_family(table_sql: str, column: str, declared: str) -> str:
    declared = declared.upper()
    if declared == "INTEGER":
        flag = re.search(rf"CHECK \({column} IN \(0, 1\)\)", table_sql)
        return "boolean" if flag else "integer"
    if declared == "TEXT":
        return "time" if _TIME_NAME.fullmatch(column) else "text"
    return declared.lower()


def sqlite_schema(path: Path) -> dict[str, Table]:
    schema: dict[str, Table] = {}
    with sqlite3.connect(path) as db:
        tables = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for name, table_sql in tables:
            table = schema[name] = Table()
            pk: list[str] = []
            for _, column, declared, notnull, _, in_pk in db.execute(f"PRAGMA table_info({name})"):
                table.columns[column] = (
                    _sqlite_family(table_sql, column, declared),
                    not (notnull or in_pk),
                )
                if in_pk:
                    pk.append(column)
            table.uniques.add((frozenset(pk), False))
            for _, index, unique, _, partial in db.execute(f"PRAGMA index_list({name})"):
                if unique:
                    columns = {row[2] for row in db.execute(f"PRAGMA index_info({index})")}
                    table.uniques.add((frozenset(columns), bool(partial)))
            keys: dict[int, list[tuple[str, str, str, str]]] = {}
            for key, _, target, source, to, _, on_delete, _ in db.execute(
                f"PRAGMA foreign_key_list({name})"
            ):
                keys.setdefault(key, []).append((source, target, to, on_delete.lower()))
            for parts in keys.values():
                table.foreign_keys.add(
                    (
                        tuple(p[0] for p in parts),
                        parts[0][1],
                        tuple(p[2] for p in parts),
                        parts[0][3],
                    )
                )
    return schema


_ON_DELETE = {
    "a": "no action",
    "c": "cascade",
    "r": "restrict",
    "n": "set null",
    "d": "set default",
}


async def postgres_schema(connection: asyncpg.Connection) -> dict[str, Table]:
    schema: dict[str, Table] = {}
    for row in await connection.fetch(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    ):
        table = schema.setdefault(row["table_name"], Table())
        family = PG_TYPES.get(row["data_type"], row["data_type"])
        table.columns[row["column_name"]] = (family, row["is_nullable"] == "YES")
    for row in await connection.fetch(
        "SELECT t.relname AS table_name, i.indpred IS NOT NULL AS partial,"
        " array_agg(a.attname) AS columns"
        " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)"
        " WHERE n.nspname = current_schema() AND i.indisunique"
        " GROUP BY i.indexrelid, t.relname, i.indpred"
    ):
        schema[row["table_name"]].uniques.add((frozenset(row["columns"]), row["partial"]))
    for row in await connection.fetch(
        "SELECT c.conrelid::regclass::text AS source, c.confrelid::regclass::text AS target,"
        " c.confdeltype::text AS on_delete,"
        " ARRAY(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)"
        "  JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY k.i) AS cols,"
        " ARRAY(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)"
        "  JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY k.i) AS refs"
        " FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE c.contype = 'f' AND n.nspname = current_schema()"
    ):
        schema[row["source"]].foreign_keys.add(
            (tuple(row["cols"]), row["target"], tuple(row["refs"]), _ON_DELETE[row["on_delete"]])
        )
    return schema


async def test_both_engines_migrations_make_the_same_schema(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite3")
    await database.close()
    sqlite = sqlite_schema(tmp_path / "bot.sqlite3")
    async with fresh_schema(postgres_url()) as settings:
        connection = await asyncpg.connect(postgres_url(), server_settings=settings)
        try:
            await apply_pg_migrations(connection, bundled_pg_migrations())
            postgres = await postgres_schema(connection)
        finally:
            await connection.close()

    assert set(sqlite) - SQLITE_ONLY == set(postgres)
    for name, table in postgres.items():
        assert sqlite[name].columns == table.columns, name
        assert sqlite[name].uniques == table.uniques, name
        assert sqlite[name].foreign_keys == table.foreign_keys, name


def test_the_comparison_sees_a_column_that_only_one_engine_has(tmp_path: Path) -> None:
    path = tmp_path / "drift.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, done_at TEXT, flag INTEGER NOT NULL"
            " CHECK (flag IN (0, 1)))"
        )
    table = sqlite_schema(path)["t"]
    assert table.columns == {
        "id": ("integer", False),
        "done_at": ("time", True),
        "flag": ("boolean", False),
    }
