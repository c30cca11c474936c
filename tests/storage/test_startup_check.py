"""A SQLite file damaged behind a sound header is found at start (`PRAGMA quick_check`),
before anything is written to it; a file above the size limit starts unchecked and says
so (STARTUP_CHECK_MAX_MB, docs/deployment.md)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from storage.sqlite.database import Database, UnusableDatabase

PAGE = 4096


def a_file_with_a_damaged_page(path: Path) -> Path:
    """A real database whose header and schema are sound, with one table page in the
    middle overwritten: what a torn write or a bad disk sector leaves."""
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA page_size = {PAGE}")
    db.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, note TEXT)")
    db.executemany("INSERT INTO filler (note) VALUES (?)", [("x" * 200,) for _ in range(2000)])
    db.commit()
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    assert pages > 20
    with path.open("r+b") as file:
        file.seek(PAGE * (pages // 2))
        file.write(b"\xa5" * PAGE)
    return path


async def test_a_page_damaged_behind_a_sound_header_stops_the_opening(tmp_path: Path) -> None:
    path = a_file_with_a_damaged_page(tmp_path / "bot.sqlite3")
    before = path.read_bytes()

    with pytest.raises(UnusableDatabase, match="damaged"):
        await Database.open(path, check_max_bytes=2**30)

    # No migration was written into it (opening switched the header to WAL, no more).
    assert path.read_bytes()[100:] == before[100:]


async def test_a_file_above_the_limit_opens_unchecked_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = a_file_with_a_damaged_page(tmp_path / "bot.sqlite3")
    caplog.set_level(logging.WARNING)

    database = await Database.open(path, check_max_bytes=PAGE)
    await database.close()

    assert "STARTUP_CHECK_MAX_MB" in caplog.text
    assert "python -m bot check" in caplog.text


async def test_a_sound_file_opens_after_the_check(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite3", check_max_bytes=2**30)
    await database.close()
    database = await Database.open(tmp_path / "bot.sqlite3", check_max_bytes=2**30)
    await database.close()
