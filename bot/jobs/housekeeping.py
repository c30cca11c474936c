"""R24 and the limits' windows: the housekeeping of bot/domain/housekeeping.py at
start-up and then every hour, on one instance of the cluster (bot/jobs/cluster.py)."""

from __future__ import annotations

import asyncio
import logging

from bot.concurrency import sleep_or_stop
from bot.domain.housekeeping import Housekeeping
from bot.safe_logging import describe_exception

log = logging.getLogger(__name__)

EVERY_SECONDS = 3600.0


async def keep_house(housekeeping: Housekeeping, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            swept = await housekeeping.sweep()
            if swept.accounts:
                log.info("%s sign-ups left unconfirmed were removed (R24)", swept.accounts)
        except Exception as exc:  # the next round tries again
            log.warning("housekeeping failed: %s", describe_exception(exc))
        await sleep_or_stop(stop, EVERY_SECONDS)
