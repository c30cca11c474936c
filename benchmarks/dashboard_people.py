"""How long a page of the dashboard's People list takes with many accounts:
`python -m benchmarks.dashboard_people [--people 100000] [--engine sqlite|postgresql]`.

Fills a fresh database with `--people` accounts at every step (a language for half of
them, a reminder for a tenth, an open support request for one in a hundred), serves
the dashboard's pages over real HTTP on 127.0.0.1, signs in, and times each kind of
page `--repeat` times from the client's side: the first page, a page deep in the list,
the last page, "stuck more than 24 hours", "has an open request", and a search by
email, by phone and by user id. Issue 20 asks for a page in under 200 ms with 100,000
accounts. The last line is `RESULT key=value ...`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from benchmarks.registration import pct
from bot.dashboard.server import build_dashboard, standalone_app
from bot.domain.records import NewAccount
from bot.domain.steps import REGISTRATION
from bot.runtime import event_loop
from bot.settings import Settings
from storage.backend import Backend
from tests.support.fakes import FakeClock
from tests.support.servers import backend_on

STAFF = 42
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


async def fill(backend: Backend, people: int, now: datetime) -> None:
    steps = [s.step for s in REGISTRATION[1:]]
    batch = 5000
    for start in range(0, people, batch):
        async with backend.store.transaction() as tx:
            for n in range(start, min(start + batch, people)):
                user_id = 10_000_000 + n
                at = now - timedelta(hours=n % 200)
                email = f"person{n}@company{n % 97}.example"
                account = await tx.accounts.add(NewAccount(user_id, email, email, HASH, at))
                for step in steps[: n % (len(steps) + 1)]:
                    if step.value == "phone":
                        await tx.accounts.confirm_phone(account.id, f"+7916{n:07d}", at)
                    else:
                        await tx.accounts.complete(account.id, step, at)
                if n % 2 == 0:
                    await tx.preferences.set_language(user_id, "ru" if n % 4 else "en")
                if n % 10 == 0:
                    await tx.reminders.set_wanted(user_id, n % 20 != 0, blocked=False, at=at)
                if n % 100 == 0:
                    await tx.desk.open_request(user_id, at)
        print(f"filled {min(start + batch, people)} of {people}", file=sys.stderr)


async def main(args: argparse.Namespace) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder:
        async with backend_on(args.engine, Path(folder)) as backend:
            began = time.perf_counter()
            await fill(backend, args.people, now)
            print(f"filled in {time.perf_counter() - began:.1f} s", file=sys.stderr)
            settings = Settings(
                support_user_ids=frozenset({STAFF}), dashboard_url="http://127.0.0.1"
            )
            dashboard = build_dashboard(
                settings, backend.store, backend.conversation_log, None, FakeClock(now)
            )
            runner = web.AppRunner(standalone_app(dashboard), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            base = f"http://127.0.0.1:{port}/dashboard"
            last_page = max(1, -(-args.people // 50))
            middle = 10_000_000 + args.people // 2
            # Someone in the middle whose phone is confirmed (see fill()).
            with_phone = args.people // 2
            while with_phone % (len(REGISTRATION)) < 2:
                with_phone += 1
            kinds = {
                "first_page": "/people",
                "deep_page": f"/people?page={last_page // 2}",
                "last_page": f"/people?page={last_page}",
                "stuck_24h": "/people?stuck=24",
                "open_request": "/people?open=1",
                "search_email": f"/people?q=person{args.people // 2}@company"
                f"{(args.people // 2) % 97}.example",
                "search_phone": f"/people?q=%2B7916{with_phone:07d}",
                "search_user_id": f"/people?q={middle}",
                # Not asked to be under 200 ms, measured to know: a person's page, and
                # the funnel of every account (it reads them all).
                "person_page": f"/people/{middle}",
                "funnel_all": "/funnel?since=all",
            }
            try:
                async with aiohttp.ClientSession(
                    cookie_jar=aiohttp.CookieJar(unsafe=True)
                ) as client:
                    token = await dashboard.service.issue_link(STAFF)
                    async with client.get(f"{base}/login?token={token}") as response:
                        assert response.status == 200
                    figures = {}
                    for name, path in kinds.items():
                        times = []
                        for _ in range(args.repeat if name != "funnel_all" else 3):
                            began = time.perf_counter()
                            async with client.get(base + path) as response:
                                body = await response.text()
                                assert response.status == 200, body[:300]
                            if name.startswith("search"):
                                assert ">1 person" in body, (name, path)
                            times.append((time.perf_counter() - began) * 1000)
                        figures[name] = times
                        print(
                            f"{name:15} median {statistics.median(times):7.1f} ms"
                            f"  p95 {pct(times, 95):7.1f} ms  max {max(times):7.1f} ms"
                            f"  ({path})"
                        )
            finally:
                await runner.cleanup()
    worst = max(pct(t, 95) for k, t in figures.items() if k not in ("person_page", "funnel_all"))
    result = " ".join(f"{k}_median_ms={statistics.median(v):.1f}" for k, v in figures.items())
    print(
        f"RESULT engine={args.engine} people={args.people} repeat={args.repeat}"
        f" worst_people_p95_ms={worst:.1f} {result}"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard_people")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    event_loop.run(main(parse(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(run())
