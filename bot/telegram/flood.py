"""R20: one person, however fast, never slows anyone else.

Each person's updates are counted before anything waits for that person's turn
(aiogram's per-person lock): polling and the webhook ask `admit` first. Past
FLOOD_MAX_EVENTS in FLOOD_WINDOW_SECONDS the update is acknowledged and dropped,
never processed and never holding back the polling offset, and the person gets one
notice per flood. So 300 messages at once cost 5 handled updates, and the 100 updates
that getUpdates hands out at a time are never one person's backlog.

A message counts at the moment the person sent it (Telegram's `date`, or `edit_date`
for an edit), not when it reaches the bot: what someone typed calmly while the bot
was restarting, or what Telegram delivers late, arrives as one batch but was never a
flood, and is answered in order. Telegram sets those dates; a person cannot. Button
presses and other updates carry no date and count when they arrive, by the `Clock`,
on a timeline of their own: a clock a little off Telegram's can neither merge the two
into a false flood nor let one hide the other.

Money is never dropped: a pre-checkout question and a payment always go through.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime

from aiogram import Bot
from aiogram.types import CallbackQuery, Update, User

from bot.domain.clock import Clock, SystemClock
from bot.safe_logging import describe_exception
from bot.ui.texts import language_for, texts_for

log = logging.getLogger(__name__)

# Look for people whose window has passed once this many updates have arrived, or
# this many windows have gone by: memory stays bounded by the people of a few windows.
_SWEEP_EVERY = 10_000
_SWEEP_WINDOWS = 10


class FloodGate:
    def __init__(
        self, max_events: int = 5, per_seconds: float = 2.0, clock: Clock | None = None
    ) -> None:
        self._max = max_events
        self._window = per_seconds
        self._clock: Clock = clock or SystemClock()
        # Per person and timeline (sent: messages by their date; arrived: the rest),
        # the moments of the updates admitted within the last window of that timeline.
        self._events: dict[tuple[int, bool], deque[float]] = {}
        self._noticed: dict[tuple[int, bool], float] = {}
        self._since_sweep = 0
        self._swept_at = self._now()
        self._notices: set[asyncio.Task[None]] = set()
        self.dropped = 0

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def admit(self, update: Update, bot: Bot) -> bool:
        """True: handle it. False: it is dropped (and may be acknowledged at once)."""
        user = _sender(update)
        if user is None or _is_money(update):
            return True
        now = self._now()
        self._since_sweep += 1
        if (
            self._since_sweep >= _SWEEP_EVERY
            or now - self._swept_at > _SWEEP_WINDOWS * self._window
        ):
            self._sweep(now)
        sent = _sent_at(update)
        moment = now if sent is None else sent.timestamp()
        key = (user.id, sent is not None)
        recent = self._events.setdefault(key, deque())
        # Within one timeline the moments come in order; one a little out of order (a
        # date is whole seconds) is counted with the others rather than trusted.
        moment = max(moment, recent[-1]) if recent else moment
        while recent and moment - recent[0] >= self._window:
            recent.popleft()
        if len(recent) < self._max:
            recent.append(moment)
            return True
        self.dropped += 1
        notify = self._noticed.get(key, float("-inf")) < recent[0]
        if notify:
            self._noticed[key] = moment
        self._answer(bot, update, user, notify)
        return False

    @property
    def people(self) -> int:
        """How many people the gate remembers (for the memory test, R30)."""
        return len({user_id for user_id, _ in self._events})

    def _sweep(self, now: float) -> None:
        """Forgets everyone whose last update is older than the window."""
        self._since_sweep = 0
        self._swept_at = now
        idle = [
            key
            for key, times in self._events.items()
            if not times or now - times[-1] > self._window
        ]
        for key in idle:
            del self._events[key]
            self._noticed.pop(key, None)

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


def _sent_at(update: Update) -> datetime | None:
    """When the person sent it, as Telegram says; None for what carries no such date."""
    edited = update.edited_message
    if edited is not None and edited.edit_date is not None:
        return datetime.fromtimestamp(edited.edit_date, tz=edited.date.tzinfo)
    message = update.message
    return message.date if message is not None else None


def _is_money(update: Update) -> bool:
    if update.pre_checkout_query is not None:
        return True
    message = update.message
    return message is not None and message.successful_payment is not None
