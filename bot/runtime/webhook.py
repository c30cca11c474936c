"""`python -m bot webhook`: Telegram posts updates to an aiohttp server (interfaces.md).

Each update is answered only after it has been processed (R19): if the process dies
first, Telegram gets no answer and delivers the update again. Requests without the
right secret header are refused (401), bodies that are not updates too (400).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.dashboard.app import Dashboard, PathOnlyAccessLog, mount
from bot.runtime.metrics_server import add_metrics_route
from bot.safe_logging import describe_exception
from bot.telegram.flood import FloodGate
from bot.telegram.metrics import Metrics

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
HEALTH_PATH = "/healthz"


def _secret_matches(given: str, expected: bytes) -> bool:
    """Any header that is not the secret is refused: aiohttp hands bytes that are not
    UTF-8 on as surrogates, which must not end in a 500 (issue 16)."""
    try:
        raw = given.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(raw, expected)


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


def build_app(
    bot: Bot,
    dispatcher: Dispatcher,
    ping: Callable[[], Awaitable[None]],
    *,
    path: str,
    secret: str,
    gate: FloodGate | None = None,
    warning: str | None = None,
    metrics: Metrics | None = None,
    dashboard: Dashboard | None = None,
) -> web.Application:
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        if not _secret_matches(request.headers.get(SECRET_HEADER, ""), expected):
            return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
        try:
            body = await request.json(loads=json.loads)
            update = Update.model_validate(body, context={"bot": bot})
        except (ValueError, ValidationError, RecursionError):
            # RecursionError: JSON nested far beyond any update (100,000 levels, say).
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        if gate is not None and not gate.admit(update, bot):
            # R20: a flood's excess is acknowledged at once and never processed.
            return web.json_response({"ok": True})
        try:
            await dispatcher.feed_update(bot, update)
        except Exception as exc:
            # Not acknowledged: Telegram will deliver the update again (R19).
            log.error("update %s failed: %s", update.update_id, describe_exception(exc))
            return web.json_response({"ok": False}, status=500)
        return web.json_response({"ok": True})

    async def health(_: web.Request) -> web.Response:
        try:
            await ping()
        except Exception as exc:
            log.warning("health check: %s", describe_exception(exc))
            return web.json_response({"ok": False, "database": "unavailable"}, status=503)
        if warning is not None:
            return web.json_response({"ok": True, "warning": warning})
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post(path, receive)
    app.router.add_get(HEALTH_PATH, health)
    if metrics is not None:
        add_metrics_route(app, metrics)
    if dashboard is not None:
        mount(app, dashboard)
    return app


async def run_webhook(
    bot: Bot,
    dispatcher: Dispatcher,
    ping: Callable[[], Awaitable[None]],
    *,
    url: str,
    secret: str,
    host: str,
    port: int,
    stop: asyncio.Event,
    gate: FloodGate | None = None,
    warning: str | None = None,
    metrics: Metrics | None = None,
    dashboard: Dashboard | None = None,
) -> None:
    app = build_app(
        bot,
        dispatcher,
        ping,
        path=webhook_path(url),
        secret=secret,
        gate=gate,
        warning=warning,
        metrics=metrics,
        dashboard=dashboard,
    )
    # shutdown_timeout: on SIGTERM, requests in flight get this long to finish.
    # The access log without query strings: a dashboard sign-in link's token stays out.
    runner = web.AppRunner(app, shutdown_timeout=30, access_log_class=PathOnlyAccessLog)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    await dispatcher.emit_startup(bot=bot, dispatcher=dispatcher)
    await bot.set_webhook(
        url,
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    log.info("webhook listening on %s:%s", host, port)
    try:
        await stop.wait()
    finally:
        # Stops taking requests, lets those in flight finish, then returns.
        await runner.cleanup()
        await dispatcher.emit_shutdown(bot=bot, dispatcher=dispatcher)
