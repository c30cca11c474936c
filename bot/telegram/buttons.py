"""Buttons that match the moment (R33): once a button of a message has been pressed and
handled, that message's buttons go, so an old "Get started" or "Pay" never stays live
below a step that is done. A handler that wants them kept (a button that only said
"not yet") says so with `conv.keep_buttons`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.telegram.conversation import Conversation

log = logging.getLogger(__name__)


class RetireButtons(BaseMiddleware):
    """An inner middleware of callback queries: runs after the handler."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        result = await handler(event, data)
        conv: Conversation | None = data.get("conv")
        if (
            isinstance(event, CallbackQuery)
            and isinstance(event.message, Message)
            and conv is not None
            and not conv.keep_buttons
        ):
            try:
                await conv.bot.edit_message_reply_markup(
                    chat_id=event.message.chat.id,
                    message_id=event.message.message_id,
                    reply_markup=None,
                )
            except TelegramAPIError as exc:  # gone, too old to edit: nothing to retire
                log.info("buttons not retired: %s", type(exc).__name__)
        return result
