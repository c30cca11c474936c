"""The support desk in a Telegram forum group (issue 18, R35-R37): one topic per person,
their messages copied into it, the staff's replies copied back, the person's masked log
mirrored while a request is open.

What is decided and remembered is in bot/domain/desk.py; this is the Telegram side.
Every copy is claimed in the database before it is made (a redelivered update finds
the claim and copies nothing), and a claim left undelivered (the desk was down, the
instance died) is delivered by `deliver_pending`, once across the cluster."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner, Message

from bot.concurrency import sleep_or_stop
from bot.domain.conversation import Direction, LogEntry
from bot.domain.desk import DeskService, MessageRef, SupportRequest, masked_phone
from bot.domain.preferences import PreferenceService
from bot.domain.support import SupportService
from bot.safe_logging import describe_exception
from bot.support.display import format_entry, position_label, step_label
from bot.support.masking import unrecorded
from bot.ui.texts import Texts, language_for, texts_for

log = logging.getLogger(__name__)

CARD_RECORDS = 20
_LIMIT = 4096  # Telegram's longest message
_CAPTION_LIMIT = 1024
_TOPIC_NAME_LIMIT = 128
_REFRESH_SECONDS = 5.0
_RETRY_SECONDS = 10.0
# A person's message kinds whose copy can carry the label in its caption.
_CAPTIONED = ("photo", "video", "document", "audio", "voice", "animation")
# The log's records of a message (not a button or a command): while the person is
# writing to the desk these reach the topic as copies, so they are not mirrored too.
_MESSAGE_KINDS = frozenset({"text", "photo", "video", "document", "audio", "voice", "sticker"})


def _topic_gone(exc: TelegramBadRequest) -> bool:
    text = exc.message.lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_closed" in text


@dataclass
class _Open:
    talking: bool
    thread_id: int | None
    step: str | None = None


class SupportDesk:
    def __init__(
        self,
        *,
        desk: DeskService,
        support: SupportService,
        preferences: PreferenceService,
        chat_id: int | None,
        support_contact: str,
        timezone: str,
    ) -> None:
        self.service = desk
        self._support = support
        self._preferences = preferences
        self.chat_id = chat_id
        self._contact = support_contact
        self._zone = ZoneInfo(timezone)
        # Set at start when the group is usable; cleared when Telegram says it is not.
        self.available = False
        self._bot: Bot | None = None
        self._open: dict[int, _Open] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # The group's own texts: staff read the desk in the bot's default language.
        self.staff_t = texts_for(language_for(None), support_contact)

    @property
    def configured(self) -> bool:
        return self.chat_id is not None

    # -- start ---------------------------------------------------------------------
    async def start(self, bot: Bot) -> None:
        """Checks the group once; says in one line what is missing."""
        self._bot = bot
        if self.chat_id is None:
            log.info(
                "support desk: SUPPORT_CHAT_ID is not set; people are sent to %s", self._contact
            )
            return
        problem = await self.check(bot)
        if problem is None:
            self.available = True
            log.info("support desk: ready in chat %s", self.chat_id)
        else:
            log.error(
                "support desk: %s; people are sent to %s until it is fixed", problem, self._contact
            )
        await self._load()

    async def check(self, bot: Bot) -> str | None:
        assert self.chat_id is not None
        try:
            chat = await bot.get_chat(self.chat_id)
        except Exception as exc:
            return f"chat {self.chat_id} cannot be read ({describe_exception(exc)})"
        if chat.type != ChatType.SUPERGROUP:
            return f"chat {self.chat_id} is not a supergroup"
        if not chat.is_forum:
            return f"chat {self.chat_id} has topics turned off"
        try:
            me = await bot.me()
            member = await bot.get_chat_member(self.chat_id, me.id)
        except Exception as exc:
            reason = describe_exception(exc)
            return f"the bot's rights in chat {self.chat_id} cannot be read ({reason})"
        if isinstance(member, ChatMemberOwner):
            return None
        if member.status != ChatMemberStatus.ADMINISTRATOR or not (
            isinstance(member, ChatMemberAdministrator) and member.can_manage_topics
        ):
            return f"the bot is not an administrator allowed to manage topics in {self.chat_id}"
        return None

    def _unusable(self, exc: Exception) -> None:
        if self.available:
            log.error(
                "support desk: chat %s no longer usable (%s); people are sent to %s",
                self.chat_id,
                describe_exception(exc),
                self._contact,
            )
        self.available = False

    # -- the person's side -----------------------------------------------------------
    async def to_topic(self, bot: Bot, message: Message, user_id: int) -> bool:
        """Copies the person's message into their topic; False: kept for later."""
        assert self.chat_id is not None
        source = MessageRef(message.chat.id, message.message_id)
        if not await self.service.claim(source, self.chat_id, to_person=False):
            return True  # a redelivered update: copied (or being copied) already
        if not self.available:
            return False  # kept: `deliver_pending` tries it while the desk is away
        return await self._deliver_to_topic(bot, source, user_id)

    async def _deliver_to_topic(self, bot: Bot, source: MessageRef, user_id: int) -> bool:
        assert self.chat_id is not None
        for _ in range(2):  # a topic deleted by staff is made again, once
            try:
                thread = await self.ensure_topic(bot, user_id)
                if thread is None:
                    return False
                with unrecorded():
                    copy = await bot.copy_message(
                        chat_id=self.chat_id,
                        from_chat_id=source.chat_id,
                        message_id=source.message_id,
                        message_thread_id=thread,
                    )
            except TelegramBadRequest as exc:
                if _topic_gone(exc):
                    await self.service.topic_gone(user_id)
                    continue
                self._unusable(exc)
                return False
            except TelegramForbiddenError as exc:
                self._unusable(exc)
                return False
            await self.service.copied(source, copy.message_id)
            self.available = True
            return True
        return False

    async def note_secret(self, bot: Bot, user_id: int, state: str | None) -> None:
        """A message at a secret step: the topic learns one was sent, never what."""
        if not self.available:
            return
        thread = await self.ensure_topic(bot, user_id)
        if thread is not None:
            text = self.staff_t.raw("desk.secret_kept", step=step_label(state))
            await self._post(bot, thread, text)

    async def edited_by_person(self, bot: Bot, message: Message) -> None:
        copy = await self.service.copy_of(MessageRef(message.chat.id, message.message_id))
        if copy is not None:
            await self._edit(bot, copy, message, label=None)

    # -- the staff's side ------------------------------------------------------------
    async def to_person(self, bot: Bot, message: Message, user_id: int) -> bool:
        source = MessageRef(message.chat.id, message.message_id)
        if not await self.service.claim(source, user_id, to_person=True):
            return True
        return await self._deliver_to_person(bot, message, source, user_id)

    async def _deliver_to_person(
        self, bot: Bot, message: Message | None, source: MessageRef, user_id: int
    ) -> bool:
        label = await self._label(user_id)
        try:
            copy_id = await self._copy_labelled(bot, message, source, user_id, label)
        except TelegramForbiddenError:
            thread = await self._thread(user_id)
            if thread is not None:
                await self._post(bot, thread, self.staff_t.raw("desk.blocked"))
            # Nothing more can be done for it: recorded as handled, with no copy.
            await self.service.copied(source, 0)
            return False
        except TelegramBadRequest as exc:
            # Telegram refused this message for good (deleted meanwhile, say): the staff
            # are told why, and it is not tried again.
            thread = await self._thread(user_id)
            if thread is not None:
                reason = describe_exception(exc)
                await self._post(bot, thread, self.staff_t.raw("desk.not_delivered", reason=reason))
            await self.service.copied(source, 0)
            return False
        await self.service.copied(source, copy_id)
        await self.service.answered(user_id)
        return True

    async def _copy_labelled(
        self, bot: Bot, message: Message | None, source: MessageRef, user_id: int, label: str
    ) -> int:
        head = f"{label}:"
        if message is not None and message.text is not None:
            text = f"{head}\n\n{message.text}"
            if len(text) <= _LIMIT:
                sent = await bot.send_message(user_id, text, parse_mode=None)
                return sent.message_id
        elif message is not None and any(getattr(message, k) for k in _CAPTIONED):
            caption = f"{head}\n\n{message.caption}" if message.caption else head
            if len(caption) <= _CAPTION_LIMIT:
                copy = await bot.copy_message(
                    chat_id=user_id,
                    from_chat_id=source.chat_id,
                    message_id=source.message_id,
                    caption=caption,
                    parse_mode=None,
                )
                return copy.message_id
        # A sticker, a very long text, a message known only by its id (a retry): the
        # label first, then the copy as it is.
        await bot.send_message(user_id, head, parse_mode=None)
        copy = await bot.copy_message(
            chat_id=user_id, from_chat_id=source.chat_id, message_id=source.message_id
        )
        return copy.message_id

    async def edited_by_staff(self, bot: Bot, message: Message, user_id: int) -> None:
        copy = await self.service.copy_of(MessageRef(message.chat.id, message.message_id))
        if copy is not None and copy.message_id:
            await self._edit(bot, copy, message, label=await self._label(user_id))

    async def _edit(self, bot: Bot, copy: MessageRef, message: Message, label: str | None) -> None:
        head = f"{label}:\n\n" if label else ""
        try:
            with unrecorded():
                if message.text is not None:
                    await bot.edit_message_text(
                        f"{head}{message.text}"[:_LIMIT],
                        chat_id=copy.chat_id,
                        message_id=copy.message_id,
                        parse_mode=None,
                    )
                elif message.caption is not None:
                    await bot.edit_message_caption(
                        chat_id=copy.chat_id,
                        message_id=copy.message_id,
                        caption=f"{head}{message.caption}"[:_CAPTION_LIMIT],
                        parse_mode=None,
                    )
        except TelegramBadRequest as exc:
            log.warning("support desk: an edit was not mirrored: %s", describe_exception(exc))

    async def closed(self, bot: Bot, user_id: int, request: SupportRequest) -> None:
        self._open.pop(user_id, None)
        topic = await self.service.topic(user_id)
        if topic is not None and topic.thread_id is not None:
            try:
                await bot.close_forum_topic(self.chat_id or 0, topic.thread_id)
            except TelegramBadRequest as exc:
                log.warning("support desk: topic not closed: %s", describe_exception(exc))

    def open_count(self) -> int:
        """Open requests as this instance knows them (refreshed every few seconds)."""
        return len(self._open)

    @property
    def contact(self) -> str:
        return self._contact

    async def language_of(self, user_id: int) -> str:
        return await self._preferences.language_of(user_id) or language_for(None)

    async def person_in(self, thread_id: int) -> int | None:
        return await self.service.person_in(thread_id)

    async def _label(self, user_id: int) -> str:
        return texts_for(await self.language_of(user_id), self._contact)("desk.label")

    # -- topics ----------------------------------------------------------------------
    async def ensure_topic(self, bot: Bot, user_id: int) -> int | None:
        """The person's topic, made (and opened with the card) if there is none.
        Two instances never make two: the one that reserves the row makes it."""
        assert self.chat_id is not None
        for _ in range(50):
            topic = await self.service.topic(user_id)
            if topic is not None and topic.thread_id is not None:
                return topic.thread_id
            if await self.service.reserve_topic(user_id):
                return await self._create_topic(bot, user_id)
            await asyncio.sleep(0.1)  # another instance is making it right now
        return None

    async def _create_topic(self, bot: Bot, user_id: int) -> int:
        assert self.chat_id is not None
        card = await self._support.card(user_id)
        account = card.person.account
        name = self.staff_t.raw(
            "desk.topic_name",
            email=account.email if account else self.staff_t.raw("desk.no_email"),
            step=position_label(card.person.step),
            user_id=user_id,
        )[:_TOPIC_NAME_LIMIT]
        with unrecorded():
            topic = await bot.create_forum_topic(self.chat_id, name)
        thread = topic.message_thread_id
        await self.service.topic_created(user_id, thread)
        self._open[user_id] = _Open(talking=True, thread_id=thread, step=None)
        await self.post_card(bot, user_id, thread)
        return thread

    async def reopen(self, bot: Bot, user_id: int) -> None:
        """A later request reuses the person's topic."""
        topic = await self.service.topic(user_id)
        if topic is None or topic.thread_id is None or self.chat_id is None:
            return
        try:
            with unrecorded():
                await bot.reopen_forum_topic(self.chat_id, topic.thread_id)
        except TelegramBadRequest as exc:
            if _topic_gone(exc):
                await self.service.topic_gone(user_id)
            # "TOPIC_NOT_MODIFIED": it was open.

    async def post_card(self, bot: Bot, user_id: int, thread: int) -> None:
        text = await self.card_text(user_id)
        sent = await self._post(bot, thread, text)
        if sent is not None:
            await self.service.card_posted(user_id, sent)
        records = await self._support.recent(user_id, CARD_RECORDS)
        if records:
            lines = [self.staff_t.raw("desk.card_records", count=len(records))]
            lines += [format_entry(e) for e in records]
            for chunk in _chunks(lines):
                await self._post(bot, thread, chunk)

    async def card_text(self, user_id: int) -> str:
        t = self.staff_t
        card = await self._support.card(user_id)
        account = card.person.account
        request = await self.service.request_of(user_id)
        balance = card.balance
        return t.raw(
            "desk.card",
            user_id=user_id,
            language=card.language or "-",
            email=account.email if account else t.raw("desk.no_email"),
            phone=masked_phone(account.phone) if account and account.phone else t.raw("desk.none"),
            step=position_label(card.person.step),
            since=self._when(card.at_step_since, t),
            balance=t.money(balance.total_kopecks) if balance else t.raw("desk.none"),
            two_factor=t.raw("desk.on") if card.two_factor_on else t.raw("desk.off"),
            opened=self._when(request.opened_at if request else None, t),
        )

    def _when(self, moment: datetime | None, t: Texts) -> str:
        return t.raw("desk.none") if moment is None else t.date_time(moment, self._zone)

    async def refresh_card(self, bot: Bot, user_id: int) -> None:
        topic = await self.service.topic(user_id)
        if topic is None or topic.card_message_id is None or self.chat_id is None:
            return
        try:
            with unrecorded():
                await bot.edit_message_text(
                    await self.card_text(user_id),
                    chat_id=self.chat_id,
                    message_id=topic.card_message_id,
                    parse_mode=None,
                )
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:
                log.warning("support desk: card not updated: %s", describe_exception(exc))

    async def _thread(self, user_id: int) -> int | None:
        topic = await self.service.topic(user_id)
        return topic.thread_id if topic is not None else None

    async def post(self, bot: Bot, user_id: int, text: str) -> None:
        thread = await self._thread(user_id)
        if thread is not None:
            await self._post(bot, thread, text)

    async def _post(self, bot: Bot, thread: int, text: str) -> int | None:
        assert self.chat_id is not None
        try:
            with unrecorded():
                sent = await bot.send_message(
                    self.chat_id, text[:_LIMIT], message_thread_id=thread, parse_mode=None
                )
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            log.warning("support desk: not posted: %s", describe_exception(exc))
            return None
        return sent.message_id

    # -- the log, mirrored while a request is open -----------------------------------
    def opened(self, user_id: int, talking: bool) -> None:
        known = self._open.get(user_id)
        self._open[user_id] = _Open(
            talking=talking,
            thread_id=known.thread_id if known else None,
            step=known.step if known else None,
        )

    def offer(self, entry: LogEntry) -> None:
        """The recorder's listener: a person with an open request has their records
        mirrored into the topic (masked as the log masks them)."""
        bot = self._bot
        user_id = entry.user_id or 0
        state = self._open.get(user_id)
        if bot is None or state is None or not self.available:
            return
        changed = state.step is not None and entry.step != state.step
        state.step = entry.step
        copied = entry.direction is Direction.IN and entry.kind in _MESSAGE_KINDS
        if state.talking and copied:
            return  # the message itself is in the topic
        self._spawn(self._mirror(bot, user_id, format_entry(entry), changed))

    async def _mirror(self, bot: Bot, user_id: int, text: str, step_changed: bool) -> None:
        await self.post(bot, user_id, text)
        if step_changed:
            await self.refresh_card(bot, user_id)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _load(self) -> None:
        loaded: dict[int, _Open] = {}
        for request in await self.service.queue():
            topic = await self.service.topic(request.user_id)
            known = self._open.get(request.user_id)
            loaded[request.user_id] = _Open(
                talking=request.talking,
                thread_id=topic.thread_id if topic else None,
                step=known.step if known else None,
            )
        self._open = loaded

    async def follow(self, stop: asyncio.Event) -> None:
        """Keeps who has an open request up to date (another instance opens some)."""
        while not stop.is_set():
            await sleep_or_stop(stop, _REFRESH_SECONDS)
            try:
                await self._load()
            except Exception as exc:
                log.warning("support desk: requests not reloaded: %s", describe_exception(exc))

    async def deliver_pending(self, bot: Bot, stop: asyncio.Event) -> None:
        """Copies claimed and not delivered (the desk was down): delivered when it is
        back. Runs on one instance at a time."""
        while not stop.is_set():
            await sleep_or_stop(stop, _RETRY_SECONDS)
            try:
                await self.deliver_due(bot)
            except Exception as exc:
                log.warning("support desk: pending copies: %s", describe_exception(exc))

    async def deliver_due(self, bot: Bot) -> int:
        delivered = 0
        for copy in await self.service.due_copies():
            if copy.to_person:
                ok = await self._deliver_to_person(bot, None, copy.source, copy.target_chat_id)
            else:
                ok = await self._deliver_to_topic(bot, copy.source, copy.source.chat_id)
            delivered += ok
        return delivered


def _chunks(lines: list[str]) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line[: _LIMIT - 200]
        if current and size + len(line) + 1 > _LIMIT - 200:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        chunks.append("\n".join(current))
    return chunks
