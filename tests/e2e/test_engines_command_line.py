"""`python -m bot` on PostgreSQL and Redis (issue 9): the console, `logs`, `check` and
`backup` from the outside."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.postgres.database import bundled_pg_migrations
from tests.e2e.test_command_line import run_bot
from tests.support.servers import emptied_redis_database, fresh_schema, postgres_url, schema_url

pytestmark = pytest.mark.e2e


@pytest.fixture
async def engines() -> AsyncIterator[dict[str, str]]:
    """DATABASE_URL in a schema of this test's own, REDIS_URL on an emptied database."""
    url = await emptied_redis_database(12)
    async with fresh_schema(postgres_url()) as schema:
        yield {"DATABASE_URL": schema_url(postgres_url(), schema), "REDIS_URL": url}


def test_check_reports_each_engine_and_the_console_registers_on_them(
    tmp_path: Path, engines: dict[str, str]
) -> None:
    before = run_bot(["check"], tmp_path, **engines)
    signed_up = run_bot(
        ["console"], tmp_path, stdin="/start\nerin@corp.example\nErin-Strong-7\n", **engines
    )
    link = re.search(r"https://t\.me/\S+\?start=\S+", signed_up.stdout)
    assert link, signed_up.stdout + signed_up.stderr
    # Another process (a second instance, as far as the data goes) takes it from there.
    confirmed = run_bot(["console"], tmp_path, stdin=f"{link[0]}\n", **engines)
    after = run_bot(["check"], tmp_path, **engines)
    logs = run_bot(["logs", "--email", "erin@corp.example"], tmp_path, **engines)

    bundled = bundled_pg_migrations()
    assert before.returncode == 0, before.stdout
    assert before.stdout.splitlines() == [
        "postgresql:",
        "reachable: yes",
        f"migrations: 0 of {len(bundled)} applied",
        "pending: "
        + ", ".join(f"{m.version:04d}_{m.name}" for m in bundled)
        + " (applied at next start)",
        "redis:",
        "reachable: yes",
    ]
    assert "is confirmed" in confirmed.stdout
    assert "Step 2 of 3: your phone number" in confirmed.stdout
    assert not (tmp_path / "data" / "onboarding.sqlite3").exists()  # no SQLite file
    assert after.returncode == 0
    assert f"migrations: {len(bundled)} of {len(bundled)} applied" in after.stdout
    assert logs.returncode == 0, logs.stdout
    assert "erin@corp.example" in logs.stdout
    assert "Erin-Strong-7" not in logs.stdout


def test_an_unreachable_database_is_reported_without_its_password(tmp_path: Path) -> None:
    result = run_bot(
        ["check"],
        tmp_path,
        DATABASE_URL="postgresql://bot:s3cret-pass@127.0.0.1:1/bot",
        REDIS_URL="redis://:s3cret-pass@127.0.0.1:1/0",
    )

    assert result.returncode == 1
    assert "reachable: no" in result.stdout
    assert "s3cret-pass" not in result.stdout + result.stderr


def test_backup_points_to_pg_dump_when_the_data_is_in_postgresql(tmp_path: Path) -> None:
    result = run_bot(
        ["backup", str(tmp_path / "copy.sqlite3")],
        tmp_path,
        DATABASE_URL="postgresql://bot:s3cret-pass@127.0.0.1:1/bot",
    )

    assert result.returncode == 1
    assert "pg_dump" in result.stderr
    assert not (tmp_path / "copy.sqlite3").exists()
