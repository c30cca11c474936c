"""R38-R40: the reminders' job, on one instance of the cluster at a time. Each reminder
is recorded before it is sent (bot/domain/reminders.py), sent at a lower priority than
replies (`TelegramFaultsMiddleware.background_turn`), and its outcome recorded: sent,
blocked (403), or tried again later (429, 5xx, network)."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.concurrency import sleep_or_stop
from bot.domain.preferences import PreferenceService
from bot.domain.reminders import Due, ReminderService, ReminderStatus
from bot.safe_logging import describe_exception
from bot.telegram.faults import TelegramFaultsMiddleware
from bot.telegram.metrics import Metrics
from bot.ui.keyboards import reminder_keyboard
from bot.ui.messages import reminder_text
from bot.ui.texts import language_for, texts_for

log = logging.getLogger(__name__)


class ReminderJob:
    def __init__(
        self,
        reminders: ReminderService,
        preferences: PreferenceService,
        faults: TelegramFaultsMiddleware,
        *,
        check_seconds: float,
        support_contact: str,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics
        self._reminders = reminders
        self._preferences = preferences
        self._faults = faults
        self._check_seconds = check_seconds
        self._contact = support_contact

    async def run(self, bot: Bot, end: asyncio.Event) -> None:
        while not end.is_set():
            try:
                await self.run_once(bot, end)
            except Exception as exc:
                log.warning("reminders: %s; trying again later", describe_exception(exc))
            await sleep_or_stop(end, self._check_seconds)

    async def run_once(self, bot: Bot, end: asyncio.Event | None = None) -> int:
        """Sends what is due now; returns how many reminders were sent."""
        sent = 0
        for due in await self._reminders.retried():
            sent += await self._send(bot, due)
        while end is None or not end.is_set():
            batch = await self._reminders.due()
            if not batch:
                break
            progress = False
            for due in batch:
                if end is not None and end.is_set():
                    break
                status = await self._reminders.claim(due)
                if status is None:
                    continue  # recorded already: another instance, or before a restart
                progress = True
                if status is ReminderStatus.CLAIMED:
                    sent += await self._send(bot, due)
            if not progress:
                break
        return sent

    async def _send(self, bot: Bot, due: Due) -> int:
        user = due.account.telegram_user_id
        language = await self._preferences.language_of(user) or language_for(None)
        t = texts_for(language, self._contact)
        await self._faults.background_turn()
        try:
            await bot.send_message(
                user, reminder_text(t, due.step, due.left), reply_markup=reminder_keyboard(t)
            )
        except TelegramForbiddenError:
            await self._reminders.blocked(user, due.step, due.number)
            return 0
        except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as exc:
            log.info("reminder to %s not sent yet: %s", user, describe_exception(exc))
            await self._reminders.retry_later(user, due.step, due.number)
            return 0
        await self._reminders.sent(user, due.step, due.number)
        if self._metrics is not None:
            self._metrics.reminders.labels(due.step.value).inc()
        return 1
