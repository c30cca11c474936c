"""The benchmark runs and prints a valid RESULT line (its figures are not asserted:
speed is measured by the script, not by tests)."""

from __future__ import annotations

import contextlib
import io

import pytest

from benchmarks.registration import main

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
