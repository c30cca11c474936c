"""What time it is comes from the `Clock` passed in (docs/architecture.md): nothing in the
project reads the machine's clock but the clock adapter, so a test's FakeClock is the
time for every part at once. Checked on the source: a call of `datetime.now`,
`datetime.utcnow`, `date.today` or `time.time` anywhere else fails here.

Not checked: the benchmarks (they time themselves), the fake Bot API server (it is
Telegram, whose clock dates the messages) and the end-to-end tests, which drive the
real process on the machine's time. `time.monotonic` measures durations and decides
no moment, so it is allowed."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
SCANNED = ("bot", "handlers", "states", "storage", "tests")
ALLOWED = {
    Path("bot/domain/clock.py"),  # the clock adapter itself
    Path("tests/support/fake_telegram.py"),
    Path("tests/test_one_clock.py"),
}
ALLOWED_FOLDERS = (Path("tests/e2e"),)
# (the object the attribute is read from, the attribute)
FORBIDDEN = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def machine_clock_calls(source: str) -> list[tuple[int, str]]:
    """Line and text of each reading of the machine's clock, however it is imported:
    `datetime.now(UTC)`, `datetime.datetime.now()`, `time.time()`, and a bare `time()`
    or `now()` taken by `from time import time`."""
    tree = ast.parse(source)
    imported_bare = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime")
        for alias in node.names
        if (node.module, alias.name) in {("time", "time"), ("time", "time_ns")}
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        if isinstance(called, ast.Attribute):
            owner = called.value
            owner_name = (
                owner.id
                if isinstance(owner, ast.Name)
                else owner.attr
                if isinstance(owner, ast.Attribute)
                else None
            )
            if (owner_name, called.attr) in FORBIDDEN:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(called, ast.Name) and called.id in imported_bare:
            found.append((node.lineno, ast.unparse(node)))
    return found


def checked_files() -> list[Path]:
    files = []
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative in ALLOWED or any(f in relative.parents for f in ALLOWED_FOLDERS):
                continue
            files.append(path)
    return files


def test_nothing_reads_the_machines_clock_but_the_clock_adapter() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in checked_files()
        for line, text in machine_clock_calls(path.read_text(encoding="utf-8"))
    ]
    assert offending == [], "use the Clock passed in:\n" + "\n".join(offending)


def test_the_check_sees_every_way_of_reading_the_clock() -> None:
    source = "\n".join(
        [
            "import datetime, time",
            "from time import time as now_seconds",
            "a = datetime.now(UTC)",
            "b = datetime.datetime.utcnow()",
            "c = date.today()",
            "d = time.time()",
            "e = now_seconds()",
            "f = time.monotonic()",  # a duration: allowed
            "g = clock.now()",  # the Clock: allowed
        ]
    )
    assert [line for line, _ in machine_clock_calls(source)] == [3, 4, 5, 6, 7]


def test_the_clock_adapter_is_where_the_machines_time_is_read() -> None:
    assert machine_clock_calls((ROOT / "bot/domain/clock.py").read_text(encoding="utf-8"))
