"""`python -m bot console`: the same dispatcher in the terminal, no Telegram, no token.

Lines typed (or piped) become the person's messages; inline and reply buttons are
listed with numbers and chosen by typing the number; a pasted deep link of this bot
becomes `/start <token>`, as a Telegram client would send it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import sys
import threading
import time
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime
from typing import Any, TextIO, cast

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)

from bot.app import open_runtime
from bot.settings import Settings
from bot.ui.texts import language_for, plain

CONSOLE_BOT = User(
    id=1_000_000_001,
    is_bot=True,
    first_name="VK Cloud onboarding",
    username="vkcloud_onboarding_bot",
)
CONSOLE_USER_ID = 1_000_000_002
# Dummy token: the console never talks to Telegram.
CONSOLE_TOKEN = "1000000001:console-mode-has-no-token"  # noqa: S105


class Button:
    def __init__(self, text: str, callback_data: str | None, request_contact: bool) -> None:
        self.text = text
        self.callback_data = callback_data
        self.request_contact = request_contact


class ConsoleSession(BaseSession):
    """Answers the Bot API calls locally and shows what they would show."""

    def __init__(self, out: Callable[[str], None]) -> None:
        super().__init__()
        self._out = out
        self._ids = itertools.count(int(time.time()))
        self.chat = Chat(id=CONSOLE_USER_ID, type="private")
        self.inline: list[Button] = []
        self.reply: list[Button] = []
        self.inline_message: Message | None = None

    def next_message_id(self) -> int:
        return next(self._ids)

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover - no files in the console
        raise NotImplementedError("the console does not download files")
        yield b""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        result: Any
        if isinstance(method, GetMe):
            result = CONSOLE_BOT
        elif isinstance(method, SendMessage):
            result = self._show(method.text, method.reply_markup)
        elif isinstance(method, EditMessageText):
            self._out("")
            for line in plain(method.text or "").splitlines() or [""]:
                self._out(f"bot (edited)> {line}")
            self._show_buttons(method.reply_markup, None)
            result = True
        elif isinstance(method, EditMessageReplyMarkup):
            self._show_buttons(method.reply_markup, None)
            result = True
        elif isinstance(method, DeleteMessage):
            self._out(f"  [message {method.message_id} deleted from the chat]")
            result = True
        elif isinstance(method, AnswerCallbackQuery):
            if method.text:
                self._out(f"  ({plain(method.text)})")
            result = True
        elif isinstance(method, SendPhoto):
            result = self._show(
                (method.caption or "") + "\n[a QR code image: in Telegram it is shown here]",
                method.reply_markup,
            )
        elif isinstance(method, SetMyCommands):
            result = True
        else:
            self._out(f"  [{type(method).__name__} is not shown in the console]")
            result = True
        return cast(TelegramType, result)

    def _show(self, text: str, markup: Any) -> Message:
        message = Message(
            message_id=self.next_message_id(),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=CONSOLE_BOT,
            text=text,
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
        )
        self._out("")
        for line in plain(text).splitlines() or [""]:
            self._out(f"bot> {line}")
        self._show_buttons(markup, message)
        return message

    def _show_buttons(self, markup: Any, message: Message | None) -> None:
        if isinstance(markup, InlineKeyboardMarkup):
            self.inline = [
                Button(b.text, b.callback_data, False)
                for row in markup.inline_keyboard
                for b in row
            ]
            self.inline_message = message
        elif message is not None:
            self.inline = []
        if isinstance(markup, ReplyKeyboardMarkup):
            self.reply = [
                Button(b.text, None, bool(b.request_contact))
                for row in markup.keyboard
                for b in row
            ]
        elif isinstance(markup, ReplyKeyboardRemove):
            self.reply = []
        for number, button in enumerate(self.buttons, start=1):
            self._out(f"  [{number}] {button.text}")

    @property
    def buttons(self) -> list[Button]:
        return [*self.inline, *self.reply]


class LineReader:
    """Lines of a text stream, read in a daemon thread.

    asyncio.to_thread would use the default executor, which asyncio.run waits for on
    the way out: Ctrl-C would then hang until the person pressed Enter.
    """

    def __init__(self, stream: TextIO) -> None:
        self._lines: asyncio.Queue[str] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def pump() -> None:
            for line in iter(stream.readline, ""):
                loop.call_soon_threadsafe(self._lines.put_nowait, line)
            loop.call_soon_threadsafe(self._lines.put_nowait, "")

        threading.Thread(target=pump, name="console-stdin", daemon=True).start()

    async def readline(self) -> str:
        """The next line with its newline, or "" at the end of input."""
        line = await self._lines.get()
        if not line:
            self._lines.put_nowait("")  # the end stays the end for later calls
        return line


async def run_console(
    settings: Settings,
    *,
    stdin: TextIO = sys.stdin,
    out: Callable[[str], None] = print,
) -> None:
    session = ConsoleSession(out)
    bot = Bot(
        CONSOLE_TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
    language = language_for(_locale_language())
    person = User(id=CONSOLE_USER_ID, is_bot=False, first_name="Console", language_code=language)
    update_ids = itertools.count(1)
    lines = LineReader(stdin)
    async with open_runtime(settings, bot, console=True) as runtime:
        username = CONSOLE_BOT.username
        link = re.compile(rf"https?://t\.me/{username}\?start=([A-Za-z0-9_-]+)")
        out(
            "VK Cloud onboarding, console mode. Type as the Telegram user; a number chooses a "
            "button; paste a link from an email to open it. Ctrl-D ends.\n"
            "Send /start to begin."
        )
        while True:
            line = await lines.readline()
            if not line:
                break
            text = line.rstrip("\r\n")
            event = await _event_for(text, session, person, link, lines, out)
            if event is None:
                continue
            update = Update(update_id=next(update_ids), **event)
            await runtime.dispatcher.feed_update(bot, update)
        out("")
    await bot.session.close()


async def _event_for(
    text: str,
    session: ConsoleSession,
    person: User,
    link: re.Pattern[str],
    lines: LineReader,
    out: Callable[[str], None],
) -> dict[str, Any] | None:
    now = datetime.now(UTC)
    buttons = session.buttons
    if text.strip().isdigit() and 1 <= int(text.strip()) <= len(buttons):
        button = buttons[int(text.strip()) - 1]
        if button.callback_data is not None:
            return {
                "callback_query": CallbackQuery(
                    id=str(session.next_message_id()),
                    from_user=person,
                    chat_instance="console",
                    message=session.inline_message,
                    data=button.callback_data,
                )
            }
        if button.request_contact:
            out("  (sharing your Telegram contact) your phone number:")
            phone = (await lines.readline()).strip()
            if not phone:
                return None
            contact = Contact(phone_number=phone, first_name=person.first_name, user_id=person.id)
            return {"message": _message(session, person, now, contact=contact)}
        text = button.text
    found = link.search(text)
    if found:
        text = f"/start {found[1]}"
    return {"message": _message(session, person, now, text=text)}


def _message(session: ConsoleSession, person: User, now: datetime, **content: Any) -> Message:
    return Message(
        message_id=session.next_message_id(),
        date=now,
        chat=session.chat,
        from_user=person,
        **content,
    )


def _locale_language() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return value.split("_")[0].split(".")[0]
    return None
