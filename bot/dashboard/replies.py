"""A reply typed in the dashboard, sent by the bot (issue 20). Not recorded by the Bot
session's log middleware: the dashboard writes the record itself, the same in its own
process and in the webhook's."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError

from bot.dashboard.app import ReplyRefused
from bot.domain.desk import DeskService
from bot.safe_logging import describe_exception
from bot.support.masking import unrecorded


class TelegramReplier:
    def __init__(self, bot: Bot, desk: DeskService, desk_chat_id: int | None) -> None:
        self._bot = bot
        self._desk = desk
        self._chat_id = desk_chat_id

    async def send(self, user_id: int, text: str) -> int:
        try:
            with unrecorded():
                sent = await self._bot.send_message(user_id, text, parse_mode=None)
        except TelegramForbiddenError:
            raise ReplyRefused("the person has blocked the bot") from None
        except TelegramAPIError as exc:
            raise ReplyRefused(describe_exception(exc)) from None
        return sent.message_id

    async def note_in_topic(self, user_id: int, text: str) -> None:
        if self._chat_id is None:
            return
        topic = await self._desk.topic(user_id)
        if topic is None or topic.thread_id is None:
            return
        with unrecorded():
            await self._bot.send_message(
                self._chat_id, text, message_thread_id=topic.thread_id, parse_mode=None
            )
