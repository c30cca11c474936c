"""/watch (R18): the new records of a watched person, mirrored to the support staff who
watch them. Who watches whom is in the database, so a restart keeps it and every
instance mirrors the records it makes itself."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot

from bot.concurrency import run_until, sleep_or_stop
from bot.domain.conversation import LogEntry
from bot.domain.ports import ConversationLogRepository
from bot.safe_logging import describe_exception
from bot.support.display import format_entry
from bot.support.masking import unrecorded

log = logging.getLogger(__name__)

_RETRY_SECONDS = 5.0


class WatchMirror:
    def __init__(self, log_repository: ConversationLogRepository) -> None:
        self._repository = log_repository
        self._watched: dict[int, set[int]] = {}  # watched user -> support chats
        self._bot: Bot | None = None
        self._sends: set[asyncio.Task[None]] = set()
        # Set each time who is watched was read again from the database.
        self.reloaded = asyncio.Event()

    async def start(self, bot: Bot) -> None:
        """Loads who is watched; mirrored records are sent with `bot`."""
        self._bot = bot
        await self._load()

    async def _load(self) -> None:
        watched: dict[int, set[int]] = {}
        for support, person in (await self._repository.watches()).items():
            watched.setdefault(person, set()).add(support)
        self._watched = watched
        self.reloaded.set()

    def watchers_of(self, user_id: int) -> set[int]:
        """The support staff watching this person."""
        return set(self._watched.get(user_id, set()))

    async def follow(self, stop: asyncio.Event) -> None:
        """Keeps who is watched up to date when support staff on another instance
        start or stop watching."""
        while not stop.is_set():
            try:
                await run_until(stop, self._reload_on_change())
            except Exception as exc:
                log.warning("watches not followed: %s; retrying", describe_exception(exc))
                await sleep_or_stop(stop, _RETRY_SECONDS)

    async def _reload_on_change(self) -> None:
        # The first tick comes once listening has begun: what changed while nobody
        # was listening is read then.
        async for _ in self._repository.watches_changed():
            await self._load()

    async def watch(self, support_user_id: int, watched_user_id: int) -> None:
        await self._repository.watch(support_user_id, watched_user_id)
        for chats in self._watched.values():
            chats.discard(support_user_id)
        self._watched.setdefault(watched_user_id, set()).add(support_user_id)

    async def unwatch(self, support_user_id: int) -> int | None:
        watched = await self._repository.unwatch(support_user_id)
        for chats in self._watched.values():
            chats.discard(support_user_id)
        return watched

    def offer(self, entry: LogEntry) -> None:
        """A new record (the recorder's listener): sent on to whoever watches."""
        bot = self._bot
        chats = self._watched.get(entry.user_id or 0)
        if bot is None or not chats:
            return
        text = format_entry(entry)
        for chat_id in chats:
            if chat_id == entry.user_id:
                continue
            task = asyncio.create_task(self._send(bot, chat_id, text))
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)

    async def settle(self) -> None:
        """Waits for the mirrored messages in flight."""
        if self._sends:
            await asyncio.gather(*self._sends, return_exceptions=True)

    async def _send(self, bot: Bot, chat_id: int, text: str) -> None:
        with unrecorded():
            try:
                await bot.send_message(chat_id, text, parse_mode=None)
            except Exception as exc:
                log.warning("watch mirror not sent: %s", describe_exception(exc))
