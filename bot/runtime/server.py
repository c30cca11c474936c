"""`python -m bot` and `python -m bot webhook` against Telegram: the Bot with its session,
the runtime, then long polling or the webhook until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.app import open_runtime
from bot.runtime.metrics_server import serve_metrics
from bot.runtime.polling import run_polling
from bot.runtime.webhook import run_webhook
from bot.settings import Settings
from bot.telegram.commands import publish_commands

log = logging.getLogger("bot")


def test_backends_warning(settings: Settings) -> str | None:
    """R21: said at start and in /healthz while test backends run (ALLOW_TEST_BACKENDS)."""
    backends = settings.test_backends()
    if not backends:
        return None
    return (
        f"test backends in use ({', '.join(backends)}, ALLOW_TEST_BACKENDS=true): emails"
        " and SMS codes are printed, not sent, and payments are simulated"
    )


async def run_server(settings: Settings, *, webhook: bool) -> None:
    assert settings.bot_token is not None
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    bot = Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with open_runtime(settings, bot) as runtime:
            await publish_commands(bot)
            me = await bot.me()
            warning = test_backends_warning(settings)
            if warning is not None:
                log.warning("%s", warning)
            gate = runtime.services.flood_gate
            if webhook:
                assert settings.webhook_url is not None
                assert settings.webhook_secret is not None
                log.info("webhook for @%s", me.username)
                dashboard = None
                if settings.dashboard_url is not None:
                    from bot.dashboard.replies import TelegramReplier
                    from bot.dashboard.server import build_dashboard

                    dashboard = build_dashboard(
                        settings,
                        runtime.backend.store,
                        runtime.backend.conversation_log,
                        TelegramReplier(
                            bot, runtime.services.desk.service, settings.support_chat_id
                        ),
                    )
                await run_webhook(
                    bot,
                    runtime.dispatcher,
                    runtime.ping,
                    url=settings.webhook_url,
                    secret=settings.webhook_secret.get_secret_value(),
                    host=settings.webhook_host,
                    port=settings.webhook_port,
                    stop=stop,
                    gate=gate,
                    warning=warning,
                    metrics=runtime.services.metrics,
                    dashboard=dashboard,
                )
            else:
                await bot.delete_webhook(drop_pending_updates=False)
                log.info("polling as @%s", me.username)
                metrics_server = None
                if settings.metrics_port is not None:
                    metrics_server = asyncio.create_task(
                        serve_metrics(
                            runtime.services.metrics,
                            settings.metrics_host,
                            settings.metrics_port,
                            stop,
                        )
                    )
                await run_polling(runtime.dispatcher, bot, stop=stop, gate=gate)
                if metrics_server is not None:
                    await metrics_server
            log.info("stopped; in-flight updates finished")
    finally:
        await bot.session.close()
