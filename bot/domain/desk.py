"""The support desk (issue 18) as plain rules: a person's request, their one topic, the
messages copied both ways, and the figures the desk is judged by (R35-R37).

Telegram's side (topics, copies, the card) is in bot/support/desk.py; this module only
decides and remembers."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.clock import Clock
from bot.domain.phones import display_phone

if TYPE_CHECKING:  # ports.py names this module's records
    from bot.domain.ports import Store

# A topic reserved this long ago and never created (the instance died in between) may
# be created by someone else.
TOPIC_RESERVATION = timedelta(seconds=60)
# The wait a person is told is the median first answer of this window.
WAIT_WINDOW = timedelta(days=7)
# A copy not delivered this long after it was claimed is tried again (the desk was
# down, or the instance died between the claim and the copy).
RETRY_AFTER = timedelta(seconds=30)
# An internal note in a topic starts with this: staff talk among themselves.
NOTE_PREFIX = "!"


@dataclass(frozen=True)
class MessageRef:
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class DeskTopic:
    user_id: int
    thread_id: int | None
    card_message_id: int | None


@dataclass(frozen=True)
class SupportRequest:
    id: int
    user_id: int
    opened_at: datetime
    first_answer_at: datetime | None
    closed_at: datetime | None
    talking: bool

    @property
    def answered(self) -> bool:
        return self.first_answer_at is not None

    def waiting(self, now: datetime) -> timedelta:
        return now - self.opened_at


@dataclass(frozen=True)
class PendingCopy:
    source: MessageRef
    target_chat_id: int
    to_person: bool


@dataclass(frozen=True)
class DeskFigures:
    """stats: how the desk did in a window."""

    opened: int
    answered: int
    closed: int
    first_answer_median: timedelta | None
    first_answer_p90: timedelta | None
    close_median: timedelta | None


def masked_phone(e164: str) -> str:
    """All but the last four digits hidden: enough for staff to tell numbers apart."""
    shown = display_phone(e164)
    digits = sum(c.isdigit() for c in shown)
    seen = 0
    out = []
    for c in shown:
        if c.isdigit():
            seen += 1
            # The country code stays: +7 says "Russian number" and gives nothing away.
            out.append(c if seen == 1 or seen > digits - 4 else "•")
        else:
            out.append(c)
    return "".join(out)


def percentile(values: list[timedelta], share: float) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    seconds = statistics.median(v.total_seconds() for v in values)
    return timedelta(seconds=seconds)


def figures(requests: list[SupportRequest]) -> DeskFigures:
    first = [r.first_answer_at - r.opened_at for r in requests if r.first_answer_at]
    closing = [r.closed_at - r.opened_at for r in requests if r.closed_at]
    return DeskFigures(
        opened=len(requests),
        answered=len(first),
        closed=len(closing),
        first_answer_median=median(first),
        first_answer_p90=percentile(first, 0.9),
        close_median=median(closing),
    )


def is_note(text: str | None) -> bool:
    return bool(text) and str(text).lstrip().startswith(NOTE_PREFIX)


class DeskService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self.clock = clock

    async def open(self, user_id: int) -> tuple[SupportRequest, bool]:
        """The person's request, talking; True if it is new (not one still open)."""
        now = self.clock.now()
        async with self._store.transaction() as tx:
            existing = await tx.desk.open_request_of(user_id)
            request = await tx.desk.open_request(user_id, now)
        return request, existing is None

    async def stop_talking(self, user_id: int) -> SupportRequest | None:
        """The person goes back to the registration; the request stays open so that
        the desk's answers still reach them."""
        async with self._store.transaction() as tx:
            request = await tx.desk.open_request_of(user_id)
            if request is not None:
                await tx.desk.set_talking(user_id, False)
        return request

    async def request_of(self, user_id: int) -> SupportRequest | None:
        async with self._store.reading() as tx:
            return await tx.desk.open_request_of(user_id)

    async def close(self, user_id: int) -> SupportRequest | None:
        async with self._store.transaction() as tx:
            return await tx.desk.close(user_id, self.clock.now())

    async def answered(self, user_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.desk.answered(user_id, self.clock.now())

    async def queue(self) -> list[SupportRequest]:
        """Open requests, oldest first."""
        async with self._store.reading() as tx:
            return sorted(await tx.desk.open_requests(), key=lambda r: r.opened_at)

    async def usual_wait(self) -> timedelta | None:
        """The median first answer of the last week; None when there is none."""
        since = self.clock.now() - WAIT_WINDOW
        async with self._store.reading() as tx:
            requests = await tx.desk.requests_since(since)
        return figures(requests).first_answer_median

    async def figures(self, since: datetime | None) -> DeskFigures:
        async with self._store.reading() as tx:
            return figures(await tx.desk.requests_since(since))

    # -- topics --------------------------------------------------------------------
    async def topic(self, user_id: int) -> DeskTopic | None:
        async with self._store.reading() as tx:
            return await tx.desk.topic(user_id)

    async def reserve_topic(self, user_id: int) -> bool:
        now = self.clock.now()
        async with self._store.transaction() as tx:
            return await tx.desk.reserve_topic(user_id, now, now - TOPIC_RESERVATION)

    async def topic_created(self, user_id: int, thread_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.desk.set_topic(user_id, thread_id)

    async def card_posted(self, user_id: int, message_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.desk.set_card(user_id, message_id)

    async def topic_gone(self, user_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.desk.forget_topic(user_id)

    async def person_in(self, thread_id: int) -> int | None:
        async with self._store.reading() as tx:
            return await tx.desk.person_in(thread_id)

    # -- copies --------------------------------------------------------------------
    async def claim(self, source: MessageRef, target_chat_id: int, *, to_person: bool) -> bool:
        async with self._store.transaction() as tx:
            return await tx.desk.claim_copy(source, target_chat_id, to_person, self.clock.now())

    async def copied(self, source: MessageRef, copy_message_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.desk.copied(source, copy_message_id)

    async def copy_of(self, source: MessageRef) -> MessageRef | None:
        async with self._store.reading() as tx:
            return await tx.desk.copy_of(source)

    async def due_copies(self, limit: int = 50) -> list[PendingCopy]:
        """Copies claimed and not delivered for a while; each is pushed back so that
        another pass (or instance) does not take it again at once."""
        now = self.clock.now()
        async with self._store.transaction() as tx:
            due = await tx.desk.pending_copies(now - RETRY_AFTER, limit)
            for copy in due:
                await tx.desk.retry_copy(copy.source, now)
        return due
