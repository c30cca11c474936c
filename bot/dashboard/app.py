"""The dashboard's pages (issue 20, R41-R44), an aiohttp application mounted at
/dashboard: by `python -m bot dashboard`, and by the webhook process when DASHBOARD_URL
is set. Server-rendered (aiohttp-jinja2); the only script is the live transcript's
EventSource.

Every page but the login link and the style sheet needs a session; every POST carries
the session's CSRF token; every look at a person is recorded (R44). Only the masked
conversation log is shown: no secret of a person reaches a page.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from multidict import MultiDictProxy

from bot.dashboard.chart import funnel_chart
from bot.domain.clock import Clock
from bot.domain.conversation import Direction, LogEntry
from bot.domain.dashboard import MAX_REPLY, DashboardService, PeopleFilter, Refusal
from bot.domain.desk import DeskService, masked_phone
from bot.domain.funnel import FunnelRow, funnel
from bot.domain.limits import LimitReached
from bot.domain.ports import ConversationLogRepository
from bot.domain.preferences import PreferenceService
from bot.domain.support import SupportService, parse_user_id
from bot.safe_logging import describe_exception
from bot.support.cli import parse_since
from bot.support.display import (
    FUNNEL_LABELS,
    duration,
    position_label,
    step_label,
    utc_minute,
    visible,
)
from bot.ui.texts import language_for, texts_for

log = logging.getLogger(__name__)

PREFIX = "/dashboard"
COOKIE = "dashboard_session"
TRANSCRIPT_RECORDS = 200
# Comments on the event stream this often: a closed tab is noticed, proxies keep it.
HEARTBEAT_SECONDS = 15.0
# Live transcripts a process serves at once, and per staff member: tabs left open must
# not use up the database's connections.
MAX_STREAMS = 20
MAX_STREAMS_PER_STAFF = 4
WINDOWS = {"24h": "last 24 hours", "7d": "last 7 days", "30d": "last 30 days", "all": "all time"}
_HERE = Path(__file__).parent
_PUBLIC = {"login", "static"}
_HEADERS = {
    # Nothing from elsewhere, no framing, no sniffing, no link address to other sites.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ReplyRefused(Exception):
    """Telegram did not take a reply; the text says why, for the staff member."""


class Replier(Protocol):
    """How a reply typed in the dashboard reaches the person: through the bot."""

    async def send(self, user_id: int, text: str) -> int:
        """The message's id in the person's chat; ReplyRefused if Telegram refused it."""
        ...

    async def note_in_topic(self, user_id: int, text: str) -> None:
        """A copy for the person's topic in the support group, if they have one."""
        ...


@dataclass(frozen=True)
class Dashboard:
    """What the pages need, handed over by whoever serves them."""

    service: DashboardService
    support: SupportService
    desk: DeskService
    preferences: PreferenceService
    log: ConversationLogRepository
    clock: Clock
    replier: Replier | None
    secure_cookie: bool
    session_hours: float
    support_contact: str
    timezone: str = "UTC"
    # The funnel by window, for a minute: with 100,000 accounts it takes seconds to
    # count (docs/performance.md), and a reload or the CSV download should not redo it.
    funnels: dict[str, tuple[float, datetime | None, list[FunnelRow], int]] = field(
        default_factory=dict
    )
    # Live transcripts open now, by staff member: each one follows the log on a
    # connection of its own (LISTEN on PostgreSQL), so they are counted and capped.
    streams: dict[int, int] = field(default_factory=dict)
    # Their handlers' tasks: a server that stops ends them at once, instead of waiting
    # its shutdown timeout for tabs that stay open.
    live: set[asyncio.Task[Any]] = field(default_factory=set)


_DASHBOARD = web.AppKey("dashboard", Dashboard)
# What the guard found out about a request, for its handler.
_STAFF = web.RequestKey("dashboard_staff", int)
_SESSION = web.RequestKey("dashboard_session", str)
_FORM = web.RequestKey("dashboard_form", MultiDictProxy)
# A reply that could not be sent: why, and the text typed, for the page shown again.
_PROBLEM = web.RequestKey("dashboard_problem", str)
_TYPED = web.RequestKey("dashboard_typed", str)


class PathOnlyAccessLog(AbstractAccessLogger):
    """aiohttp's access log without the query string: a login link's token never
    reaches a log (the default format logs the whole request line)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %s %.3fs", request.remote, request.method, request.path, response.status, time
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


def mount(app: web.Application, dashboard: Dashboard) -> None:
    """The pages under /dashboard/ of `app` (the webhook's, or the dashboard's own)."""
    app.add_subapp(PREFIX, dashboard_app(dashboard))


def dashboard_app(dashboard: Dashboard) -> web.Application:
    app = web.Application(middlewares=[_guard], client_max_size=64 * 1024)
    app[_DASHBOARD] = dashboard
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    env = aiohttp_jinja2.get_env(app)
    env.filters["when"] = utc_minute
    env.filters["span"] = duration
    env.filters["visible"] = visible
    app.router.add_get("/login", _login, name="login")
    app.router.add_get("/", _home)
    app.router.add_get("/people", _people, name="people")
    app.router.add_get("/people/{user_id}", _person, name="person")
    app.router.add_get("/people/{user_id}/events", _events, name="events")
    app.router.add_post("/people/{user_id}/reply", _reply, name="reply")
    app.router.add_get("/funnel", _funnel, name="funnel")
    app.router.add_get("/funnel.csv", _funnel_csv, name="funnel_csv")
    app.router.add_post("/logout", _logout, name="logout")
    app.router.add_static("/static", _HERE / "static", name="static")
    app.on_shutdown.append(_end_streams)
    return app


async def _end_streams(app: web.Application) -> None:
    for task in app[_DASHBOARD].live:
        task.cancel()


# -- the guard: sessions, CSRF, headers ----------------------------------------------------
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every response of the dashboard, refusals included, leaves with _HEADERS."""
    response = await _admitted(request, handler)
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _admitted(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The handler's response, if the request has a session (and, posting, its CSRF
    token); the refusal page if not."""
    dashboard = request.config_dict[_DASHBOARD]
    route = request.match_info.route.name
    if route not in _PUBLIC:
        token = request.cookies.get(COOKIE, "")
        staff = await dashboard.service.session(token)
        if staff is None:
            return _plain(
                request,
                401,
                "Not signed in",
                "Your session has ended or was never started. Send /dashboard to the bot"
                " in a private chat for a new sign-in link.",
            )
        request[_STAFF] = staff
        request[_SESSION] = token
        if request.method == "POST":
            form = await request.post()
            given = form.get("csrf")
            if not isinstance(given, str) or not dashboard.service.csrf_matches(token, given):
                return _plain(
                    request,
                    403,
                    "Form expired",
                    "This form was not sent from a page of this dashboard, or the page is"
                    " older than your session. Reload the page and send it again.",
                )
            request[_FORM] = form
    try:
        return await handler(request)
    except _Refused as refused:
        return refused.response


def _plain(request: web.Request, status: int, title: str, text: str) -> web.Response:
    response = aiohttp_jinja2.render_template(
        "message.html", request, {"title": title, "text": text, "staff": request.get(_STAFF)}
    )
    response.set_status(status)
    return response


def _context(request: web.Request, **values: Any) -> dict[str, Any]:
    return {
        "staff": request[_STAFF],
        "csrf": DashboardService.csrf_token(request[_SESSION]),
        **values,
    }


# -- R41: signing in and out ---------------------------------------------------------------
_REFUSALS = {
    Refusal.UNKNOWN: (
        "This link does not open the dashboard",
        "It was not issued by the bot, or it was copied incompletely.",
    ),
    Refusal.USED: (
        "This link was used already",
        "A sign-in link opens the dashboard once.",
    ),
    Refusal.EXPIRED: (
        "This link has expired",
        "A sign-in link is valid for 5 minutes.",
    ),
    Refusal.NOT_STAFF: (
        "This link is no longer valid",
        "It was issued to someone who is no longer on the support team (SUPPORT_USER_IDS).",
    ),
}


async def _login(request: web.Request) -> web.StreamResponse:
    dashboard = request.config_dict[_DASHBOARD]
    token = request.query.get("token", "")
    opened = await dashboard.service.open_link(token) if 0 < len(token) <= 64 else Refusal.UNKNOWN
    if isinstance(opened, Refusal):
        title, why = _REFUSALS[opened]
        log.info("dashboard: a sign-in link was refused (%s)", opened.value)
        return _plain(request, 403, title, f"{why} Send /dashboard to the bot for a new one.")
    session, staff = opened
    # A page, not a redirect: the cookie is SameSite=Strict, and a redirect that follows
    # a link from Telegram is still a visit from another site, which would not carry it.
    response = aiohttp_jinja2.render_template(
        "signed_in.html",
        request,
        {"staff": staff, "title": "Signed in", "csrf": DashboardService.csrf_token(session)},
    )
    response.set_cookie(
        COOKIE,
        session,
        max_age=int(dashboard.session_hours * 3600),
        path=PREFIX,
        httponly=True,
        samesite="Strict",
        secure=dashboard.secure_cookie,
    )
    return response


async def _logout(request: web.Request) -> web.StreamResponse:
    dashboard = request.config_dict[_DASHBOARD]
    await dashboard.service.end(request[_SESSION])
    log.info("dashboard: staff %s signed out", request[_STAFF])
    del request[_STAFF]
    response = _plain(
        request, 200, "Signed out", "Send /dashboard to the bot when you want to come back."
    )
    response.del_cookie(COOKIE, path=PREFIX)
    return response


async def _home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther(request.app.router["people"].url_for())


# -- People --------------------------------------------------------------------------------
async def _people(request: web.Request) -> web.StreamResponse:
    dashboard = request.config_dict[_DASHBOARD]
    query = request.query
    wanted, problems = PeopleFilter.parse(
        query.get("q", ""), query.get("stuck", ""), query.get("open", ""), query.get("page", "")
    )
    page = await dashboard.service.people(wanted)
    now = dashboard.clock.now()
    rows = [
        {
            "row": row,
            "step": position_label(row.step),
            "at_step": None if row.at_step_since is None else now - row.at_step_since,
        }
        for row in page.rows
    ]

    def link(number: int) -> str:
        params = {k: v for k, v in query.items() if k != "page"}
        return str(request.app.router["people"].url_for().with_query({**params, "page": number}))

    return aiohttp_jinja2.render_template(
        "people.html",
        request,
        _context(
            request,
            title="People",
            wanted=wanted,
            typed={k: query.get(k, "") for k in ("q", "stuck")},
            problems=problems,
            page=page,
            rows=rows,
            previous=link(page.page - 1) if page.page > 1 else None,
            next=link(page.page + 1) if page.page < page.pages else None,
        ),
    )


# -- A person ------------------------------------------------------------------------------
def _user_id(request: web.Request) -> int:
    user_id = parse_user_id(request.match_info["user_id"])
    if user_id is None:
        raise _plain_error(request, 404, "No such person", "That is not a Telegram user id.")
    return user_id


class _Refused(Exception):
    """A refusal page raised from inside a handler; the guard returns it."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def _plain_error(request: web.Request, status: int, title: str, text: str) -> _Refused:
    return _Refused(_plain(request, status, title, text))


async def _person(request: web.Request) -> web.StreamResponse:
    dashboard = request.config_dict[_DASHBOARD]
    user_id = _user_id(request)
    card = await dashboard.support.card(user_id)
    records = await dashboard.support.recent(user_id, TRANSCRIPT_RECORDS)
    account = card.person.account
    if account is None and not records:
        raise _plain_error(
            request, 404, "No such person", f"Nobody with the user id {user_id} wrote to the bot."
        )
    # R44: who looked at whom, when; before the page is shown, so a failure shows nothing.
    await dashboard.service.viewed(request[_STAFF], user_id)
    request_open = await dashboard.desk.request_of(user_id)
    t = texts_for(card.language or language_for(None), dashboard.support_contact)
    notice = {
        "sent": "Your reply was sent.",
        "again": "That reply was sent already; it was not sent twice.",
    }.get(request.query.get("done", ""))
    return aiohttp_jinja2.render_template(
        "person.html",
        request,
        _context(
            request,
            title=f"Person {user_id}",
            user_id=user_id,
            card=card,
            account=account,
            phone=masked_phone(account.phone) if account and account.phone else "-",
            step=position_label(card.person.step),
            balance=t.money(card.balance.total_kopecks) if card.balance else "-",
            request_open=request_open,
            records=[_record(e) for e in records],
            last_id=max((e.id or 0 for e in records), default=0),
            views=await dashboard.service.views(user_id),
            can_reply=dashboard.replier is not None,
            reply_key=secrets.token_urlsafe(16),
            max_reply=MAX_REPLY,
            notice=notice,
            problem=request.get(_PROBLEM),
            typed=request.get(_TYPED, ""),
        ),
    )


def _record(entry: LogEntry) -> dict[str, Any]:
    """One record as the transcript shows it: the same masked text as `logs`."""
    return {
        "id": entry.id or 0,
        "time": f"{entry.at:%Y-%m-%d %H:%M:%S}",
        "direction": "in" if entry.direction is Direction.IN else "out",
        "kind": entry.kind,
        "step": step_label(entry.step),
        "text": visible(entry.text),
    }


async def _events(request: web.Request) -> web.StreamResponse:
    """New records of the person as they are written by any instance (the log's
    `follow`: LISTEN/NOTIFY on PostgreSQL, polling on SQLite), as server-sent events."""
    dashboard = request.config_dict[_DASHBOARD]
    user_id = _user_id(request)
    after = 0
    for given in (request.query.get("after", ""), request.headers.get("Last-Event-ID", "")):
        if given.isascii() and given.isdigit() and len(given) < 19:
            after = max(after, int(given))
    staff = request[_STAFF]
    if (
        sum(dashboard.streams.values()) >= MAX_STREAMS
        or dashboard.streams.get(staff, 0) >= MAX_STREAMS_PER_STAFF
    ):
        # The page says "reconnecting" and the browser tries again later.
        return web.Response(status=429, text="Too many live pages are open; close some tabs.")
    dashboard.streams[staff] = dashboard.streams.get(staff, 0) + 1
    try:
        return await _stream(request, dashboard, user_id, after)
    finally:
        dashboard.streams[staff] -= 1
        if not dashboard.streams[staff]:
            del dashboard.streams[staff]


async def _stream(
    request: web.Request, dashboard: Dashboard, user_id: int, after: int
) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    queue: asyncio.Queue[LogEntry] = asyncio.Queue(maxsize=1000)

    async def read() -> None:
        async for entry in dashboard.log.follow(after, user_id):
            await queue.put(entry)

    reader = asyncio.create_task(read())
    this = asyncio.current_task()
    if this is not None:
        dashboard.live.add(this)
    try:
        # A browser that lost the stream asks again after 10 s, not at once.
        await response.write(b"retry: 10000\n: following\n\n")
        while not reader.done():
            try:
                entry = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                # The session may have ended meanwhile (expired, signed out elsewhere,
                # removed from SUPPORT_USER_IDS): the stream ends with it.
                if await dashboard.service.session(request[_SESSION]) is None:
                    break
                await response.write(b": still here\n\n")
                continue
            data = json.dumps(_record(entry), ensure_ascii=False)
            await response.write(f"id: {entry.id or 0}\ndata: {data}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the tab was closed, or the server is stopping
    finally:
        if this is not None:
            dashboard.live.discard(this)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
    return response


async def _reply(request: web.Request) -> web.StreamResponse:
    dashboard = request.config_dict[_DASHBOARD]
    user_id = _user_id(request)
    staff = request[_STAFF]
    form = request[_FORM]
    text = str(form.get("text", "")).strip()
    key = str(form.get("reply_key", ""))[:64]
    back = request.app.router["person"].url_for(user_id=str(user_id))
    if dashboard.replier is None:
        raise _plain_error(
            request,
            409,
            "Replies are off here",
            "This dashboard has no BOT_TOKEN, so it cannot write to people.",
        )

    def again(problem: str) -> Awaitable[web.StreamResponse]:
        request[_PROBLEM] = problem
        request[_TYPED] = text
        return _person(request)

    if not text:
        return await again("Type a reply first.")
    if len(text) > MAX_REPLY:
        return await again(
            f"The reply is {len(text)} characters long; a message holds up to {MAX_REPLY}."
            " Shorten it or send it in two parts."
        )
    if not key:
        return await again("The form was incomplete; send it again.")
    try:
        first = await dashboard.service.claim_reply(key, staff, user_id)
    except LimitReached as exc:
        return await again(
            f"You have sent the most replies allowed in an hour; you can send again from"
            f" {exc.retry_at:%H:%M} UTC, or answer in the support group."
        )
    if not first:
        raise web.HTTPSeeOther(back.with_query(done="again"))
    language = await dashboard.preferences.language_of(user_id) or language_for(None)
    label = texts_for(language, dashboard.support_contact)("desk.label")
    message = f"{label}:\n\n{text}"
    try:
        message_id = await dashboard.replier.send(user_id, message)
    except ReplyRefused as exc:
        await dashboard.service.reply_failed(key)
        return await again(f"Telegram did not deliver the reply: {exc}. Your text is kept below.")
    except Exception as exc:
        await dashboard.service.reply_failed(key)
        log.warning("dashboard: a reply was not sent: %s", describe_exception(exc))
        return await again("Telegram could not be reached; try again in a minute.")
    await dashboard.service.reply_sent(key, message_id)
    now = dashboard.clock.now()
    await dashboard.log.write(
        [LogEntry(now, user_id, user_id, Direction.OUT, "support reply", None, message)]
    )
    await dashboard.desk.answered(user_id)
    try:
        await dashboard.replier.note_in_topic(
            user_id, f"Answered from the dashboard by {staff}:\n\n{text}"
        )
    except Exception as exc:
        log.warning("dashboard: the reply was not copied to the topic: %s", describe_exception(exc))
    log.info("dashboard: staff %s replied to person %s", staff, user_id)
    raise web.HTTPSeeOther(back.with_query(done="sent"))


# -- Funnel --------------------------------------------------------------------------------
def _window(request: web.Request) -> tuple[str, datetime | None]:
    chosen = request.query.get("since", "30d")
    if chosen == "all":
        return chosen, None
    try:
        return chosen, parse_since(chosen, request.config_dict[_DASHBOARD].clock.now())
    except argparse.ArgumentTypeError:
        raise _plain_error(
            request,
            400,
            "Not a window",
            "Choose 24h, 7d, 30d or all time, or write a span such as 12h or 2w.",
        ) from None


FUNNEL_CACHE_SECONDS = 60.0


async def _rows(request: web.Request) -> tuple[str, datetime | None, list[FunnelRow], int]:
    dashboard = request.config_dict[_DASHBOARD]
    chosen, since = _window(request)
    cached = dashboard.funnels.get(chosen)
    if cached is not None and time.monotonic() - cached[0] < FUNNEL_CACHE_SECONDS:
        return chosen, cached[1], cached[2], cached[3]
    journeys = await dashboard.support.journeys(since)
    rows = funnel(journeys)
    dashboard.funnels[chosen] = (time.monotonic(), since, rows, len(journeys))
    return chosen, since, rows, len(journeys)


async def _funnel(request: web.Request) -> web.StreamResponse:
    chosen, since, rows, people = await _rows(request)
    return aiohttp_jinja2.render_template(
        "funnel.html",
        request,
        _context(
            request,
            title="Funnel",
            chosen=chosen,
            windows=WINDOWS,
            since=since,
            people=people,
            rows=[
                {
                    "row": row,
                    "label": FUNNEL_LABELS.get(row.step, row.step),
                    "conversion": "-" if row.conversion is None else f"{row.conversion:.0%}",
                }
                for row in rows
            ],
            chart=funnel_chart(rows),
        ),
    )


async def _funnel_csv(request: web.Request) -> web.StreamResponse:
    _, since, rows, _ = await _rows(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["step", "reached", "finished", "conversion", "median_seconds"])
    for row in rows:
        writer.writerow(
            [
                row.step,
                row.reached,
                row.finished,
                "" if row.conversion is None else f"{row.conversion:.4f}",
                "" if row.median is None else int(row.median.total_seconds()),
            ]
        )
    name = "funnel-all.csv" if since is None else f"funnel-{since:%Y%m%d-%H%M}.csv"
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
