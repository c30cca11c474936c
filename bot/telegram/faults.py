"""Telegram's faults, handled in one place: a middleware of the Bot's session (R15, R19).

- 429 Too Many Requests: wait `retry_after`, then send again.
- 403 Forbidden (the person blocked the bot): remember the chat and send it nothing
  more until the person writes again; no error loop of "something went wrong".
- "message is not modified", "message to delete not found": the wanted end state is
  already there; treated as done.
- Network errors and 5xx: retried with exponential backoff, a bounded number of times.
- Sending stays under Telegram's limits: about 30 messages a second overall and short
  bursts per chat (token buckets; waiting here only delays that one send).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    SendInvoice,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType

log = logging.getLogger(__name__)

_HARMLESS = (
    "message is not modified",
    "message to delete not found",
    "message can't be deleted",
    "message to edit not found",
)
_SENDS = (SendMessage, SendPhoto, SendInvoice, EditMessageText, EditMessageReplyMarkup)
MAX_RETRY_AFTER = 60.0


class RecipientBlocked(TelegramForbiddenError):
    """Not sent: this chat blocked the bot earlier (no request was made)."""


class TokenBucket:
    def __init__(self, rate: float, capacity: float, clock: Callable[[], float]) -> None:
        self._rate = rate
        self._capacity = capacity
        self._tokens = capacity
        self._clock = clock
        self._stamp = clock()

    @property
    def capacity(self) -> float:
        return self._capacity

    @property
    def rate(self) -> float:
        return self._rate

    def spare(self) -> float:
        """The tokens there are now, without taking one."""
        elapsed = self._clock() - self._stamp
        return min(self._capacity, self._tokens + elapsed * self._rate)

    def take(self) -> float:
        """Takes a token; returns how long to wait before using it (0: at once)."""
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self._rate


class TelegramFaultsMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        *,
        max_retries: int = 4,
        base_delay: float = 0.5,
        per_second: float = 30.0,
        per_chat_burst: float = 5.0,
        per_chat_per_second: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_retries = max_retries
        self._base_delay = base_delay
        self._sleep = sleep
        self._clock = clock
        self._global = TokenBucket(per_second, per_second, clock)
        self._per_chat_rate = per_chat_per_second
        self._per_chat_burst = per_chat_burst
        self._chats: dict[int, TokenBucket] = {}
        self.blocked: set[int] = set()
        # For /metrics: sends waiting for the pacing now, and seconds waited on 429s.
        self.waiting = 0
        self.retry_after_waited = 0.0

    async def background_turn(self) -> None:
        """Waits until a background message (a reminder) may go: while at least half
        of the overall budget is left, so that a reply to someone who is writing never
        waits behind a batch (R39). The message is then paced like any other."""
        reserve = self._global.capacity / 2
        while self._global.spare() < reserve + 1:
            await self._sleep(1 / self._global.rate)

    def unblock(self, chat_id: int) -> None:
        """The person wrote again: they have unblocked the bot."""
        self.blocked.discard(chat_id)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = getattr(method, "chat_id", None)
        chat = chat_id if isinstance(chat_id, int) else None
        if chat is not None and chat in self.blocked and isinstance(method, _SENDS):
            raise RecipientBlocked(
                method=cast(TelegramMethod[object], method),
                message="Forbidden: bot was blocked by the user",
            )
        if isinstance(method, _SENDS):
            await self._pace(chat)
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                wait = min(float(exc.retry_after), MAX_RETRY_AFTER)
                log.warning("Telegram asks to wait %ss (%s)", wait, method.__api_method__)
                self.retry_after_waited += wait
                error: Exception = exc
                delay = wait
            except TelegramForbiddenError:
                if chat is not None:
                    self.blocked.add(chat)
                    log.info("chat %s blocked the bot; not sending to it any more", chat)
                raise
            except TelegramBadRequest as exc:
                if any(text in exc.message.lower() for text in _HARMLESS):
                    # The wanted end state is there already; these methods return True.
                    return cast(Response[TelegramType], True)
                raise
            except (TelegramNetworkError, TelegramServerError) as exc:
                error, delay = exc, self._base_delay * 2**attempt
            attempt += 1
            if attempt > self._max_retries:
                raise error
            await self._sleep(delay)

    async def _pace(self, chat: int | None) -> None:
        wait = self._global.take()
        if chat is not None:
            bucket = self._chats.get(chat)
            if bucket is None:
                if len(self._chats) > 10_000:
                    self._chats.clear()  # old chats' buckets are full anyway
                bucket = self._chats[chat] = TokenBucket(
                    self._per_chat_rate, self._per_chat_burst, self._clock
                )
            wait = max(wait, bucket.take())
        if wait > 0:
            self.waiting += 1
            try:
                await self._sleep(wait)
            finally:
                self.waiting -= 1
