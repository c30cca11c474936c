"""In-memory stand-ins for the outside world: a clock and an email sink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.ports import EmailDeliveryError, OutgoingEmail


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
