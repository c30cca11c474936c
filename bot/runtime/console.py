"""`python -m bot console`: the same dispatcher in the terminal, no Telegram, no token.

Lines typed (or piped) become the person's messages. Every live button on the screen
has its own number, across all the messages shown: inline buttons `1`, `2`, ...,
the keyboard under the input field `k1`, `k2`; typing the number presses it. A
pasted deep link of this bot becomes `/start <token>`, as a Telegram client would
send it; the two-factor QR code is drawn in the terminal.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import os
import re
import sys
import threading
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO, cast

import segno
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
from bot.domain.clock import Clock, SystemClock
from bot.settings import Settings
from bot.telegram.qr import QrPhoto
from bot.ui.texts import LANGUAGES, Texts, language_for, plain, texts_for

CONSOLE_BOT = User(
    id=1_000_000_001,
    is_bot=True,
    first_name="VK Cloud onboarding",
    username="vkcloud_onboarding_bot",
)
CONSOLE_USER_ID = 1_000_000_002
# Dummy token: the console never talks to Telegram.
CONSOLE_TOKEN = "1000000001:console-mode-has-no-token"  # noqa: S105
# How much of a deleted message is quoted to say which one it was.
_QUOTED = 40
_REPLY_BUTTON = re.compile(r"[kK](\d{1,3})")


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    request_contact: bool = False


class Screen:
    """What the person sees: the live buttons of every message shown, each with a
    number of its own (the smallest free one), and the keyboard under the input field.
    A number stays with its button while the button lives; a button the bot removes,
    edits away or deletes frees its number."""

    def __init__(self) -> None:
        self.inline: dict[int, tuple[int, Button]] = {}  # number -> (message id, button)
        self.messages: dict[int, Message] = {}  # the bot's messages with live buttons
        self.quotes: dict[int, str] = {}  # the bot's messages: how they begin
        self.own: set[int] = set()  # the person's messages
        self.reply: list[Button] = []
        self.reply_once = False
        # The message whose button is being handled: its buttons are about to go (the
        # bot retires them once the press is handled), so its numbers count as free.
        self._pressed: int | None = None
        self._evicted = False

    def place(self, message: Message, markup: InlineKeyboardMarkup | None) -> list[str]:
        """The message's buttons are now `markup`'s; their labels, numbered."""
        self.drop(message.message_id)
        if markup is None or not markup.inline_keyboard:
            return []
        self.messages[message.message_id] = message.model_copy(update={"reply_markup": markup})
        labels = []
        for row in markup.inline_keyboard:
            for button in row:
                number = next(n for n in itertools.count(1) if self._free(n, message.message_id))
                self.inline[number] = (
                    message.message_id,
                    Button(button.text, button.callback_data),
                )
                labels.append(f"  [{number}] {button.text}")
        return labels

    def _free(self, number: int, placing: int) -> bool:
        held = self.inline.get(number)
        if held is None:
            return True
        if held[0] != self._pressed or placing == self._pressed:
            return False
        # Taken back from the pressed message; it gets new numbers if it stays.
        for n in [n for n, (owner, _) in self.inline.items() if owner == self._pressed]:
            del self.inline[n]
        self._evicted = True
        return True

    def begin_press(self, message_id: int | None) -> None:
        self._pressed, self._evicted = message_id, False

    def end_press(self) -> list[str]:
        """After the press was handled: the pressed message's buttons, numbered again
        if the bot kept them ("not yet") while new buttons took their numbers."""
        pressed, evicted = self._pressed, self._evicted
        self._pressed, self._evicted = None, False
        kept = self.messages.get(pressed) if pressed is not None else None
        if kept is None or not evicted:
            return []
        markup = kept.reply_markup
        return self.place(kept, markup if isinstance(markup, InlineKeyboardMarkup) else None)

    def drop(self, message_id: int) -> None:
        for number in [n for n, (owner, _) in self.inline.items() if owner == message_id]:
            del self.inline[number]
        self.messages.pop(message_id, None)

    def keyboard(self, markup: ReplyKeyboardMarkup) -> list[str]:
        self.reply = [
            Button(b.text, request_contact=bool(b.request_contact))
            for row in markup.keyboard
            for b in row
        ]
        self.reply_once = bool(markup.one_time_keyboard)
        return [f"  [k{n}] {b.text}" for n, b in enumerate(self.reply, start=1)]

    def pressed(self, line: str) -> tuple[Message | None, Button] | None:
        """The button a typed line presses: `3` or `k1`; None for anything else."""
        typed = line.strip()
        if typed.isdigit() and len(typed) <= 3 and int(typed) in self.inline:
            message_id, button = self.inline[int(typed)]
            return self.messages.get(message_id), button
        found = _REPLY_BUTTON.fullmatch(typed)
        if found and 1 <= int(found[1]) <= len(self.reply):
            button = self.reply[int(found[1]) - 1]
            if self.reply_once:  # Telegram folds a one-time keyboard away once used
                self.reply = []
            return None, button
        return None


class ConsoleSession(BaseSession):
    """Answers the Bot API calls locally and shows what they would show."""

    def __init__(self, out: Callable[[str], None], t: Texts, clock: Clock) -> None:
        super().__init__()
        self._out = out
        self._t = t
        # The console plays Telegram: its messages are dated by the bot's clock, and
        # their ids start from it, so a later session never reuses an earlier one's.
        self.clock = clock
        self._ids = itertools.count(int(clock.now().timestamp()))
        self.chat = Chat(id=CONSOLE_USER_ID, type="private")
        self.screen = Screen()

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
        result: Any = True
        if isinstance(method, GetMe):
            result = CONSOLE_BOT
        elif isinstance(method, SendMessage):
            result = self._show(method.text, method.reply_markup)
        elif isinstance(method, EditMessageText):
            self._edited(method)
        elif isinstance(method, EditMessageReplyMarkup):
            self._buttons_changed(method)
        elif isinstance(method, DeleteMessage):
            self._deleted(method.message_id)
        elif isinstance(method, AnswerCallbackQuery):
            if method.text:
                self._out(f"  ({plain(method.text)})")
        elif isinstance(method, SendPhoto):
            result = self._show(method.caption or "", method.reply_markup)
            if isinstance(method.photo, QrPhoto):
                self._qr(method.photo.uri)
        elif not isinstance(method, SetMyCommands):
            self._out("  " + self._t.raw("console.not_shown", method=type(method).__name__))
        return cast(TelegramType, result)

    def _show(self, text: str, markup: Any) -> Message:
        message = Message(
            message_id=self.next_message_id(),
            date=self.clock.now(),
            chat=self.chat,
            from_user=CONSOLE_BOT,
            text=text,
        )
        shown = plain(text)
        self.screen.quotes[message.message_id] = " ".join(shown.split())[:_QUOTED]
        self._out("")
        for line in shown.splitlines() or [""]:
            self._out(f"bot> {line}")
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        self._lines(self.screen.place(message, inline))
        if isinstance(markup, ReplyKeyboardMarkup):
            self._lines(self.screen.keyboard(markup))
        elif isinstance(markup, ReplyKeyboardRemove):
            self.screen.reply = []
        return message

    def _edited(self, method: EditMessageText) -> None:
        self._out("")
        for line in plain(method.text or "").splitlines() or [""]:
            self._out(f"bot (edited)> {line}")
        if isinstance(method.message_id, int):
            message = Message(
                message_id=method.message_id,
                date=self.clock.now(),
                chat=self.chat,
                from_user=CONSOLE_BOT,
                text=method.text,
            )
            # An edit without buttons takes the message's buttons away, as in Telegram.
            markup = (
                method.reply_markup
                if isinstance(method.reply_markup, InlineKeyboardMarkup)
                else None
            )
            self._lines(self.screen.place(message, markup))

    def _buttons_changed(self, method: EditMessageReplyMarkup) -> None:
        if not isinstance(method.message_id, int):
            return
        markup = method.reply_markup
        if markup is None or not markup.inline_keyboard:
            self.screen.drop(method.message_id)  # used or superseded: quietly gone
            return
        known = self.screen.messages.get(method.message_id)
        message = known or Message(
            message_id=method.message_id, date=self.clock.now(), chat=self.chat, text=""
        )
        self._out(f"bot ({self._t('console.buttons_changed')})>")
        self._lines(self.screen.place(message, markup))

    def _deleted(self, message_id: int) -> None:
        self.screen.drop(message_id)
        if message_id in self.screen.own:
            self._out("  " + self._t.raw("console.yours_deleted"))
        else:
            quote = self.screen.quotes.pop(message_id, "")
            self._out("  " + self._t.raw("console.bot_deleted", quote=quote + "…"))

    def _qr(self, uri: str) -> None:
        drawn = io.StringIO()
        segno.make(uri, error="m").terminal(out=drawn, compact=True, border=2)
        self._out("  " + self._t.raw("console.qr"))
        for line in drawn.getvalue().splitlines():
            self._out(f"  {line}")
        self._out(f"  {uri}")

    def _lines(self, lines: list[str]) -> None:
        for line in lines:
            self._out(line)


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


def console_language(chosen: str | None) -> str:
    """--language, else the terminal's locale (LC_ALL, LC_MESSAGES, LANG), as R17 reads
    a Telegram client's."""
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return language_for(value.split("_")[0].split(".")[0])
    return language_for(None)


async def run_console(
    settings: Settings,
    *,
    stdin: TextIO = sys.stdin,
    out: Callable[[str], None] = print,
    language: str | None = None,
    user_id: int = CONSOLE_USER_ID,
) -> None:
    code = console_language(language)
    t = texts_for(code, settings.support_contact)
    session = ConsoleSession(out, t, SystemClock())
    session.chat = Chat(id=user_id, type="private")
    bot = Bot(
        CONSOLE_TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
    person = User(id=user_id, is_bot=False, first_name="Console", language_code=code)
    update_ids = itertools.count(1)
    lines = LineReader(stdin)
    async with open_runtime(settings, bot, console=True) as runtime:
        username = CONSOLE_BOT.username
        link = re.compile(rf"https?://t\.me/{username}\?start=([A-Za-z0-9_-]+)")
        out(t.raw("console.banner", user_id=user_id))
        while True:
            line = await lines.readline()
            if not line:
                break
            text = line.rstrip("\r\n")
            if not text.strip():
                continue  # an empty Enter is nothing a person would send
            event = await _event_for(text, session, person, link, lines, out, t)
            if event is None:
                continue
            update = Update(update_id=next(update_ids), **event)
            pressed = update.callback_query.message if update.callback_query else None
            session.screen.begin_press(pressed.message_id if pressed else None)
            await runtime.dispatcher.feed_update(bot, update)
            for label in session.screen.end_press():
                out(label)
        again = "" if user_id == CONSOLE_USER_ID else f" --user-id {user_id}"
        out("")
        out(t.raw("console.end", command=f"python -m bot console{again}"))
    await bot.session.close()


async def _event_for(
    text: str,
    session: ConsoleSession,
    person: User,
    link: re.Pattern[str],
    lines: LineReader,
    out: Callable[[str], None],
    t: Texts,
) -> dict[str, Any] | None:
    now = session.clock.now()
    # A line that starts with a space is sent as typed, even if a button has its number.
    pressed = None if text.startswith(" ") else session.screen.pressed(text)
    if pressed is not None:
        message, button = pressed
        if button.callback_data is not None:
            return {
                "callback_query": CallbackQuery(
                    id=str(session.next_message_id()),
                    from_user=person,
                    chat_instance="console",
                    message=message,
                    data=button.callback_data,
                )
            }
        if button.request_contact:
            out("  " + t.raw("console.contact"))
            phone = (await lines.readline()).strip()
            if not phone:
                return None
            contact = Contact(phone_number=phone, first_name=person.first_name, user_id=person.id)
            return {"message": _message(session, person, now, contact=contact)}
        text = button.text
    found = link.search(text)
    if found:
        text = f"/start {found[1]}"
    return {"message": _message(session, person, now, text=text.strip())}


def _message(session: ConsoleSession, person: User, now: datetime, **content: Any) -> Message:
    message = Message(
        message_id=session.next_message_id(),
        date=now,
        chat=session.chat,
        from_user=person,
        **content,
    )
    session.screen.own.add(message.message_id)
    return message
