"""R41-R42: a sign-in link from the bot opens one session, once, for five minutes; a
session lasts DASHBOARD_SESSION_HOURS; every refusal is a plain page that says what to
do; every POST carries the session's CSRF token."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dashboard.server import build_dashboard, standalone_app
from bot.domain.dashboard import DashboardService
from bot.domain.limits import DASHBOARD_LINKS_PER_HOUR, LimitReached
from bot.settings import Settings
from tests.dashboard.conftest import OTHER_STAFF, STAFF, Site

PAGES = (
    "/dashboard/people",
    "/dashboard/people/501",
    "/dashboard/people/501/events",
    "/dashboard/funnel",
    "/dashboard/funnel.csv",
)


async def test_a_link_from_the_bot_opens_the_dashboard(site: Site) -> None:
    await site.add_person(501, "alice@acme.example")

    await site.sign_in()
    page = await site.client.get("/dashboard/people")

    assert page.status == 200
    text = await page.text()
    assert "alice@acme.example" in text
    assert f"Signed in as {STAFF}" in text


async def test_a_link_used_twice_is_refused(site: Site) -> None:
    token = await site.service.issue_link(STAFF)
    first = await site.client.get("/dashboard/login", params={"token": token})
    site.client.session.cookie_jar.clear()

    second = await site.client.get("/dashboard/login", params={"token": token})

    assert first.status == 200
    assert second.status == 403
    text = await second.text()
    assert "used already" in text
    assert "Send /dashboard to the bot" in text
    assert "Set-Cookie" not in second.headers


async def test_a_link_older_than_five_minutes_is_refused(site: Site) -> None:
    token = await site.service.issue_link(STAFF)
    site.clock.advance(301)

    response = await site.client.get("/dashboard/login", params={"token": token})

    assert response.status == 403
    assert "expired" in await response.text()


@pytest.mark.parametrize("token", ["", "x" * 43, "a" * 500, "%00", "../../etc/passwd"])
async def test_a_forged_or_mangled_link_is_refused(site: Site, token: str) -> None:
    await site.service.issue_link(STAFF)

    response = await site.client.get("/dashboard/login", params={"token": token})

    assert response.status == 403
    assert "does not open the dashboard" in await response.text()


async def test_a_link_of_someone_no_longer_on_the_team_is_refused(site: Site) -> None:
    # Issued while 77 was staff (another instance's settings), opened after 77 left.
    earlier = DashboardService(
        store=site.backend.store,
        support=site.service._support,
        policy=site.service.policy,
        clock=site.clock,
        staff=frozenset({77}),
        session_hours=8,
    )
    token = await earlier.issue_link(77)

    response = await site.client.get("/dashboard/login", params={"token": token})

    assert response.status == 403
    assert "no longer on the support team" in await response.text()


async def test_a_session_of_someone_removed_from_the_team_ends_at_once(site: Site) -> None:
    token = await site.service.issue_link(OTHER_STAFF)
    opened = await site.service.open_link(token)
    assert isinstance(opened, tuple)
    later = DashboardService(
        store=site.backend.store,
        support=site.service._support,
        policy=site.service.policy,
        clock=site.clock,
        staff=frozenset({STAFF}),
        session_hours=8,
    )

    assert await site.service.session(opened[0]) == OTHER_STAFF
    assert await later.session(opened[0]) is None


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_needs_a_session(site: Site, path: str) -> None:
    response = await site.client.get(path)

    assert response.status == 401
    assert response.headers["X-Frame-Options"] == "DENY"  # refusals too
    text = await response.text()
    assert "Send /dashboard to the bot" in text
    assert "alice" not in text


async def test_a_session_ends_after_the_session_hours(site: Site) -> None:
    await site.sign_in()
    site.clock.advance(8 * 3600 - 1)
    assert (await site.client.get("/dashboard/people")).status == 200

    site.clock.advance(2)

    assert (await site.client.get("/dashboard/people")).status == 401


@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "not-a-token"])
async def test_a_post_without_the_right_csrf_token_is_refused(site: Site, csrf: str | None) -> None:
    await site.sign_in()
    form = {} if csrf is None else {"csrf": csrf}

    response = await site.client.post("/dashboard/logout", data=form)

    assert response.status == 403
    assert "Reload the page" in await response.text()
    assert (await site.client.get("/dashboard/people")).status == 200  # still signed in


async def test_signing_out_ends_the_session(site: Site) -> None:
    await site.sign_in()
    cookie = next(iter(site.client.session.cookie_jar)).value
    csrf = await site.csrf()

    response = await site.client.post("/dashboard/logout", data={"csrf": csrf})

    assert response.status == 200
    assert "Signed out" in await response.text()
    assert await site.service.session(cookie) is None
    assert (await site.client.get("/dashboard/people")).status == 401


async def test_the_session_cookie_is_httponly_strict_and_secure_over_https(site: Site) -> None:
    settings = Settings(
        support_user_ids=frozenset({STAFF}), dashboard_url="https://support.example"
    )
    dashboard = build_dashboard(
        settings, site.backend.store, site.backend.conversation_log, None, site.clock
    )
    client = TestClient(TestServer(standalone_app(dashboard)))
    await client.start_server()
    try:
        token = await dashboard.service.issue_link(STAFF)
        response = await client.get("/dashboard/login", params={"token": token})
    finally:
        await client.close()

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Secure" in cookie
    assert "Path=/dashboard" in cookie
    assert "Max-Age=28800" in cookie
    assert token not in cookie  # the session is a token of its own


async def test_over_plain_http_the_cookie_is_not_marked_secure(site: Site) -> None:
    token = await site.service.issue_link(STAFF)

    response = await site.client.get("/dashboard/login", params={"token": token})

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Secure" not in cookie


async def test_pages_forbid_framing_and_other_sites_scripts(site: Site) -> None:
    await site.sign_in()

    response = await site.client.get("/dashboard/people")

    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


async def test_links_and_sessions_are_kept_as_digests_only(site: Site) -> None:
    token = await site.service.issue_link(STAFF)
    opened = await site.service.open_link(token)
    assert isinstance(opened, tuple)
    session, _ = opened

    async with site.backend.store.reading() as tx:
        assert await tx.dashboard.link(token) is None
        assert await tx.dashboard.session(session) is None


async def test_a_staff_member_gets_ten_links_an_hour(site: Site) -> None:
    for _ in range(DASHBOARD_LINKS_PER_HOUR):
        await site.service.issue_link(STAFF)

    with pytest.raises(LimitReached):
        await site.service.issue_link(STAFF)
    await site.service.issue_link(OTHER_STAFF)  # someone else's are their own
    site.clock.advance(3600)
    await site.service.issue_link(STAFF)


async def test_two_openings_of_one_link_at_once_make_one_session(site: Site) -> None:
    import asyncio

    token = await site.service.issue_link(STAFF)

    results = await asyncio.gather(*(site.service.open_link(token) for _ in range(4)))

    assert sum(isinstance(r, tuple) for r in results) == 1
