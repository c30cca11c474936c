"""R18 retention: conversation-log records older than LOG_RETENTION_DAYS go at start-up,
then once a day (on one instance of the cluster, bot/jobs/cluster.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.concurrency import sleep_or_stop
from bot.domain.clock import Clock
from bot.domain.ports import ConversationLogRepository
from bot.safe_logging import describe_exception

log = logging.getLogger(__name__)


async def keep_log_pruned(
    repository: ConversationLogRepository, clock: Clock, days: int, stop: asyncio.Event
) -> None:
    while True:
        cutoff = clock.now() - timedelta(days=days)
        try:
            removed = await repository.prune(cutoff)
            if removed:
                log.info("conversation log: %s records older than %s days removed", removed, days)
        except Exception as exc:
            log.warning("conversation log not pruned: %s", describe_exception(exc))
        await sleep_or_stop(stop, 24 * 3600)
        if stop.is_set():
            return
