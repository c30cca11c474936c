"""`python -m bot` and `python -m bot webhook` against Telegram: the Bot with its session,
the runtime, then long polling or the webhook until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.app import open_runtime
from bot.domain.clock import Clock, SystemClock
from bot.runtime.metrics_server import serve_metrics
from bot.runtime.polling import run_polling
from bot.runtime.webhook import run_webhook
from bot.settings import Settings
from bot.telegram.commands import publish_commands

log = logging.getLogger("bot")

# Waits between tries to reach Telegram at start: doubled from the first, up to the last.
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0


class BotTokenRefused(Exception):
    """Telegram answered that BOT_TOKEN is not a bot's token: no retry will help."""


async def reach_telegram(
    bot: Bot,
    stop: asyncio.Event,
    clock: Clock,
    *,
    first_wait: float = FIRST_RETRY_SECONDS,
    longest_wait: float = LONGEST_RETRY_SECONDS,
) -> bool:
    """Asks Telegram who the bot is until it answers: True then, False if `stop` came
    first. Telegram unreachable or failing says one line a try, with the next try's
    time, and waits longer each time; never a traceback (the error's kinds only: a
    Bot API address holds the token). A refused token raises `BotTokenRefused`."""
    wait = first_wait
    while not stop.is_set():
        try:
            await bot.me()
            return True
        except TelegramUnauthorizedError:
            raise BotTokenRefused from None
        except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as exc:
            if isinstance(exc, TelegramRetryAfter):
                wait = max(wait, float(exc.retry_after))
            cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else None
            reason = type(exc).__name__ + (f": {cause}" if cause else "")
            at = clock.now() + timedelta(seconds=wait)
            log.warning(
                "Telegram cannot be reached (%s); next try in %.0f s, at %s UTC",
                reason,
                wait,
                f"{at:%H:%M:%S}",
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
        wait = min(wait * 2, longest_wait)
    return False


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
        if not await reach_telegram(bot, stop, SystemClock()):
            return
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
