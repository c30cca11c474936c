"""The support desk's topics, requests and copies (issue 18, R35-R37)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.desk import DeskTopic, MessageRef, PendingCopy, SupportRequest
from storage.sql import Connection, Row

_REQUEST = (
    "SELECT id, telegram_user_id, opened_at, first_answer_at, closed_at, talking"
    " FROM support_requests"
)


class SqlDesk:
    def __init__(self, db: Connection) -> None:
        self._db = db

    def _request(self, row: Row) -> SupportRequest:
        return SupportRequest(
            id=int(row["id"]),
            user_id=int(row["telegram_user_id"]),
            opened_at=self._db.time(row["opened_at"]),
            first_answer_at=self._db.time_or_none(row["first_answer_at"]),
            closed_at=self._db.time_or_none(row["closed_at"]),
            talking=bool(row["talking"]),
        )

    # -- topics ------------------------------------------------------------------------
    async def reserve_topic(self, telegram_user_id: int, now: datetime, stale: datetime) -> bool:
        # The primary key lets one instance in; a reservation that never became a topic
        # (its instance died) is taken over once it is stale.
        reserved = await self._db.fetchval(
            "INSERT INTO desk_topics (telegram_user_id, reserved_at) VALUES (?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET reserved_at = excluded.reserved_at"
            " WHERE desk_topics.thread_id IS NULL AND desk_topics.reserved_at < ?"
            " RETURNING telegram_user_id",
            telegram_user_id,
            now,
            stale,
        )
        return reserved is not None

    async def topic(self, telegram_user_id: int) -> DeskTopic | None:
        row = await self._db.fetchrow(
            "SELECT telegram_user_id, thread_id, card_message_id FROM desk_topics"
            " WHERE telegram_user_id = ?",
            telegram_user_id,
        )
        if row is None:
            return None
        return DeskTopic(
            user_id=int(row["telegram_user_id"]),
            thread_id=None if row["thread_id"] is None else int(row["thread_id"]),
            card_message_id=(
                None if row["card_message_id"] is None else int(row["card_message_id"])
            ),
        )

    async def set_topic(self, telegram_user_id: int, thread_id: int) -> None:
        await self._db.execute(
            "UPDATE desk_topics SET thread_id = ?, card_message_id = NULL"
            " WHERE telegram_user_id = ?",
            thread_id,
            telegram_user_id,
        )

    async def set_card(self, telegram_user_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE desk_topics SET card_message_id = ? WHERE telegram_user_id = ?",
            message_id,
            telegram_user_id,
        )

    async def forget_topic(self, telegram_user_id: int) -> None:
        await self._db.execute(
            "DELETE FROM desk_topics WHERE telegram_user_id = ?", telegram_user_id
        )

    async def person_in(self, thread_id: int) -> int | None:
        found = await self._db.fetchval(
            "SELECT telegram_user_id FROM desk_topics WHERE thread_id = ?", thread_id
        )
        return None if found is None else int(found)

    # -- requests ----------------------------------------------------------------------
    async def open_request(self, telegram_user_id: int, now: datetime) -> SupportRequest:
        # One open request per person (a partial unique index): a second "talk to a
        # person" finds the open one and talks again.
        row = await self._db.fetchrow(
            "INSERT INTO support_requests (telegram_user_id, opened_at, talking)"
            " VALUES (?, ?, ?)"
            " ON CONFLICT (telegram_user_id) WHERE closed_at IS NULL"
            " DO UPDATE SET talking = excluded.talking"
            " RETURNING id, telegram_user_id, opened_at, first_answer_at, closed_at, talking",
            telegram_user_id,
            now,
            True,
        )
        assert row is not None  # an upsert always returns its row
        return self._request(row)

    async def open_request_of(self, telegram_user_id: int) -> SupportRequest | None:
        row = await self._db.fetchrow(
            _REQUEST + " WHERE telegram_user_id = ? AND closed_at IS NULL", telegram_user_id
        )
        return None if row is None else self._request(row)

    async def set_talking(self, telegram_user_id: int, talking: bool) -> None:
        await self._db.execute(
            "UPDATE support_requests SET talking = ?"
            " WHERE telegram_user_id = ? AND closed_at IS NULL",
            talking,
            telegram_user_id,
        )

    async def answered(self, telegram_user_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE support_requests SET first_answer_at = ?"
            " WHERE telegram_user_id = ? AND closed_at IS NULL AND first_answer_at IS NULL",
            now,
            telegram_user_id,
        )

    async def close(self, telegram_user_id: int, now: datetime) -> SupportRequest | None:
        row = await self._db.fetchrow(
            "UPDATE support_requests SET closed_at = ?, talking = ?"
            " WHERE telegram_user_id = ? AND closed_at IS NULL"
            " RETURNING id, telegram_user_id, opened_at, first_answer_at, closed_at, talking",
            now,
            False,
            telegram_user_id,
        )
        return None if row is None else self._request(row)

    async def open_requests(self) -> list[SupportRequest]:
        rows = await self._db.fetch(_REQUEST + " WHERE closed_at IS NULL ORDER BY opened_at")
        return [self._request(r) for r in rows]

    async def requests_since(self, since: datetime | None) -> list[SupportRequest]:
        if since is None:
            rows = await self._db.fetch(_REQUEST + " ORDER BY opened_at")
        else:
            rows = await self._db.fetch(
                _REQUEST + " WHERE opened_at >= ? ORDER BY opened_at", since
            )
        return [self._request(r) for r in rows]

    # -- copies ------------------------------------------------------------------------
    async def claim_copy(
        self, source: MessageRef, target_chat_id: int, to_person: bool, now: datetime
    ) -> bool:
        claimed = await self._db.fetchval(
            "INSERT INTO desk_copies (source_chat_id, source_message_id, target_chat_id,"
            " to_person, claimed_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (source_chat_id, source_message_id) DO NOTHING"
            " RETURNING source_message_id",
            source.chat_id,
            source.message_id,
            target_chat_id,
            to_person,
            now,
        )
        return claimed is not None

    async def copied(self, source: MessageRef, copy_message_id: int) -> None:
        await self._db.execute(
            "UPDATE desk_copies SET copy_message_id = ?"
            " WHERE source_chat_id = ? AND source_message_id = ?",
            copy_message_id,
            source.chat_id,
            source.message_id,
        )

    async def copy_of(self, source: MessageRef) -> MessageRef | None:
        row = await self._db.fetchrow(
            "SELECT target_chat_id, copy_message_id FROM desk_copies"
            " WHERE source_chat_id = ? AND source_message_id = ? AND copy_message_id IS NOT NULL",
            source.chat_id,
            source.message_id,
        )
        if row is None:
            return None
        return MessageRef(int(row["target_chat_id"]), int(row["copy_message_id"]))

    async def pending_copies(self, claimed_before: datetime, limit: int) -> list[PendingCopy]:
        rows = await self._db.fetch(
            "SELECT source_chat_id, source_message_id, target_chat_id, to_person"
            " FROM desk_copies WHERE copy_message_id IS NULL AND claimed_at < ?"
            " ORDER BY claimed_at LIMIT ?",
            claimed_before,
            limit,
        )
        return [
            PendingCopy(
                source=MessageRef(int(r["source_chat_id"]), int(r["source_message_id"])),
                target_chat_id=int(r["target_chat_id"]),
                to_person=bool(r["to_person"]),
            )
            for r in rows
        ]

    async def retry_copy(self, source: MessageRef, now: datetime) -> None:
        await self._db.execute(
            "UPDATE desk_copies SET claimed_at = ?"
            " WHERE source_chat_id = ? AND source_message_id = ?",
            now,
            source.chat_id,
            source.message_id,
        )
