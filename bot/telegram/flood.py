"""R20: one person, however fast, never slows anyone else.

Each person's updates are counted as they arrive, before anything waits for that
person's turn (aiogram's per-person lock): polling and the webhook ask `admit` first.
Past FLOOD_MAX_EVENTS in FLOOD_WINDOW_SECONDS the update is acknowledged and dropped,
never processed and never holding back the polling offset, and the person gets one
notice per flood. So 300 messages at once cost 5 handled updates, and the 100 updates
that getUpdates hands out at a time are never one person's backlog.

Money is never dropped: a pre-checkout question and a payment always go through.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

from aiogram import Bot
from aiogram.types import CallbackQuery, Update, User

from bot.safe_logging import describe_exception
from bot.ui.texts import language_for, texts_for

log = logging.getLogger(__name__)

# Look for people whose window has passed once this many updates have arrived, or
# this many windows have gone by: memory stays bounded by the people of a few windows.
_SWEEP_EVERY = 10_000
_SWEEP_WINDOWS = 10


class FloodGate:
    def __init__(
        self,
        max_events: int = 5,
        per_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_events
        self._window = per_seconds
        self._clock = clock
        self._events: dict[int, deque[float]] = {}
        self._noticed: dict[int, float] = {}
        self._since_sweep = 0
        self._swept_at = clock()
        self._notices: set[asyncio.Task[None]] = set()
        self.dropped = 0

    def admit(self, update: Update, bot: Bot) -> bool:
        """True: handle it. False: it is dropped (and may be acknowledged at once)."""
        user = _sender(update)
        if user is None or _is_money(update):
            return True
        now = self._clock()
        self._since_sweep += 1
        if (
            self._since_sweep >= _SWEEP_EVERY
            or now - self._swept_at > _SWEEP_WINDOWS * self._window
        ):
            self._sweep(now)
        recent = self._events.setdefault(user.id, deque())
        while recent and now - recent[0] > self._window:
            recent.popleft()
        if len(recent) < self._max:
            recent.append(now)
            return True
        self.dropped += 1
        notify = self._noticed.get(user.id, float("-inf")) < recent[0]
        if notify:
            self._noticed[user.id] = now
        self._answer(bot, update, user, notify)
        return False

    @property
    def people(self) -> int:
        """How many people the gate remembers (for the memory test, R30)."""
        return len(self._events)

    def _sweep(self, now: float) -> None:
        """Forgets everyone whose last update is older than the window."""
        self._since_sweep = 0
        self._swept_at = now
        idle = [
            uid
            for uid, times in self._events.items()
            if not times or now - times[-1] > self._window
        ]
        for uid in idle:
            del self._events[uid]
            self._noticed.pop(uid, None)

    def _answer(self, bot: Bot, update: Update, user: User, notify: bool) -> None:
        """The notice, or a silent answer that stops a pressed button's spinner. Sent
        by a task of its own: nothing waits for it, and it waits for no one's turn."""
        query = update.callback_query
        if not notify and query is None:
            return
        task = asyncio.create_task(self._send(bot, user, query, notify))
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def _send(self, bot: Bot, user: User, query: CallbackQuery | None, notify: bool) -> None:
        text = texts_for(language_for(user.language_code))("flood_notice")
        try:
            if query is not None:
                await bot.answer_callback_query(query.id, text=text if notify else None)
            elif notify:
                await bot.send_message(user.id, text)
        except Exception as exc:
            log.info("flood notice not sent: %s", describe_exception(exc))

    async def settle(self) -> None:
        if self._notices:
            await asyncio.gather(*self._notices, return_exceptions=True)


def _sender(update: Update) -> User | None:
    try:
        event = update.event
    except Exception:  # an update of a kind this aiogram does not know
        return None
    user = getattr(event, "from_user", None)
    return user if isinstance(user, User) else None


def _is_money(update: Update) -> bool:
    if update.pre_checkout_query is not None:
        return True
    message = update.message
    return message is not None and message.successful_payment is not None
