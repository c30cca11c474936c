"""The support desk's records on both engines (issue 18, R35-R37): one topic per person
even when two instances race for it, one open request per person, and a message copied
once however often its update is delivered."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.domain.desk import DeskService, MessageRef
from storage.backend import Backend
from tests.storage.conftest import another_instance
from tests.support.fakes import FakeClock

PERSON = 501
DESK = -100123


async def test_two_instances_racing_for_a_topic_create_one(
    backend: Backend, clock: FakeClock, tmp_path: Path
) -> None:
    other = await another_instance(backend, tmp_path)
    try:
        first, second = DeskService(backend.store, clock), DeskService(other.store, clock)

        won = await asyncio.gather(*(d.reserve_topic(PERSON) for d in (first, second) * 3))

        assert sorted(won) == [False] * 5 + [True]
    finally:
        await other.close()


async def test_a_reservation_whose_instance_died_is_taken_over_later(
    backend: Backend, clock: FakeClock
) -> None:
    desk = DeskService(backend.store, clock)
    assert await desk.reserve_topic(PERSON)
    assert not await desk.reserve_topic(PERSON)

    clock.advance(120)

    assert await desk.reserve_topic(PERSON)
    await desk.topic_created(PERSON, 77)
    clock.advance(120)
    assert not await desk.reserve_topic(PERSON)  # a created topic is never taken over
    assert await desk.person_in(77) == PERSON


async def test_a_deleted_topic_is_forgotten_and_can_be_made_again(
    backend: Backend, clock: FakeClock
) -> None:
    desk = DeskService(backend.store, clock)
    assert await desk.reserve_topic(PERSON)
    await desk.topic_created(PERSON, 77)
    await desk.card_posted(PERSON, 9000)

    await desk.topic_gone(PERSON)

    assert await desk.topic(PERSON) is None
    assert await desk.person_in(77) is None
    assert await desk.reserve_topic(PERSON)


async def test_one_open_request_per_person_and_its_answer_and_close_are_timed(
    backend: Backend, clock: FakeClock
) -> None:
    desk = DeskService(backend.store, clock)
    first, new = await desk.open(PERSON)
    again, new_again = await desk.open(PERSON)
    assert new
    assert not new_again
    assert again.id == first.id

    clock.advance(240)
    await desk.answered(PERSON)
    clock.advance(240)
    await desk.answered(PERSON)  # only the first answer counts
    clock.advance(120)
    closed = await desk.close(PERSON)

    assert closed is not None
    assert closed.first_answer_at == first.opened_at + timedelta(minutes=4)
    assert closed.closed_at == first.opened_at + timedelta(minutes=10)
    assert await desk.request_of(PERSON) is None
    assert await desk.close(PERSON) is None
    later, new = await desk.open(PERSON)
    assert new
    assert later.id != first.id


async def test_going_back_to_the_registration_keeps_the_request_open(
    backend: Backend, clock: FakeClock
) -> None:
    desk = DeskService(backend.store, clock)
    await desk.open(PERSON)

    await desk.stop_talking(PERSON)

    request = await desk.request_of(PERSON)
    assert request is not None
    assert not request.talking
    reopened, _ = await desk.open(PERSON)
    assert reopened.talking


async def test_the_usual_wait_is_the_median_first_answer_of_the_last_week(
    backend: Backend, clock: FakeClock
) -> None:
    desk = DeskService(backend.store, clock)
    for person, minutes in ((1, 2), (2, 10), (3, 30)):
        await desk.open(person)
        clock.advance(60 * minutes)
        await desk.answered(person)
    await desk.open(4)  # not answered yet: not part of the median

    assert await desk.usual_wait() == timedelta(minutes=10)
    clock.advance(691200)
    assert await desk.usual_wait() is None
    figures = await desk.figures(None)
    assert (figures.opened, figures.answered) == (4, 3)
    assert figures.first_answer_p90 == timedelta(minutes=30)


async def test_a_message_is_claimed_once_and_a_lost_copy_is_due_again(
    backend: Backend, clock: FakeClock
) -> None:
    desk = DeskService(backend.store, clock)
    source = MessageRef(PERSON, 10)

    assert await desk.claim(source, DESK, to_person=False)
    assert not await desk.claim(source, DESK, to_person=False)  # redelivered
    assert await desk.due_copies() == []

    clock.advance(60)
    due = await desk.due_copies()
    assert [(d.source, d.target_chat_id, d.to_person) for d in due] == [(source, DESK, False)]
    assert await desk.due_copies() == []  # pushed back: not taken twice at once

    await desk.copied(source, 4321)
    clock.advance(60)
    assert await desk.due_copies() == []
    assert await desk.copy_of(source) == MessageRef(DESK, 4321)
