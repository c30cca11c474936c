"""Reminders on both engines (issue 19, R38, R40): who is due, once per person, step
and number even with two instances, and the figures stats shows."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import Services
from bot.domain.reminders import ReminderSchedule, ReminderService, ReminderStatus
from bot.domain.steps import Step
from storage.backend import Backend
from tests.conftest import GOOD_PASSWORD, link_in
from tests.storage.conftest import another_instance
from tests.support.fakes import EmailOutbox, FakeClock

HOUR = 3600


async def signed_up(services: Services, user: int) -> None:
    await services.signup.create_account(user, f"u{user}@corp.example", GOOD_PASSWORD, "en")


def awake(clock: FakeClock) -> None:
    """Moves the clock out of the quiet hours (it starts on a Moscow morning or not)."""
    while services_schedule.is_quiet(clock.now()):
        clock.advance(HOUR)


services_schedule = ReminderSchedule()


async def test_a_person_who_stopped_is_due_once_per_number(
    services: Services, clock: FakeClock
) -> None:
    await signed_up(services, 1)
    reminders = services.reminders
    clock.advance(23 * HOUR)
    awake(clock)
    assert [d.number for d in await reminders.due()] in ([], [1])

    clock.advance(25 * HOUR)
    awake(clock)
    (due,) = await reminders.due()
    assert (due.step, due.number) == (Step.EMAIL, 1)
    assert due.left == [Step.EMAIL, Step.PHONE, Step.CARD, Step.ACTIVATION]
    assert await reminders.claim(due) is ReminderStatus.CLAIMED
    assert await reminders.claim(due) is None  # recorded: never sent twice
    assert await reminders.due() == []

    clock.advance(72 * HOUR)
    awake(clock)
    (second,) = await reminders.due()
    assert second.number == 2


async def test_two_instances_claim_one_reminder_once(
    services: Services, backend: Backend, clock: FakeClock, tmp_path: Path
) -> None:
    await signed_up(services, 1)
    clock.advance(30 * HOUR)
    awake(clock)
    (due,) = await services.reminders.due()
    other = await another_instance(backend, tmp_path)
    try:
        theirs = ReminderService(
            other.store,
            other.conversation_log,
            services.registration.policy,
            clock,
            ReminderSchedule(),
        )
        won = await asyncio.gather(*(r.claim(due) for r in (services.reminders, theirs) * 3))
        assert sorted(w is not None for w in won) == [False] * 5 + [True]
    finally:
        await other.close()


async def test_nobody_who_turned_them_off_asked_for_help_or_blocked_the_bot_is_due(
    services: Services, clock: FakeClock
) -> None:
    for user in (1, 2, 3, 4):
        await signed_up(services, user)
    await services.reminders.set_wanted(1, False)
    await services.desk.service.open(2)
    clock.advance(30 * HOUR)
    awake(clock)
    due = {d.account.telegram_user_id: d for d in await services.reminders.due()}
    assert set(due) == {3, 4}
    await services.reminders.claim(due[3])
    await services.reminders.blocked(3, due[3].step, due[3].number)

    clock.advance(72 * HOUR)
    awake(clock)
    assert {d.account.telegram_user_id for d in await services.reminders.due()} == {4}
    await services.reminders.set_wanted(1, True)
    assert 1 in {d.account.telegram_user_id for d in await services.reminders.due()}


async def test_nothing_is_due_in_the_quiet_hours(services: Services, clock: FakeClock) -> None:
    await signed_up(services, 1)
    clock.advance(30 * HOUR)
    while not services_schedule.is_quiet(clock.now()):
        clock.advance(HOUR)

    assert await services.reminders.due() == []


async def test_a_retried_reminder_goes_once_and_not_to_who_moved_on(
    services: Services, outbox: EmailOutbox, clock: FakeClock
) -> None:
    await signed_up(services, 1)
    await signed_up(services, 2)
    clock.advance(30 * HOUR)
    awake(clock)
    for due in await services.reminders.due():
        await services.reminders.claim(due)
        await services.reminders.retry_later(due.account.telegram_user_id, due.step, due.number)
    # Person 2 confirms the email meanwhile (a fresh link).
    await services.signup.resend_confirmation(2, "en")
    await services.signup.confirm_email(2, link_in(outbox.sent[-1]))

    assert await services.reminders.retried() == []  # not yet: five minutes
    clock.advance(600)
    retried = await services.reminders.retried()
    assert [d.account.telegram_user_id for d in retried] == [1]
    assert await services.reminders.retried() == []


async def one_reminder_sent(services: Services, clock: FakeClock) -> None:
    """Person 1 signed up, stopped, and got the first reminder at the email step."""
    await signed_up(services, 1)
    clock.advance(30 * HOUR)
    awake(clock)
    (due,) = await services.reminders.due()
    await services.reminders.claim(due)
    await services.reminders.sent(1, due.step, due.number)


async def test_the_figures_count_reminders_that_brought_people_back_and_the_holdout(
    services: Services, clock: FakeClock
) -> None:
    await one_reminder_sent(services, clock)

    rows = await services.reminders.figures(None)

    assert [(r.step, r.number, r.sent, r.recovered, r.held_out) for r in rows] == [
        (Step.EMAIL, 1, 1, 0, 0)
    ]


async def test_stats_prints_reminders_per_step_and_number(
    services: Services, backend: Backend, clock: FakeClock
) -> None:
    import argparse

    from bot.support.cli import run_stats
    from tests.storage.conftest import settings_of

    await one_reminder_sent(services, clock)

    out: list[str] = []
    await run_stats(settings_of(backend), argparse.Namespace(since=None), out.append)

    assert out[-2:] == [
        "Reminders all time:",
        "  email #1: sent 1, finished within 48 h 0; held out 0, of whom finished within 48 h 0",
    ]


async def test_the_funnel_totals_for_metrics_count_each_step_done(
    services: Services, backend: Backend, outbox: EmailOutbox
) -> None:
    await signed_up(services, 1)
    await signed_up(services, 2)
    await services.signup.confirm_email(2, link_in(outbox.sent[-1]))

    async with backend.store.reading() as tx:
        done = await tx.accounts.steps_done()

    assert done[Step.SIGN_UP] == 2
    assert done[Step.EMAIL] == 1
    assert done[Step.PHONE] == 0
