"""How long a restart keeps people waiting: from the start of `python -m bot` to its first
`getUpdates` (polling), and to a webhook that answers (`setWebhook` seen, then `/healthz`
answering), against `python -c "import aiogram"` alone on the same machine.

    python -m benchmarks.startup --runs 7

Each run is a new process on a new SQLite file, against the tests' fake Bot API server,
SMTP and SMS sinks on 127.0.0.1; the figures are medians. `--importtime` also prints the
slowest imports of one polling start (`python -X importtime`), for profiling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.e2e.conftest import TOKEN, bot_env
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink, free_port


def import_aiogram() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import aiogram"], check=True)
    return time.perf_counter() - started


async def one_start(
    folder: Path, webhook: bool, extra: list[str] | None = None
) -> tuple[float, str]:
    """Seconds from the process's start to its first poll, or to a webhook that answers,
    on the database in `folder` (a restart: its migrations were applied before)."""
    telegram, smtp, sms = FakeTelegram(TOKEN), SmtpSink(), SmsSink()
    await telegram.start()
    smtp.start()
    await sms.start()
    # A message waits, as after any restart: the first poll is answered at once, so
    # its answer (which the fake server records) is the moment it was asked.
    await telegram.send_text(1001, "/start")
    # The end-to-end tests' settings, with the log at its production level.
    env = bot_env(telegram, smtp, sms, folder) | {"LOG_LEVEL": "INFO"}
    port = free_port()
    if webhook:
        env |= {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
            "WEBHOOK_SECRET": "benchmark-secret",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *(extra or []),
        "-m",
        "bot",
        *(["webhook"] if webhook else []),
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        if webhook:
            await telegram.wait_for("setWebhook", timeout=60)
            async with aiohttp.ClientSession() as client:
                while True:
                    try:
                        async with client.get(f"http://127.0.0.1:{port}/healthz") as answer:
                            if answer.status == 200:
                                break
                    except aiohttp.ClientError:
                        await asyncio.sleep(0.005)
        else:
            await telegram.wait_for("getUpdates", timeout=60)
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        _, errors = await process.communicate()
        await telegram.stop()
        smtp.stop()
        await sms.stop()
    return elapsed, errors.decode(errors="replace")


def slowest_imports(stderr: str, count: int) -> list[tuple[int, str]]:
    """The top-level imports that took longest (cumulative microseconds, module)."""
    found = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):
            found.append((int(cumulative), name.strip()))
    return sorted(found, reverse=True)[:count]


async def main(runs: int, importtime: bool) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        await one_start(folder, webhook=False)  # the first start makes the database
        aiogram = [import_aiogram() for _ in range(runs)]
        polling = [(await one_start(folder, webhook=False))[0] for _ in range(runs)]
        webhook = [(await one_start(folder, webhook=True))[0] for _ in range(runs)]
        profile = (
            (await one_start(folder, webhook=False, extra=["-X", "importtime"]))[1]
            if importtime
            else ""
        )
    base = statistics.median(aiogram)
    print(f"python: {sys.version.split()[0]}, runs: {runs}, cores: {os.cpu_count()}")
    print(f"import aiogram alone: median {base:.3f} s  ({' '.join(f'{x:.3f}' for x in aiogram)})")
    for name, figures in (("first getUpdates", polling), ("webhook answering", webhook)):
        median = statistics.median(figures)
        print(
            f"{name}: median {median:.3f} s, {median - base:+.3f} s above aiogram's import"
            f"  ({' '.join(f'{x:.3f}' for x in figures)})"
        )
    if importtime:
        print("slowest top-level imports of one polling start (cumulative):")
        for micros, name in slowest_imports(profile, 15):
            print(f"  {micros / 1e6:7.3f} s  {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", action="store_true")
    options = parser.parse_args()
    asyncio.run(main(options.runs, options.importtime))
