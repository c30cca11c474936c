"""The dashboard's fixtures: its pages on a real database (both engines: the `backend`
fixture), served by aiohttp's test server and read with its test client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application, Request

from bot.dashboard.app import ReplyRefused
from bot.dashboard.server import build_dashboard, standalone_app
from bot.domain.conversation import Direction, LogEntry
from bot.domain.dashboard import DashboardService
from bot.domain.records import NewAccount
from bot.domain.steps import Step
from bot.settings import Settings
from storage.backend import Backend
from tests.storage.conftest import backend  # noqa: F401 - the fixture, on both engines
from tests.support.fakes import FakeClock

STAFF = 42
OTHER_STAFF = 43
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"  # a stand-in, never checked


@dataclass
class Outbox:
    """The bot's side of a reply: what would have been sent, or a refusal."""

    sent: list[tuple[int, str]] = field(default_factory=list)
    topic_notes: list[tuple[int, str]] = field(default_factory=list)
    refuse: str | None = None

    async def send(self, user_id: int, text: str) -> int:
        if self.refuse is not None:
            raise ReplyRefused(self.refuse)
        self.sent.append((user_id, text))
        return len(self.sent)

    async def note_in_topic(self, user_id: int, text: str) -> None:
        self.topic_notes.append((user_id, text))


@dataclass
class Site:
    client: TestClient[Request, Application]
    service: DashboardService
    backend: Backend
    clock: FakeClock
    outbox: Outbox

    async def sign_in(self, staff: int = STAFF) -> None:
        token = await self.service.issue_link(staff)
        response = await self.client.get("/dashboard/login", params={"token": token})
        assert response.status == 200, await response.text()

    async def csrf(self, path: str = "/dashboard/people") -> str:
        page = await (await self.client.get(path)).text()
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert found is not None, page
        return found[1]

    async def add_person(
        self, user_id: int, email: str, done: tuple[Step, ...] = (), at: datetime | None = None
    ) -> None:
        when = at or self.clock.now()
        async with self.backend.store.transaction() as tx:
            account = await tx.accounts.add(NewAccount(user_id, email, email, HASH, when))
            for step in done:
                await tx.accounts.complete(account.id, step, when)

    async def say(self, user_id: int, text: str, direction: Direction = Direction.IN) -> None:
        await self.backend.conversation_log.write(
            [
                LogEntry(
                    self.clock.now(),
                    user_id,
                    user_id,
                    direction,
                    "text",
                    "Registration:phone",
                    text,
                )
            ]
        )


@pytest.fixture
async def site(backend: Backend, clock: FakeClock) -> AsyncIterator[Site]:  # noqa: F811
    settings = Settings(
        support_user_ids=frozenset({STAFF, OTHER_STAFF}), dashboard_url="http://support.example"
    )
    outbox = Outbox()
    dashboard = build_dashboard(settings, backend.store, backend.conversation_log, outbox, clock)
    client = TestClient(TestServer(standalone_app(dashboard)))
    await client.start_server()
    try:
        yield Site(client, dashboard.service, backend, clock, outbox)
    finally:
        await client.close()
