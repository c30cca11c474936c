"""Prometheus metrics (issue 20): what operators watch, in the text format of
prometheus-client, on the webhook's port (`/metrics`) or on `METRICS_PORT` in polling.

Names follow Prometheus' naming guide (`bot_` prefix, base units, `_total` for
counters). No label ever holds a person's id, email or phone: labels are kinds of
things (update kind, outcome, error type, step)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.methods import AnswerPreCheckoutQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.domain.ports import EmailSender, OutgoingEmail, OutgoingSms, SmsSender

CONTENT_TYPE = CONTENT_TYPE_LATEST
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One registry per process (and per test)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "bot_updates", "Updates handled, by kind and outcome", ["kind", "outcome"], registry=r
        )
        self.handling_seconds = Histogram(
            "bot_update_handling_seconds",
            "Time from an update's arrival to the end of its handling",
            ["kind"],
            buckets=_BUCKETS,
            registry=r,
        )
        self.errors = Counter(
            "bot_errors", "Handler failures, by exception type", ["type"], registry=r
        )
        self.emails = Counter(
            "bot_emails", "Confirmation emails, by result (sent, failed)", ["result"], registry=r
        )
        self.sms = Counter("bot_sms", "Code SMS, by result (sent, failed)", ["result"], registry=r)
        self.payments = Counter(
            "bot_payments",
            "Card checks: pre-checkouts approved or declined, payments received",
            ["result"],
            registry=r,
        )
        self.retry_after_seconds = Counter(
            "bot_telegram_retry_after_seconds", "Seconds waited on Telegram's 429", registry=r
        )
        self.send_queue = Gauge(
            "bot_send_queue_length", "Messages waiting for the send pacing", registry=r
        )
        self.reminders = Counter(
            "bot_reminders_sent", "Reminders sent, by step", ["step"], registry=r
        )
        self.open_requests = Gauge(
            "bot_support_requests_open", "Support requests open (this instance's view)", registry=r
        )
        self.steps_done = Gauge(
            "bot_registration_steps_done",
            "Accounts that have done each step (the funnel, from the database)",
            ["step"],
            registry=r,
        )

        # Filled in by the composition root: what is read at scrape time.
        self._refreshers: list[Callable[[], Awaitable[None]]] = []

    def on_scrape(self, refresh: Callable[[], Awaitable[None]]) -> None:
        self._refreshers.append(refresh)

    async def scrape(self) -> bytes:
        """The text format, after the figures read at scrape time are brought up to date."""
        for refresh in self._refreshers:
            await refresh()
        return generate_latest(self.registry)


class MetricsMiddleware(BaseMiddleware):
    """Outer middleware on updates: each update's kind, outcome and handling time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = event.event_type if isinstance(event, Update) else "other"
        if isinstance(event, Update) and event.message and event.message.successful_payment:
            self._metrics.payments.labels("paid").inc()
        started = time.perf_counter()
        try:
            result = await handler(event, data)
        except Exception as exc:
            self._metrics.updates.labels(kind, "error").inc()
            self._metrics.errors.labels(type(exc).__name__).inc()
            raise
        finally:
            self._metrics.handling_seconds.labels(kind).observe(time.perf_counter() - started)
        self._metrics.updates.labels(kind, "unhandled" if result is UNHANDLED else "handled").inc()
        return result


class PaymentAnswers(BaseRequestMiddleware):
    """Bot session middleware: the pre-checkout answers, approved or declined."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Any,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if isinstance(method, AnswerPreCheckoutQuery):
            self._metrics.payments.labels("approved" if method.ok else "declined").inc()
        return response


class CountedEmails:
    def __init__(self, inner: EmailSender, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def send(self, email: OutgoingEmail) -> None:
        try:
            await self._inner.send(email)
        except Exception:
            self._metrics.emails.labels("failed").inc()
            raise
        self._metrics.emails.labels("sent").inc()


class CountedSms:
    def __init__(self, inner: SmsSender, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def send(self, sms: OutgoingSms) -> None:
        try:
            await self._inner.send(sms)
        except Exception:
            self._metrics.sms.labels("failed").inc()
            raise
        self._metrics.sms.labels("sent").inc()
