"""The benchmark runs and prints a valid RESULT line (its figures are not asserted:
speed is measured by the script, not by tests)."""

from __future__ import annotations

import asyncio
import contextlib
import io

import asyncpg
import pytest
from redis.asyncio import Redis

from benchmarks import dashboard_people
from benchmarks.registration import main
from tests.support.servers import postgres_url
from tests.support.servers import redis_url as redis_url_for_tests

pytestmark = pytest.mark.e2e


def test_the_benchmark_runs_for_twenty_people_and_prints_a_result_line() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            main(["--people", "20", "--concurrency", "5", "--hasher", "fast", "--think-ms", "5"])
            == 0
        )

    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("RESULT ")
    fields = dict(part.split("=", 1) for part in last.split()[1:])
    for key in ("updates_per_s", "ratio_vs_memory", "p99_ms_other", "loop_stall_ms", "rss_mb"):
        assert float(fields[key]) >= 0
    assert fields["hasher"] == "fast"


def test_the_benchmark_runs_on_postgresql_and_redis_and_cleans_up() -> None:
    database_url, redis_url = postgres_url(), redis_url_for_tests()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                *("--people", "20", "--concurrency", "5", "--hasher", "fast"),
                *("--think-ms", "5", "--database-url", database_url, "--redis-url", redis_url),
            ]
        )

    assert code == 0
    last = out.getvalue().strip().splitlines()[-1]
    assert "storage=postgresql+redis" in last
    assert "flat out, PostgreSQL + Redis + log" in out.getvalue()
    assert not asyncio.run(_leftovers(database_url, redis_url))


async def _leftovers(database_url: str, redis_url: str) -> list[str]:
    """Schemas and keys the benchmark made and did not remove."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'"
        )
    finally:
        await connection.close()
    redis = Redis.from_url(redis_url)
    keys = [key.decode() async for key in redis.scan_iter("bench-*")]
    await redis.aclose()
    return [row[0] for row in rows] + keys


def test_the_dashboard_benchmark_times_every_kind_of_page() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert dashboard_people.run(["--people", "120", "--repeat", "1"]) == 0

    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("RESULT engine=sqlite people=120")
    fields = dict(part.split("=", 1) for part in last.split()[1:])
    for kind in ("first_page", "deep_page", "stuck_24h", "search_phone", "funnel_all"):
        assert float(fields[f"{kind}_median_ms"]) > 0
