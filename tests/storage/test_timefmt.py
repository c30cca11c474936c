"""Times in the database: one fixed-width UTC text, read back as the same instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.sqlite.timefmt import _FORMAT, from_db, to_db

moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(moments, offsets)
def test_a_time_is_written_as_fixed_width_utc_and_read_back_as_the_same_instant(
    moment: datetime, offset: timezone
) -> None:
    text = to_db(moment.astimezone(offset))
    assert text == moment.strftime(_FORMAT)
    assert len(text) == len("2026-11-27T21:55:44.000000Z")
    back = from_db(text)
    assert back == moment
    assert back.utcoffset() == timedelta(0)


@given(moments, moments)
def test_text_order_is_time_order(first: datetime, second: datetime) -> None:
    assert (to_db(first) < to_db(second)) == (first < second)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db(datetime(2026, 11, 27, 12, 0))  # naive: the point of the test
