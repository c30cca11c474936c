"""Reminders for people who stopped half-way (issue 19, R38-R40): who is due, when a
reminder may go (never in the quiet hours), once per person, step and number, and
whether they work (against a holdout).

Sending is bot/jobs/reminders.py's; this module decides and remembers."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.policy import Policy
from bot.domain.records import Account
from bot.domain.steps import Step, last_progress, next_step, steps_left

if TYPE_CHECKING:
    from bot.domain.ports import ConversationLogRepository, Store

# A reminder counts as working when the registration is finished this soon after it.
RECOVERY_WINDOW = timedelta(hours=48)
# 429 or 5xx: the reminder is tried again after this long.
RETRY_AFTER = timedelta(minutes=5)


class ReminderSettingError(ValueError):
    pass


def parse_after_hours(text: str) -> tuple[timedelta, ...]:
    """`24,72` -> after 24 h and after 72 h without progress. Increasing, > 0."""
    try:
        hours = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ReminderSettingError("hours separated by commas, such as 24,72") from None
    if not hours or any(h <= 0 for h in hours) or hours != sorted(set(hours)):
        raise ReminderSettingError("increasing hours above zero, such as 24,72")
    return tuple(timedelta(hours=h) for h in hours)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """`21:00-10:00`; empty: no quiet hours."""
    if not text.strip():
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ReminderSettingError("two times such as 21:00-10:00") from None
    if start == end:
        raise ReminderSettingError("a start and an end that differ, such as 21:00-10:00")
    return start, end


@dataclass(frozen=True)
class ReminderSchedule:
    after: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=72))
    quiet: tuple[time, time] | None = (time(21, 0), time(10, 0))
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))
    holdout_percent: int = 0

    def is_quiet(self, now: datetime) -> bool:
        if self.quiet is None:
            return False
        start, end = self.quiet
        local = now.astimezone(self.zone).time()
        if start < end:
            return start <= local < end
        return local >= start or local < end  # across midnight

    def quiet_ends(self, now: datetime) -> datetime:
        """The first moment from `now` that is not quiet (`now` itself if it is not)."""
        if self.quiet is None or not self.is_quiet(now):
            return now
        end = self.quiet[1]
        local = now.astimezone(self.zone)
        ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if ends <= local:
            ends += timedelta(days=1)
        return ends

    def number_due(self, stopped_at: datetime, already: int, now: datetime) -> int | None:
        """The reminder number due now (1, 2, ...), or None: all sent, or not yet."""
        if already >= len(self.after):
            return None
        if now - stopped_at < self.after[already]:
            return None
        return already + 1

    def held_out(self, user_id: int, step: Step) -> bool:
        """The same person at the same step is always in or out: a stable hash."""
        if self.holdout_percent <= 0:
            return False
        digest = hashlib.sha256(f"{user_id}:{step.value}".encode()).digest()
        return int.from_bytes(digest[:4], "big") % 100 < self.holdout_percent


class ReminderStatus(enum.Enum):
    CLAIMED = "claimed"  # recorded, being sent (a kill here: never sent again)
    SENT = "sent"
    RETRY = "retry"  # 429 or 5xx: tried again later
    HELD_OUT = "held_out"  # due, not sent: the holdout
    BLOCKED = "blocked"  # 403: the person blocked the bot


@dataclass(frozen=True)
class Reminder:
    user_id: int
    step: Step
    number: int
    status: ReminderStatus
    claimed_at: datetime
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Due:
    account: Account
    step: Step
    number: int
    left: list[Step]


@dataclass(frozen=True)
class ReminderRow:
    """stats: one step and reminder number."""

    step: Step
    number: int
    sent: int
    recovered: int
    held_out: int
    held_out_recovered: int


class ReminderService:
    def __init__(
        self,
        store: Store,
        log: ConversationLogRepository,
        policy: Policy,
        clock: Clock,
        schedule: ReminderSchedule,
    ) -> None:
        self._store = store
        self._log = log
        self._policy = policy
        self.clock = clock
        self.schedule = schedule

    async def due(self, limit: int = 500) -> list[Due]:
        """People due a reminder now, longest stopped first. Empty in the quiet hours."""
        now = self.clock.now()
        if self.schedule.is_quiet(now):
            return []
        found: list[Due] = []
        async with self._store.reading() as tx:
            stopped = await tx.accounts.unfinished_since(now - self.schedule.after[0])
            # A few reads for the whole pass, not a few per person (100,000 stopped
            # people are read every REMINDER_CHECK_SECONDS).
            counts = await tx.reminders.counts()
            unwanted = await tx.reminders.unwanted()
            blocked_at = await tx.reminders.blocked()
            helped = {r.user_id for r in await tx.desk.open_requests()}
        for account in stopped:
            user = account.telegram_user_id
            if user in unwanted or user in helped:
                continue  # turned off, or a person is helping them already
            blocked = blocked_at.get(user)
            if blocked is not None:
                # Blocked the bot, unless they wrote since (they unblocked it).
                active = await self._log.last_activity(user)
                if active is None or active <= blocked:
                    continue
            step = next_step(account, self._policy)
            already = counts.get((user, step.value), 0)
            number = self.schedule.number_due(last_progress(account), already, now)
            if number is None:
                continue
            found.append(Due(account, step, number, steps_left(account, self._policy)))
            if len(found) >= limit:
                break
        return found

    async def claim(self, due: Due) -> ReminderStatus | None:
        """Records the reminder before it is sent: None if it was recorded already
        (another instance, or before a restart), so it is never sent twice."""
        user = due.account.telegram_user_id
        held = self.schedule.held_out(user, due.step)
        status = ReminderStatus.HELD_OUT if held else ReminderStatus.CLAIMED
        async with self._store.transaction() as tx:
            claimed = await tx.reminders.claim(
                user, due.step.value, due.number, status.value, self.clock.now()
            )
        return status if claimed else None

    async def sent(self, user_id: int, step: Step, number: int) -> None:
        async with self._store.transaction() as tx:
            await tx.reminders.mark(
                user_id, step.value, number, ReminderStatus.SENT.value, self.clock.now()
            )

    async def retry_later(self, user_id: int, step: Step, number: int) -> None:
        async with self._store.transaction() as tx:
            await tx.reminders.mark(user_id, step.value, number, ReminderStatus.RETRY.value, None)

    async def retried(self) -> list[Due]:
        """Reminders that met a 429 or a 5xx a while ago, whose person is still at that
        step and wants them: taken for this pass (claimed again), so one pass sends."""
        now = self.clock.now()
        found: list[Due] = []
        async with self._store.transaction() as tx:
            for user, step_value, number in await tx.reminders.retries(now - RETRY_AFTER):
                step = Step(step_value)
                account = await tx.accounts.by_telegram_user(user)
                current = next_step(account, self._policy) if account is not None else None
                wanted = await tx.reminders.wanted(user)
                # Claimed again either way: sent now, or never (they moved on, or
                # turned reminders off meanwhile).
                await tx.reminders.mark(
                    user, step_value, number, ReminderStatus.CLAIMED.value, None, now
                )
                if account is not None and current is step and wanted:
                    found.append(Due(account, step, number, steps_left(account, self._policy)))
        return found

    async def blocked(self, user_id: int, step: Step, number: int) -> None:
        async with self._store.transaction() as tx:
            await tx.reminders.mark(user_id, step.value, number, ReminderStatus.BLOCKED.value, None)
            await tx.reminders.set_wanted(user_id, False, blocked=True, at=self.clock.now())

    async def set_wanted(self, user_id: int, wanted: bool) -> None:
        async with self._store.transaction() as tx:
            await tx.reminders.set_wanted(user_id, wanted, blocked=False, at=self.clock.now())

    async def wanted(self, user_id: int) -> bool:
        async with self._store.reading() as tx:
            return await tx.reminders.wanted(user_id)

    async def figures(self, since: datetime | None) -> list[ReminderRow]:
        """Per step and number: sent, and finished within 48 h of it; the same for the
        holdout (due, not sent)."""
        async with self._store.reading() as tx:
            reminders = await tx.reminders.since(since)
            finished: dict[int, datetime | None] = {}
            for reminder in reminders:
                if reminder.user_id not in finished:
                    account = await tx.accounts.by_telegram_user(reminder.user_id)
                    finished[reminder.user_id] = (
                        account.done_at(Step.ACTIVATION) if account else None
                    )
        rows: dict[tuple[Step, int], list[int]] = {}
        for reminder in reminders:
            counts = rows.setdefault((reminder.step, reminder.number), [0, 0, 0, 0])
            done = finished.get(reminder.user_id)
            moment = reminder.sent_at or reminder.claimed_at
            recovered = done is not None and moment <= done <= moment + RECOVERY_WINDOW
            if reminder.status is ReminderStatus.SENT:
                counts[0] += 1
                counts[1] += recovered
            elif reminder.status is ReminderStatus.HELD_OUT:
                counts[2] += 1
                counts[3] += recovered
        order = {step: i for i, step in enumerate(Step)}
        return [
            ReminderRow(step, number, *counts)
            for (step, number), counts in sorted(
                rows.items(), key=lambda r: (order[r[0][0]], r[0][1])
            )
        ]
