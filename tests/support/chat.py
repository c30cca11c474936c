"""A person talking to the bot through Dispatcher.feed_update; shared by handler tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerPreCheckoutQuery,
    DeleteMessage,
    EditMessageText,
    SendInvoice,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    InlineKeyboardMarkup,
    Message,
    PreCheckoutQuery,
    ReplyKeyboardMarkup,
    Sticker,
    SuccessfulPayment,
    Update,
    User,
)

from bot.domain.clock import Clock, SystemClock
from bot.telegram.conversation import BOOKKEEPING_KEYS
from tests.support.session import RecordingSession

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


@dataclass
class Replies:
    calls: list[TelegramMethod[Any]] = field(default_factory=list)

    @property
    def messages(self) -> list[SendMessage]:
        return [c for c in self.calls if isinstance(c, SendMessage)]

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.messages]

    @property
    def text(self) -> str:
        """All the messages sent, as one text."""
        return "\n".join(self.texts)

    def mentions(self, *fragments: str) -> bool:
        return all(fragment.lower() in self.text.lower() for fragment in fragments)

    @property
    def edits(self) -> list[EditMessageText]:
        return [c for c in self.calls if isinstance(c, EditMessageText)]

    @property
    def invoices(self) -> list[SendInvoice]:
        return [c for c in self.calls if isinstance(c, SendInvoice)]

    @property
    def pre_checkout_answers(self) -> list[AnswerPreCheckoutQuery]:
        return [c for c in self.calls if isinstance(c, AnswerPreCheckoutQuery)]

    @property
    def deleted(self) -> list[int]:
        return [c.message_id for c in self.calls if isinstance(c, DeleteMessage)]

    @property
    def callback_answers(self) -> list[AnswerCallbackQuery]:
        return [c for c in self.calls if isinstance(c, AnswerCallbackQuery)]

    def inline_buttons(self) -> list[tuple[str, str]]:
        """The inline buttons of every message sent or edited, in order."""
        found: list[tuple[str, str]] = []
        for call in self.calls:
            markup = (
                getattr(call, "reply_markup", None)
                if isinstance(call, SendMessage | EditMessageText)
                else None
            )
            if isinstance(markup, InlineKeyboardMarkup):
                for row in markup.inline_keyboard:
                    found.extend((b.text, b.callback_data or "") for b in row)
        return found

    def has_button(self, callback_data: str) -> bool:
        return any(data == callback_data for _, data in self.inline_buttons())

    def asks_for_contact(self) -> bool:
        for message in self.messages:
            if isinstance(message.reply_markup, ReplyKeyboardMarkup):
                for row in message.reply_markup.keyboard:
                    if any(b.request_contact for b in row):
                        return True
        return False


class ChatDriver:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        session: RecordingSession,
        *,
        user_id: int,
        language_code: str = "en",
        clock: Clock | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        # Telegram dates a message when the person sends it: here by the bot's own clock
        # (the services' FakeClock in most tests), so flood control (R20) and every
        # time the bot keeps see one timeline.
        recorder = dispatcher.workflow_data.get("recorder")
        self.clock: Clock = clock or (recorder.clock if recorder is not None else SystemClock())
        self.bot = bot
        self.session = session
        self.user = User(id=user_id, is_bot=False, first_name="Person", language_code=language_code)
        self.chat = Chat(id=user_id, type="private")

    def other_person(self, user_id: int, language_code: str = "en") -> ChatDriver:
        return ChatDriver(
            self.dispatcher,
            self.bot,
            self.session,
            user_id=user_id,
            language_code=language_code,
            clock=self.clock,
        )

    def message(self, **content: Any) -> Message:
        return Message(
            message_id=next(_message_ids),
            date=self.clock.now(),
            chat=content.pop("chat", self.chat),
            from_user=self.user,
            **content,
        )

    async def feed(self, update: Update) -> Replies:
        start = len(self.session.calls)
        await self.dispatcher.feed_update(self.bot, update)
        return Replies(self.session.calls[start:])

    async def send(self, text: str) -> Replies:
        return await self.feed(Update(update_id=next(_update_ids), message=self.message(text=text)))

    async def feed_message(self, **content: Any) -> Replies:
        return await self.feed(Update(update_id=next(_update_ids), message=self.message(**content)))

    async def feed_edited(self, **content: Any) -> Replies:
        edited = self.message(edit_date=int(self.clock.now().timestamp()), **content)
        return await self.feed(Update(update_id=next(_update_ids), edited_message=edited))

    async def send_contact(self, phone_number: str, *, owner: int | None = None) -> Replies:
        """Shares a contact; by default the person's own (Telegram sets its user_id)."""
        contact = Contact(
            phone_number=phone_number,
            first_name="Person",
            user_id=self.user.id if owner is None else owner,
        )
        return await self.feed_message(contact=contact)

    async def pre_checkout(self, payload: str, total: int, currency: str = "RUB") -> Replies:
        """Telegram's question before it charges the card."""
        query = PreCheckoutQuery(
            id=f"pcq-{next(_update_ids)}",
            from_user=self.user,
            currency=currency,
            total_amount=total,
            invoice_payload=payload,
        )
        return await self.feed(Update(update_id=next(_update_ids), pre_checkout_query=query))

    def payment_update(
        self, payload: str, total: int, charge_id: str, *, currency: str = "RUB"
    ) -> Update:
        payment = SuccessfulPayment(
            currency=currency,
            total_amount=total,
            invoice_payload=payload,
            telegram_payment_charge_id=charge_id,
            provider_payment_charge_id=f"provider-{charge_id}",
        )
        return Update(update_id=next(_update_ids), message=self.message(successful_payment=payment))

    async def paid(self, payload: str, total: int, charge_id: str) -> Replies:
        """Telegram's message after the card was charged."""
        return await self.feed(self.payment_update(payload, total, charge_id))

    async def send_sticker(self) -> Replies:
        sticker = Sticker(
            file_id="sticker",
            file_unique_id="sticker",
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
        )
        return await self.feed(
            Update(update_id=next(_update_ids), message=self.message(sticker=sticker))
        )

    async def press(self, callback_data: str) -> Replies:
        return await self.press_on(callback_data, message_id=next(_message_ids))

    async def press_on(self, callback_data: str, *, message_id: int) -> Replies:
        """A button pressed on the message `message_id` (the bot's, sent earlier)."""
        message = Message(
            message_id=message_id,
            date=self.clock.now(),
            chat=self.chat,
            text="(a message with buttons)",
        )
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=self.user,
            chat_instance="test",
            message=message,
            data=callback_data,
        )
        return await self.feed(Update(update_id=next(_update_ids), callback_query=query))

    def key(self) -> StorageKey:
        return StorageKey(bot_id=self.bot.id, chat_id=self.chat.id, user_id=self.user.id)

    async def state(self) -> str | None:
        return await self.dispatcher.storage.get_state(self.key())

    async def data(self) -> dict[str, Any]:
        """What the step holds of the person's answers. The bot's notes about its own
        messages (which carry buttons, which go with the step) are left out."""
        data = await self.raw_data()
        return {k: v for k, v in data.items() if k not in BOOKKEEPING_KEYS}

    async def raw_data(self) -> dict[str, Any]:
        return await self.dispatcher.storage.get_data(self.key())

    async def is_in(self, state: State) -> bool:
        return await self.state() == state.state
