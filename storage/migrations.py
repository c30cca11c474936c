"""Numbered migration scripts, one folder per engine: storage/sqlite/migrations and
storage/postgres/migrations. A schema change goes into both (tests/storage/
test_schema_parity.py compares the schemas they make)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_MIGRATION_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations(folder: Path) -> list[Migration]:
    """The numbered scripts of `folder`, in order; a gap in the numbers is refused."""
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return found
