"""`python -m bot dashboard` (issue 20): the dashboard's pages on DASHBOARD_HOST:
DASHBOARD_PORT, on the running bot's database; the webhook process mounts the same
pages when DASHBOARD_URL is set."""

from __future__ import annotations

import asyncio
import logging
import signal
from urllib.parse import urlsplit

from aiohttp import web

from bot.dashboard.app import PREFIX, Dashboard, PathOnlyAccessLog, Replier, mount
from bot.domain.clock import Clock, SystemClock
from bot.domain.dashboard import DashboardService
from bot.domain.desk import DeskService
from bot.domain.ports import ConversationLogRepository, Store
from bot.domain.preferences import PreferenceService
from bot.domain.support import SupportService
from bot.settings import Settings
from bot.support.cli import open_for_support

log = logging.getLogger(__name__)


def build_dashboard(
    settings: Settings,
    store: Store,
    conversation_log: ConversationLogRepository,
    replier: Replier | None,
    clock: Clock | None = None,
) -> Dashboard:
    clock = clock or SystemClock()
    policy = settings.policy()
    support = SupportService(store=store, log=conversation_log, policy=policy, clock=clock)
    url = settings.dashboard_url or ""
    return Dashboard(
        service=DashboardService(
            store=store,
            support=support,
            policy=policy,
            clock=clock,
            staff=settings.support_user_ids,
            session_hours=settings.dashboard_session_hours,
        ),
        support=support,
        desk=DeskService(store, clock),
        preferences=PreferenceService(store),
        log=conversation_log,
        clock=clock,
        replier=replier,
        # R42: over https the cookie is never sent in clear.
        secure_cookie=urlsplit(url).scheme == "https",
        session_hours=settings.dashboard_session_hours,
        support_contact=settings.support_contact,
        timezone=policy.timezone,
    )


def standalone_app(dashboard: Dashboard) -> web.Application:
    app = web.Application()
    mount(app, dashboard)

    async def home(_: web.Request) -> web.StreamResponse:
        raise web.HTTPSeeOther(f"{PREFIX}/people")

    app.router.add_get("/", home)
    return app


async def run_dashboard(settings: Settings) -> int:
    backend = await open_for_support(settings)
    bot = None
    try:
        replier = None
        if settings.bot_token is not None:
            from aiogram import Bot
            from aiogram.client.session.aiohttp import AiohttpSession
            from aiogram.client.telegram import TelegramAPIServer

            from bot.dashboard.replies import TelegramReplier

            bot = Bot(
                settings.bot_token.get_secret_value(),
                session=AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url)),
            )
            replier = TelegramReplier(
                bot, DeskService(backend.store, SystemClock()), settings.support_chat_id
            )
        else:
            log.warning("dashboard: BOT_TOKEN is not set; replies from the dashboard are off")
        if settings.dashboard_url is None:
            log.warning(
                "dashboard: DASHBOARD_URL is not set; /dashboard in Telegram cannot send"
                " sign-in links"
            )
        dashboard = build_dashboard(settings, backend.store, backend.conversation_log, replier)
        runner = web.AppRunner(
            standalone_app(dashboard), access_log_class=PathOnlyAccessLog, shutdown_timeout=5
        )
        await runner.setup()
        site = web.TCPSite(runner, settings.dashboard_host, settings.dashboard_port)
        await site.start()
        log.info(
            "dashboard on http://%s:%s%s/", settings.dashboard_host, settings.dashboard_port, PREFIX
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
        return 0
    finally:
        if bot is not None:
            await bot.session.close()
        await backend.close()
