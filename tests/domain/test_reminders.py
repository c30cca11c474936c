"""R38-R40 as plain rules: when a reminder is due, the quiet hours across time zones and
midnight, the holdout, and the settings' words."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.reminders import (
    ReminderSchedule,
    ReminderSettingError,
    parse_after_hours,
    parse_quiet_hours,
)
from bot.domain.steps import Step

MOSCOW = ZoneInfo("Europe/Moscow")
STOPPED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def test_the_first_reminder_is_due_after_the_first_delay_and_the_second_after_the_next() -> None:
    schedule = ReminderSchedule()

    assert schedule.number_due(STOPPED, 0, STOPPED + timedelta(hours=23, minutes=59)) is None
    assert schedule.number_due(STOPPED, 0, STOPPED + timedelta(hours=24)) == 1
    assert schedule.number_due(STOPPED, 1, STOPPED + timedelta(hours=48)) is None
    assert schedule.number_due(STOPPED, 1, STOPPED + timedelta(hours=72)) == 2
    assert schedule.number_due(STOPPED, 2, STOPPED + timedelta(days=30)) is None  # no more


def test_quiet_hours_cross_midnight_and_a_night_reminder_waits_for_the_morning() -> None:
    schedule = ReminderSchedule(zone=MOSCOW)
    evening = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 21:00 in Moscow
    night = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 02:30 the next day in Moscow
    morning = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 10:00 in Moscow

    assert not schedule.is_quiet(evening - timedelta(minutes=1))
    assert schedule.is_quiet(evening)
    assert schedule.is_quiet(night)
    assert not schedule.is_quiet(morning)
    assert schedule.quiet_ends(evening) == morning
    assert schedule.quiet_ends(night) == morning
    assert schedule.quiet_ends(morning) == morning


def test_the_same_utc_moment_is_quiet_in_one_time_zone_and_not_in_another() -> None:
    moment = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)  # 22:00 Moscow, 02:00 Vladivostok+
    assert ReminderSchedule(zone=MOSCOW).is_quiet(moment)
    assert not ReminderSchedule(zone=ZoneInfo("America/New_York")).is_quiet(moment)  # 14:00


def test_quiet_hours_within_one_day_and_none_at_all() -> None:
    lunch = ReminderSchedule(quiet=(time(13, 0), time(14, 0)), zone=ZoneInfo("UTC"))
    assert lunch.is_quiet(datetime(2026, 12, 1, 13, 30, tzinfo=UTC))
    assert not lunch.is_quiet(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))
    assert not ReminderSchedule(quiet=None).is_quiet(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))


def test_the_holdout_is_stable_and_about_its_share() -> None:
    schedule = ReminderSchedule(holdout_percent=20)
    held = [schedule.held_out(user, Step.PHONE) for user in range(10_000)]

    assert held == [schedule.held_out(user, Step.PHONE) for user in range(10_000)]
    assert 1_800 < sum(held) < 2_200
    assert not any(ReminderSchedule().held_out(user, Step.PHONE) for user in range(1000))


def test_the_settings_words() -> None:
    assert parse_after_hours("24,72") == (timedelta(hours=24), timedelta(hours=72))
    assert parse_after_hours("0.5") == (timedelta(minutes=30),)
    assert parse_quiet_hours("21:00-10:00") == (time(21, 0), time(10, 0))
    assert parse_quiet_hours("") is None
    for bad in ("", "72,24", "24,24", "-1", "a day"):
        with pytest.raises(ReminderSettingError):
            parse_after_hours(bad)
    for bad in ("21:00", "21:00-21:00", "late-early"):
        with pytest.raises(ReminderSettingError):
            parse_quiet_hours(bad)
