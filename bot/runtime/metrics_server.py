"""`/metrics` over HTTP (issue 20): a route of the webhook's app, or in polling mode a
small server of its own on `METRICS_HOST:METRICS_PORT`."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.telegram.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"


def add_metrics_route(app: web.Application, metrics: Metrics) -> None:
    async def scrape(_: web.Request) -> web.Response:
        body = await metrics.scrape()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get(METRICS_PATH, scrape)


async def serve_metrics(metrics: Metrics, host: str, port: int, stop: asyncio.Event) -> None:
    app = web.Application()
    add_metrics_route(app, metrics)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("metrics on http://%s:%s%s", host, port, METRICS_PATH)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
