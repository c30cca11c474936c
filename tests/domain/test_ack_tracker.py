"""R19: the polling offset never moves past an update that is still being processed."""

from __future__ import annotations

from bot.runtime.polling import AckTracker


def test_nothing_is_acknowledged_before_the_first_update_finishes() -> None:
    tracker = AckTracker()
    tracker.started(10)
    assert tracker.offset is None


def test_the_offset_moves_past_a_finished_update() -> None:
    tracker = AckTracker()
    tracker.started(10)
    tracker.finished(10)
    assert tracker.offset == 11


def test_a_slow_older_update_holds_the_offset_back_until_it_finishes() -> None:
    tracker = AckTracker()
    for update_id in (10, 11, 12):
        tracker.started(update_id)
    tracker.finished(11)
    tracker.finished(12)
    assert tracker.offset is None, "update 10 is still in flight"
    assert tracker.is_known(11), "a finished update is not run twice"
    assert tracker.is_known(12)

    tracker.finished(10)
    assert tracker.offset == 13


def test_updates_below_the_offset_count_as_known() -> None:
    tracker = AckTracker()
    tracker.started(5)
    tracker.finished(5)
    assert tracker.is_known(4)
    assert not tracker.is_known(6)
