"""The last line of defence: a handler's failure is logged and the person told."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import ErrorEvent

from bot.safe_logging import describe_exception
from bot.ui.texts import DEFAULT_LANGUAGE, Texts, texts_for

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot, t: Texts | None = None) -> None:
    if isinstance(event.exception, TelegramForbiddenError):
        # The person blocked the bot: nothing can be said to them, so nothing is tried.
        log.info("update %s: the person has blocked the bot", event.update.update_id)
        return
    log.error("update %s failed: %s", event.update.update_id, describe_exception(event.exception))
    texts = t or texts_for(DEFAULT_LANGUAGE)
    update = event.update
    if update.pre_checkout_query is not None:
        # Unanswered, Telegram would keep the person waiting for 10 seconds and then
        # fail the payment anyway: decline at once, nothing is charged.
        try:
            await update.pre_checkout_query.answer(ok=False, error_message=texts("error_generic"))
        except Exception:
            log.warning("could not decline pre-checkout of failed update %s", update.update_id)
        return
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, texts("error_generic"))
    except Exception:
        log.warning("could not tell chat about a failed update %s", update.update_id)


def router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
