"""One text form for times in SQLite: fixed width, UTC, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored: every time is UTC")
    # isoformat with a fixed timespec gives the same text as _FORMAT, several times
    # faster than strftime (a few of these per update, issue 8).
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def from_db(text: str) -> datetime:
    # fromisoformat reads _FORMAT (the Z included) about ten times faster than
    # strptime; the result is the same aware UTC time.
    return datetime.fromisoformat(text)


def from_db_optional(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)
