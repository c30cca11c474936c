"""`python -m bot backup PATH` and `python -m bot check`: the operator's side (issue 7).

The backup uses SQLite's online backup API: a consistent copy of the live database,
taken page by page while the bot keeps running (WAL readers are never blocked)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from storage.database import bundled_migrations


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


def check(database: Path, out: Callable[[str], None]) -> int:
    if not database.exists():
        out(f"check: no database at {database}")
        return 1
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
        try:
            applied = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
        except sqlite3.OperationalError:
            applied = set()
    bundled = {m.version: m.name for m in bundled_migrations()}
    pending = sorted(set(bundled) - applied)
    unknown = sorted(applied - set(bundled))
    integrity_ok = problems == ["ok"]
    out(f"integrity: {'ok' if integrity_ok else '; '.join(problems[:10])}")
    out(f"migrations: {len(applied & set(bundled))} of {len(bundled)} applied")
    if pending:
        out(
            "pending: "
            + ", ".join(f"{v:04d}_{bundled[v]}" for v in pending)
            + " (applied at next start)"
        )
    if unknown:
        out(f"unknown migrations {unknown}: this database is newer than this code")
    return 0 if integrity_ok and not unknown else 1
