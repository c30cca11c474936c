"""With DASHBOARD_URL set, the webhook process serves the dashboard's pages beside the
webhook, /healthz and /metrics (issue 20)."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiohttp.test_utils import TestClient, TestServer

from bot.dashboard.server import build_dashboard
from bot.runtime.webhook import build_app
from bot.settings import Settings
from tests.dashboard.conftest import STAFF, Site
from tests.support.session import RecordingSession


async def ping() -> None:
    return None


async def test_the_webhook_app_serves_the_dashboard_too(site: Site) -> None:
    settings = Settings(support_user_ids=frozenset({STAFF}), dashboard_url="http://bot.example")
    dashboard = build_dashboard(
        settings, site.backend.store, site.backend.conversation_log, None, site.clock
    )
    bot = Bot("42:TEST", session=RecordingSession())
    app = build_app(bot, Dispatcher(), ping, path="/telegram", secret="s" * 32, dashboard=dashboard)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        closed = await client.get("/dashboard/people")
        token = await dashboard.service.issue_link(STAFF)
        signed_in = await client.get("/dashboard/login", params={"token": token})
        people = await client.get("/dashboard/people")
        people_page = await people.text()
        webhook = await client.post("/telegram", json={})
        health = await client.get("/healthz")
    finally:
        await client.close()

    assert closed.status == 401
    assert signed_in.status == 200
    assert people.status == 200
    assert "<h1>People</h1>" in people_page
    assert webhook.status == 401  # no secret header: the webhook is as it was
    assert health.status == 200
