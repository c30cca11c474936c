"""`python -m bot backup PATH` and `python -m bot check`: the operator's side (issues
7 and 9).

The backup uses SQLite's online backup API: a consistent copy of the live database,
taken page by page while the bot keeps running (WAL readers are never blocked).
PostgreSQL is backed up with its own tools (docs/deployment.md)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.settings import Settings
from storage.postgres.database import pg_migration_status
from storage.sqlite.database import sqlite_migrations


def backup(source: Path, target: Path, out: Callable[[str], None]) -> int:
    if not source.exists():
        out(f"backup: no database at {source}")
        return 1
    if target.exists():
        out(f"backup: {target} exists; choose a new file (a backup never overwrites)")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy, pages=1024)
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    if not ok:
        out(f"backup: the copy at {target} failed its integrity check")
        return 1
    out(f"backup: {source} copied to {target} ({target.stat().st_size} bytes), integrity ok")
    return 0


async def check_all(settings: Settings, out: Callable[[str], None]) -> int:
    """Every engine the settings use: the SQLite file (everything, or FSM state without
    Redis), PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)."""
    results: list[int] = []
    if settings.database_url is None or settings.redis_url is None:
        if settings.database_url is not None or settings.redis_url is not None:
            out(f"sqlite {settings.database_path}:")
        results.append(check(settings.database_path, out))
    if settings.database_url is not None:
        url = settings.database_url.get_secret_value()
        out("postgresql:")
        results.append(await check_postgres(url, out))
    if settings.redis_url is not None:
        out("redis:")
        results.append(await check_redis(settings.redis_url.get_secret_value(), out))
    return max(results)


async def check_postgres(url: str, out: Callable[[str], None]) -> int:
    try:
        applied, bundled = await pg_migration_status(url)
    except Exception as exc:
        # The URL holds the password: the message names only the error's kind.
        out(f"reachable: no ({type(exc).__name__})")
        return 1
    out("reachable: yes")
    return _report_migrations(applied, {m.version: m.name for m in bundled}, out)


async def check_redis(url: str, out: Callable[[str], None]) -> int:
    from redis.asyncio import Redis  # only when Redis is in use

    redis = Redis.from_url(url)
    try:
        await redis.ping()
    except Exception as exc:
        out(f"reachable: no ({type(exc).__name__})")
        return 1
    finally:
        await redis.aclose()
    out("reachable: yes")
    return 0


def _report_migrations(
    applied: set[int], bundled: dict[int, str], out: Callable[[str], None]
) -> int:
    pending = sorted(set(bundled) - applied)
    unknown = sorted(applied - set(bundled))
    out(f"migrations: {len(applied & set(bundled))} of {len(bundled)} applied")
    if pending:
        out(
            "pending: "
            + ", ".join(f"{v:04d}_{bundled[v]}" for v in pending)
            + " (applied at next start)"
        )
    if unknown:
        out(f"unknown migrations {unknown}: this database is newer than this code")
    return 1 if unknown else 0


def _read_file(database: Path) -> tuple[list[str], set[int]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
        try:
            applied = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
        except sqlite3.OperationalError:
            applied = set()
    return problems, applied


def check(database: Path, out: Callable[[str], None]) -> int:
    if not database.exists():
        out(f"check: no database at {database}")
        return 1
    try:
        problems, applied = _read_file(database)
    except sqlite3.DatabaseError as exc:
        # Not a database, or damaged beyond reading: said in one line (SQLite's words
        # hold no data), no traceback.
        out(f"integrity: {database} is not a usable SQLite database ({exc})")
        return 1
    integrity_ok = problems == ["ok"]
    out(f"integrity: {'ok' if integrity_ok else '; '.join(problems[:10])}")
    migrations = _report_migrations(applied, {m.version: m.name for m in sqlite_migrations()}, out)
    return 0 if integrity_ok and migrations == 0 else 1
