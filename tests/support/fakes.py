"""In-memory stand-ins for the outside world: a clock, an email sink and an SMS sink."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.domain.ports import (
    EmailDeliveryError,
    Invoice,
    OutgoingEmail,
    OutgoingSms,
    PaymentGatewayError,
    SmsDeliveryError,
)


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


class EmailOutbox:
    """Records every email handed to it; can be told to refuse, like a mail server down."""

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.failing = False

    async def send(self, email: OutgoingEmail) -> None:
        if self.failing:
            raise EmailDeliveryError("SMTP localhost:25: ConnectionRefusedError")
        self.sent.append(email)


class SmsOutbox:
    """Records every SMS handed to it; can be told to fail, like a gateway down."""

    def __init__(self) -> None:
        self.sent: list[OutgoingSms] = []
        self.failing = False

    async def send(self, sms: OutgoingSms) -> None:
        if self.failing:
            raise SmsDeliveryError("SMS gateway http://127.0.0.1:9: HTTP 503")
        self.sent.append(sms)

    def last_code(self) -> str:
        assert self.sent, "an SMS was sent"
        found = re.search(r"\b(\d{4,10})\b", self.sent[-1].text)
        assert found, "the SMS holds a code"
        return found[1]


class PaymentInbox:
    """A payment gateway that records the invoices it is asked to show. Named as
    Telegram Payments: what is paid for its invoices is money (the sandbox's is not,
    R21)."""

    def __init__(self, name: str = "telegram") -> None:
        self.name = name
        self.shown: list[Invoice] = []
        self.failing = False

    async def present(self, invoice: Invoice) -> None:
        if self.failing:
            raise PaymentGatewayError("sendInvoice: TelegramBadRequest")
        self.shown.append(invoice)
