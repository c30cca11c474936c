"""A Bot session that records every Bot API call and answers it like Telegram would."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import (
    CopyMessage,
    CreateForumTopic,
    EditMessageText,
    GetChat,
    GetChatMember,
    GetMe,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    AcceptedGiftTypes,
    Chat,
    ChatFullInfo,
    ChatMemberAdministrator,
    ForumTopic,
    Message,
    MessageId,
    User,
)

from bot.domain.clock import Clock, SystemClock

BOT_USER = User(id=42, is_bot=True, first_name="VK Cloud onboarding", username="vkcloud_test_bot")


class RecordingSession(BaseSession):
    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__()
        self.clock: Clock = clock or SystemClock()  # dates the bot's messages, as Telegram
        self.calls: list[TelegramMethod[Any]] = []
        self._message_ids = itertools.count(10_000)
        self.last_message_id: int | None = None  # of the last message sent
        self.results: list[Any] = []  # what each call in `calls` returned
        self._failing: set[str] = set()
        self._blocked: set[int] = set()
        self._flooded: set[str] = set()
        self._thread_ids = itertools.count(500)
        # A forum supergroup where the bot may manage topics (the support desk).
        self.desk_is_forum = True
        self.bot_manages_topics = True

    def block(self, chat_id: int) -> None:
        """This person has blocked the bot: anything sent to them is Forbidden."""
        self._blocked.add(chat_id)

    def fail_next(self, api_method: str) -> None:
        """The next call of `api_method` (e.g. "sendInvoice") gets a Bad Request."""
        self._failing.add(api_method)

    def too_many_next(self, api_method: str) -> None:
        """The next call of `api_method` gets Telegram's 429 Too Many Requests."""
        self._flooded.add(api_method)

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover
        raise NotImplementedError
        yield b""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.calls.append(method)
        if method.__api_method__ in self._failing:
            self._failing.discard(method.__api_method__)
            raise TelegramBadRequest(method=method, message="Bad Request: test failure")
        if method.__api_method__ in self._flooded:
            self._flooded.discard(method.__api_method__)
            raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=3)
        chat = getattr(method, "chat_id", None)
        if isinstance(chat, int) and chat in self._blocked:
            raise TelegramForbiddenError(method=method, message="Forbidden: bot was blocked")
        result: Any
        if isinstance(method, GetMe):
            result = BOT_USER
        elif isinstance(method, GetChat):
            result = ChatFullInfo(
                id=int(method.chat_id),
                type="supergroup",
                title="Support",
                is_forum=self.desk_is_forum,
                accent_color_id=0,
                max_reaction_count=11,
                accepted_gift_types=AcceptedGiftTypes(
                    unlimited_gifts=False,
                    limited_gifts=False,
                    unique_gifts=False,
                    premium_subscription=False,
                    gifts_from_channels=False,
                ),
            )
        elif isinstance(method, GetChatMember):
            result = ChatMemberAdministrator(
                user=BOT_USER,
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=False,
                can_restrict_members=False,
                can_promote_members=False,
                can_change_info=False,
                can_invite_users=False,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_manage_topics=self.bot_manages_topics,
                can_send_welcome_messages=False,
            )
        elif isinstance(method, CreateForumTopic):
            result = ForumTopic(
                message_thread_id=next(self._thread_ids), name=method.name, icon_color=0
            )
        elif isinstance(method, CopyMessage):
            self.last_message_id = message_id = next(self._message_ids)
            result = MessageId(message_id=message_id)
        elif isinstance(method, SendMessage | EditMessageText | SendPhoto):
            chat_id = method.chat_id if isinstance(method.chat_id, int) else 0
            if isinstance(method, SendMessage | SendPhoto):
                self.last_message_id = message_id = next(self._message_ids)
            else:
                message_id = method.message_id or 0
            result = Message(
                message_id=message_id,
                date=self.clock.now(),
                chat=Chat(id=chat_id, type="private"),
                from_user=BOT_USER,
                text=method.caption if isinstance(method, SendPhoto) else method.text,
            )
        else:
            result = True
        self.results.append(result)
        return cast(TelegramType, result)
