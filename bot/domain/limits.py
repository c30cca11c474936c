"""R22, R23: limits on what costs money or reaches another person, per window of time.

Each limit has a scope (what is counted: SMS per account, per number, all SMS; emails
per account), the subject it is counted for, and a window: a calendar day in the
bot's time zone (so "5 a day" starts again at midnight where the people are) or an
hour. The database takes one unit at a time with a conditional update, so several
instances together never go past a limit (storage/repositories/limits.py).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.policy import Policy

if TYPE_CHECKING:
    from bot.domain.ports import Transaction

log = logging.getLogger(__name__)


class Quota(enum.Enum):
    SMS_PER_ACCOUNT = "sms_account"  # per day
    SMS_PER_PHONE = "sms_phone"  # per day, across all accounts
    SMS_BUDGET = "sms_all"  # per hour, the whole bot
    EMAIL_PER_ACCOUNT = "email_account"  # per day
    # R43: the dashboard's login links and replies, per staff member and hour.
    DASHBOARD_LINKS = "dashboard_links"
    DASHBOARD_REPLIES = "dashboard_replies"


# R43: login links a staff member may ask for in an hour, and replies they may send
# from the dashboard in an hour.
DASHBOARD_LINKS_PER_HOUR = 10
DASHBOARD_REPLIES_PER_HOUR = 120
_HOURLY = {Quota.SMS_BUDGET, Quota.DASHBOARD_LINKS, Quota.DASHBOARD_REPLIES}


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime


def day_window(now: datetime, zone: ZoneInfo) -> Window:
    """The calendar day around `now` in `zone`, as UTC times (days of 23 or 25 hours
    where the zone changes its clocks are what they are)."""
    local = now.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=1)).replace(tzinfo=zone)
    # Re-anchored on the zone after adding a day, so a clock change is respected.
    end = datetime(end.year, end.month, end.day, tzinfo=zone)
    return Window(start.astimezone(now.tzinfo), end.astimezone(now.tzinfo))


def hour_window(now: datetime) -> Window:
    start = now.replace(minute=0, second=0, microsecond=0)
    return Window(start, start + timedelta(hours=1))


class LimitReached(Exception):
    """A limit has no units left in its window: try again from `retry_at`."""

    def __init__(self, quota: Quota, retry_at: datetime) -> None:
        super().__init__(quota.value)
        self.quota = quota
        self.retry_at = retry_at


class Limits:
    """Takes and gives back units of the limits, inside the caller's unit of work."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._zone = ZoneInfo(policy.timezone)
        self._budget_reported: datetime | None = None

    def limit(self, quota: Quota) -> int:
        policy = self._policy
        return {
            Quota.SMS_PER_ACCOUNT: policy.sms_per_account_per_day,
            Quota.SMS_PER_PHONE: policy.sms_per_phone_per_day,
            Quota.SMS_BUDGET: policy.sms_per_hour,
            Quota.EMAIL_PER_ACCOUNT: policy.emails_per_account_per_day,
            Quota.DASHBOARD_LINKS: DASHBOARD_LINKS_PER_HOUR,
            Quota.DASHBOARD_REPLIES: DASHBOARD_REPLIES_PER_HOUR,
        }[quota]

    def window(self, quota: Quota, now: datetime) -> Window:
        if quota in _HOURLY:
            return hour_window(now)
        return day_window(now, self._zone)

    async def take(self, tx: Transaction, quota: Quota, subject: str, now: datetime) -> None:
        """One unit, or LimitReached (the caller's transaction is then rolled back, so
        the units it took before are given back with it)."""
        window = self.window(quota, now)
        if await tx.quotas.take(quota, subject, window, self.limit(quota)):
            return
        if quota is Quota.SMS_BUDGET and self._budget_reported != window.starts_at:
            # For the operator: people are being refused SMS, whoever they are.
            self._budget_reported = window.starts_at
            log.error(
                "the SMS budget of %s an hour is used up; SMS are refused until %s UTC"
                " (SMS_PER_HOUR)",
                self.limit(quota),
                f"{window.ends_at:%H:%M}",
            )
        raise LimitReached(quota, window.ends_at)

    async def give_back(self, tx: Transaction, quota: Quota, subject: str, now: datetime) -> None:
        """A unit taken at `now` for something that did not happen (a delivery that
        failed)."""
        await tx.quotas.give_back(quota, subject, self.window(quota, now))
