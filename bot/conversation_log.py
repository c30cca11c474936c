"""R18: recording every message in and out, with secrets masked as they are recorded.

Incoming updates are recorded by an outer middleware (before any handler runs, so a
crash still leaves the input on record); outgoing Bot API calls by a middleware of the
Bot's session (after Telegram accepted them). No handler has to remember to log.

Records go to an in-memory buffer that a background task writes in batches: logging
never fails a reply and never makes one wait for the disk. If a write fails the batch
is kept and tried again; the Python log says so, without any of the texts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.fsm.context import FSMContext
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerPreCheckoutQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    SendInvoice,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    TelegramObject,
    Update,
    User,
)

from bot import event_loop
from bot.domain.clock import Clock
from bot.domain.conversation import Direction, LogEntry, masked
from bot.domain.ports import ConversationLogRepository
from bot.safe_logging import describe_exception
from bot.texts import plain
from states import ApiAccess, Registration

log = logging.getLogger(__name__)

# R18: what a person sends at these steps is a secret, whatever it looks like.
SECRET_INPUT_STEPS: dict[str | None, str] = {
    Registration.password.state: "password",
    Registration.sms_code.state: "SMS code",
    ApiAccess.setup_code.state: "TOTP code",
    ApiAccess.code_to_switch_on.state: "TOTP or backup code",
    ApiAccess.code_to_switch_off.state: "TOTP or backup code",
}
# Right after the password: a second copy of it (sent twice, or sent again because
# the first seemed lost) arrives here. Text is masked at this step; commands are kept.
MAYBE_SECRET_STEPS: dict[str | None, str] = {
    Registration.awaiting_email_link.state: "text while waiting for the email link",
}
_MAX_TEXT = 4096
_WATCH_RETRY_SECONDS = 5.0
_MEDIA = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "location",
    "venue",
    "poll",
    "dice",
)

# The update being handled: whose it is and their FSM state, for outgoing records.
_current_user: ContextVar[int | None] = ContextVar("log_current_user", default=None)
_current_state: ContextVar[FSMContext | None] = ContextVar("log_current_state", default=None)
# Set around a reply that carries a secret: it is recorded as a mask with this name.
_sensitive: ContextVar[str | None] = ContextVar("log_sensitive", default=None)
# Set around sends that must not be recorded (the mirror of a watched conversation).
_unrecorded: ContextVar[bool] = ContextVar("log_unrecorded", default=False)


@contextlib.contextmanager
def sensitive_reply(what: str) -> Iterator[None]:
    """Messages sent inside are recorded as a mask (`what` names the secret): the flag
    comes from the code that knows the text is secret, not from a pattern afterwards."""
    token = _sensitive.set(what)
    try:
        yield
    finally:
        _sensitive.reset(token)


@contextlib.contextmanager
def unrecorded() -> Iterator[None]:
    token = _unrecorded.set(True)
    try:
        yield
    finally:
        _unrecorded.reset(token)


class ConversationRecorder:
    def __init__(
        self,
        log_repository: ConversationLogRepository,
        clock: Clock,
        *,
        flush_seconds: float = 0.2,
        max_buffer: int = 20_000,
    ) -> None:
        self._repository = log_repository
        self._clock = clock
        self._flush_seconds = flush_seconds
        self._max_buffer = max_buffer
        self._buffer: list[LogEntry] = []
        self._write_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._watched: dict[int, set[int]] = {}  # watched user -> support chats
        self._bot: Bot | None = None
        self._mirrors: set[asyncio.Task[None]] = set()
        # Set each time who is watched was read again from the database.
        self.watches_reloaded = asyncio.Event()

    @property
    def clock(self) -> Clock:
        return self._clock

    async def start(self, bot: Bot) -> None:
        """Loads who is watched; mirrored records are sent with `bot`."""
        self._bot = bot
        await self._load_watches()

    async def _load_watches(self) -> None:
        watched: dict[int, set[int]] = {}
        for support, person in (await self._repository.watches()).items():
            watched.setdefault(person, set()).add(support)
        self._watched = watched
        self.watches_reloaded.set()

    def watchers_of(self, user_id: int) -> set[int]:
        """The support staff watching this person."""
        return set(self._watched.get(user_id, set()))

    async def follow_watches(self, stop: asyncio.Event) -> None:
        """Keeps who is watched up to date when support staff on another instance
        start or stop watching (each instance mirrors the records it writes itself)."""
        while not stop.is_set():
            try:
                await event_loop.run_until(stop, self._reload_on_change())
            except Exception as exc:
                log.warning("watches not followed: %s; retrying", describe_exception(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), _WATCH_RETRY_SECONDS)

    async def _reload_on_change(self) -> None:
        # The first tick comes once listening has begun: what changed while nobody
        # was listening is read then.
        async for _ in self._repository.watches_changed():
            await self._load_watches()

    def record(self, entry: LogEntry) -> None:
        if len(self._buffer) >= self._max_buffer:
            # The database has been unwritable for a long time: keep the newest.
            del self._buffer[: len(self._buffer) // 10]
            log.warning("conversation log buffer full; oldest records dropped")
        self._buffer.append(entry)
        if entry.user_id is not None and entry.user_id in self._watched:
            self._mirror(entry)

    async def flush(self) -> None:
        """Writes what is buffered. Never raises: a failed batch stays for the next try."""
        async with self._write_lock:
            batch, self._buffer = self._buffer, []
            if not batch:
                return
            try:
                await self._repository.write(batch)
            except Exception as exc:
                log.warning("conversation log not written: %s", describe_exception(exc))
                self._buffer[:0] = batch

    async def settle(self) -> None:
        """Waits for the watch mirrors in flight, then writes everything buffered."""
        if self._mirrors:
            await asyncio.gather(*self._mirrors, return_exceptions=True)
        await self.flush()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._flush_seconds)
            await self.flush()
        await self.settle()

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

    def _mirror(self, entry: LogEntry) -> None:
        bot = self._bot
        if bot is None:
            return
        text = format_entry(entry)
        for chat_id in self._watched.get(entry.user_id or 0, set()):
            if chat_id == entry.user_id:
                continue
            task = asyncio.create_task(self._send_mirror(bot, chat_id, text))
            self._mirrors.add(task)
            task.add_done_callback(self._mirrors.discard)

    async def _send_mirror(self, bot: Bot, chat_id: int, text: str) -> None:
        with unrecorded():
            try:
                await bot.send_message(chat_id, text, parse_mode=None)
            except Exception as exc:
                log.warning("watch mirror not sent: %s", describe_exception(exc))


def format_entry(entry: LogEntry) -> str:
    """One record as support staff read it: one line, so that it can be grepped."""
    arrow = "→ bot" if entry.direction is Direction.IN else "← bot"
    step = (entry.step or "no step").removeprefix("Registration:")
    text = entry.text.replace("\n", " ↵ ")
    return f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.user_id} {arrow} [{entry.kind}, {step}] {text}"


class IncomingLogMiddleware(BaseMiddleware):
    """Outer middleware on updates: records the input before any handler sees it."""

    def __init__(self, recorder: ConversationRecorder) -> None:
        self._recorder = recorder

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        user_token = _current_user.set(user.id if user else None)
        state_token = _current_state.set(data.get("state"))
        try:
            if isinstance(event, Update):
                try:
                    entry = describe_update(event, data.get("raw_state"), self._recorder)
                    if entry is not None:
                        self._recorder.record(entry)
                except Exception as exc:  # the log must never stop the conversation
                    log.warning("update not recorded: %s", describe_exception(exc))
            return await handler(event, data)
        finally:
            _current_state.reset(state_token)
            _current_user.reset(user_token)


class OutgoingLogMiddleware(BaseRequestMiddleware):
    """Bot session middleware: records what Telegram accepted to show the person."""

    def __init__(self, recorder: ConversationRecorder) -> None:
        self._recorder = recorder

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if not _unrecorded.get():
            try:
                entry = await describe_method(method, self._recorder)
                if entry is not None:
                    self._recorder.record(entry)
            except Exception as exc:
                log.warning("reply not recorded: %s", describe_exception(exc))
        return response


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def _message_input(message: Message, step: str | None) -> tuple[str, str]:
    """(kind, text) of what a person sent."""
    if message.text is not None:
        secret = SECRET_INPUT_STEPS.get(step)
        if secret is not None:
            return "text", masked(secret)
        maybe = MAYBE_SECRET_STEPS.get(step)
        if maybe is not None and not message.text.startswith("/"):
            return "text", masked(maybe)
        if message.text.startswith("/start ") and len(message.text.split()) > 1:
            return "command", "/start " + masked("link token")
        kind = "command" if message.text.startswith("/") else "text"
        return kind, _clip(message.text)
    if message.contact is not None:
        own = message.from_user is not None and message.contact.user_id == message.from_user.id
        return "contact", f"{message.contact.phone_number} ({'own' if own else 'not own'})"
    if message.successful_payment is not None:
        paid = message.successful_payment
        return "payment", (
            f"paid {paid.total_amount / 100:.2f} {paid.currency},"
            f" charge {paid.telegram_payment_charge_id}"
        )
    for kind in _MEDIA:
        if getattr(message, kind, None) is not None:
            return "media", f"[{kind}]"
    return "other", "[unsupported message]"


def _button_label(query: CallbackQuery) -> str:
    """The button's own words when the message is known, and what it does."""
    data = query.data or ""
    prefix = data.split(":", 1)[0]
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data == data:
                    return f"{button.text} ({prefix})"
    return f"({prefix})"


def describe_update(
    update: Update, step: str | None, recorder: ConversationRecorder
) -> LogEntry | None:
    now = recorder.clock.now()
    if update.message is not None:
        message = update.message
        kind, text = _message_input(message, step)
        user = message.from_user.id if message.from_user else None
        return LogEntry(now, user, message.chat.id, Direction.IN, kind, step, text)
    if update.edited_message is not None:
        message = update.edited_message
        _, text = _message_input(message, step)
        user = message.from_user.id if message.from_user else None
        return LogEntry(now, user, message.chat.id, Direction.IN, "edited", step, text)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        text = _button_label(query)
        return LogEntry(now, query.from_user.id, chat, Direction.IN, "button", step, text)
    if update.pre_checkout_query is not None:
        pcq = update.pre_checkout_query
        text = f"pre-checkout {pcq.total_amount / 100:.2f} {pcq.currency}"
        return LogEntry(
            now, pcq.from_user.id, pcq.from_user.id, Direction.IN, "pre_checkout", step, text
        )
    return None


def _buttons(markup: object) -> str:
    if isinstance(markup, InlineKeyboardMarkup):
        labels = [b.text for row in markup.inline_keyboard for b in row]
    elif isinstance(markup, ReplyKeyboardMarkup):
        labels = [b.text for row in markup.keyboard for b in row]
    else:
        return ""
    return " [buttons: " + " | ".join(labels) + "]" if labels else ""


async def describe_method(
    method: TelegramMethod[Any], recorder: ConversationRecorder
) -> LogEntry | None:
    secret = _sensitive.get()
    kind: str
    chat: object = None
    if isinstance(method, SendMessage):
        kind, chat = "message", method.chat_id
        text = (
            masked(secret) if secret else _clip(plain(method.text)) + _buttons(method.reply_markup)
        )
    elif isinstance(method, EditMessageText):
        kind, chat = "edit", method.chat_id
        edited = plain(method.text or "")
        text = masked(secret) if secret else _clip(edited) + _buttons(method.reply_markup)
    elif isinstance(method, EditMessageReplyMarkup):
        kind, chat = "edit", method.chat_id
        text = "[buttons changed]" + _buttons(method.reply_markup)
    elif isinstance(method, DeleteMessage):
        kind, chat = "delete", method.chat_id
        text = f"[message {method.message_id} deleted]"
    elif isinstance(method, SendInvoice):
        kind, chat = "invoice", method.chat_id
        total = sum(price.amount for price in method.prices) / 100
        text = f"{method.title}: {total:.2f} {method.currency}"
    elif isinstance(method, SendPhoto):
        kind, chat = "photo", method.chat_id
        text = masked(secret) if secret else "[photo] " + (method.caption or "")
    elif isinstance(method, AnswerCallbackQuery) and method.text:
        kind, text = "notice", _clip(plain(method.text))
    elif isinstance(method, AnswerPreCheckoutQuery):
        kind = "pre_checkout_answer"
        text = "approved" if method.ok else f"declined: {plain(method.error_message or '')}"
    else:
        return None
    chat_id = chat if isinstance(chat, int) else None
    # A private chat's id is its person's id; otherwise, whoever the update is from.
    user_id = chat_id if chat_id is not None and chat_id > 0 else _current_user.get()
    state = _current_state.get()
    step = await state.get_state() if state is not None else None
    return LogEntry(recorder.clock.now(), user_id, chat_id, Direction.OUT, kind, step, text)
