"""R18: every message in and out recorded as it happens, with no handler taking part.

Incoming updates are recorded by an outer middleware (before any handler runs, so a
crash still leaves the input on record); outgoing Bot API calls by a middleware of the
Bot's session (after Telegram accepted them). What is masked is decided here, at that
moment (bot/support/masking.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
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

from bot.domain.conversation import Direction, LogEntry, masked
from bot.safe_logging import describe_exception
from bot.support.masking import clip, is_unrecorded, reply_secret, typed_text
from bot.support.recorder import ConversationRecorder
from bot.ui.texts import plain

log = logging.getLogger(__name__)

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
        if not is_unrecorded():
            try:
                entry = await describe_method(method, self._recorder)
                if entry is not None:
                    self._recorder.record(entry)
            except Exception as exc:
                log.warning("reply not recorded: %s", describe_exception(exc))
        return response


# -- what came in ----------------------------------------------------------------------


def message_input(message: Message, step: str | None) -> tuple[str, str]:
    """(kind, text) of what a person sent."""
    if message.text is not None:
        return typed_text(message.text, step)
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
        kind, text = message_input(message, step)
        user = message.from_user.id if message.from_user else None
        return LogEntry(now, user, message.chat.id, Direction.IN, kind, step, text)
    if update.edited_message is not None:
        message = update.edited_message
        _, text = message_input(message, step)
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


# -- what went out ---------------------------------------------------------------------


def _buttons(markup: object) -> str:
    if isinstance(markup, InlineKeyboardMarkup):
        labels = [b.text for row in markup.inline_keyboard for b in row]
    elif isinstance(markup, ReplyKeyboardMarkup):
        labels = [b.text for row in markup.keyboard for b in row]
    else:
        return ""
    return " [buttons: " + " | ".join(labels) + "]" if labels else ""


def _shown(text: str, markup: object, secret: str | None) -> str:
    return masked(secret) if secret else clip(plain(text)) + _buttons(markup)


# Each recorded method: its kind, and how its chat and text are read (`secret` names
# what a sensitive reply carries). A method not listed here is not recorded.
Describe = Callable[[Any, str | None], tuple[object, str]]
_OUTGOING: dict[type[TelegramMethod[Any]], tuple[str, Describe]] = {
    SendMessage: ("message", lambda m, s: (m.chat_id, _shown(m.text, m.reply_markup, s))),
    EditMessageText: (
        "edit",
        lambda m, s: (m.chat_id, _shown(m.text or "", m.reply_markup, s)),
    ),
    EditMessageReplyMarkup: (
        "edit",
        lambda m, s: (
            m.chat_id,
            "[buttons changed]" + _buttons(m.reply_markup)
            if m.reply_markup is not None and m.reply_markup.inline_keyboard
            else f"[buttons removed from message {m.message_id}]",
        ),
    ),
    DeleteMessage: ("delete", lambda m, s: (m.chat_id, f"[message {m.message_id} deleted]")),
    SendInvoice: (
        "invoice",
        lambda m, s: (
            m.chat_id,
            f"{m.title}: {sum(p.amount for p in m.prices) / 100:.2f} {m.currency}",
        ),
    ),
    SendPhoto: (
        "photo",
        lambda m, s: (m.chat_id, masked(s) if s else "[photo] " + (m.caption or "")),
    ),
    AnswerCallbackQuery: ("notice", lambda m, s: (None, clip(plain(m.text or "")))),
    AnswerPreCheckoutQuery: (
        "pre_checkout_answer",
        lambda m, s: (
            None,
            "approved" if m.ok else f"declined: {plain(m.error_message or '')}",
        ),
    ),
}


async def describe_method(
    method: TelegramMethod[Any], recorder: ConversationRecorder
) -> LogEntry | None:
    described = _OUTGOING.get(type(method))
    if described is None:
        return None
    if isinstance(method, AnswerCallbackQuery) and not method.text:
        return None  # a silent answer only stops the button's spinner
    kind, describe = described
    chat, text = describe(method, reply_secret())
    chat_id = chat if isinstance(chat, int) else None
    # A private chat's id is its person's id; otherwise, whoever the update is from.
    user_id = chat_id if chat_id is not None and chat_id > 0 else _current_user.get()
    state = _current_state.get()
    step = await state.get_state() if state is not None else None
    return LogEntry(recorder.clock.now(), user_id, chat_id, Direction.OUT, kind, step, text)
