"""R8: "The code didn't arrive?" becomes available SMS_RESEND_SECONDS after the code
was sent. The message that asks for the code is then edited to show the button.

What is due is read from the database (the code's send time and the prompt's message),
so a restart in between loses nothing: the new process edits whatever became due.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from bot.concurrency import wait_any
from bot.domain.clock import Clock
from bot.domain.phone_confirmation import DuePrompt, PhoneService
from bot.safe_logging import describe_exception
from bot.ui.keyboards import code_keyboard
from bot.ui.messages import code_prompt_text
from bot.ui.texts import texts_for

log = logging.getLogger(__name__)

# After a failed round (Telegram or the database unreachable), wait this long.
_ERROR_BACKOFF_SECONDS = 5.0


class CodePromptRefresher:
    def __init__(self, phone: PhoneService, clock: Clock, *, idle_seconds: float = 60.0) -> None:
        self._phone = phone
        self._clock = clock
        # With nothing due, look again this often anyway: another process or instance
        # may have sent a code, and only this one's own sends wake it up.
        self._idle_seconds = idle_seconds
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """A new prompt was recorded: look at the schedule again."""
        self._wake.set()

    async def refresh_due(self, bot: Bot) -> int:
        """Edits every prompt that is due; returns how many were handled."""
        handled = 0
        while due := await self._phone.prompts_due():
            for prompt in due:
                await self._refresh(bot, prompt)
                handled += 1
        return handled

    async def run(self, bot: Bot, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            delay = self._idle_seconds
            try:
                await self.refresh_due(bot)
                due_at = await self._phone.next_prompt_due()
                if due_at is not None:
                    delay = min(delay, max(0.0, (due_at - self._clock.now()).total_seconds()))
            except Exception as exc:  # keep the schedule alive whatever one round met
                log.warning("code prompts: %s; retrying", describe_exception(exc))
                delay = _ERROR_BACKOFF_SECONDS
            await wait_any(self._wake, stop, timeout=delay)

    async def _refresh(self, bot: Bot, prompt: DuePrompt) -> None:
        t = texts_for(prompt.language)
        try:
            await bot.edit_message_text(
                chat_id=prompt.chat_id,
                message_id=prompt.message_id,
                text=code_prompt_text(self._phone.policy, prompt.language, prompt.phone, 0),
                reply_markup=code_keyboard(t, resend_ready=True),
            )
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            # The message is gone or too old to edit, or the person blocked the bot:
            # nothing to show it on. /resend still works, and says so in /help.
            log.info("code prompt %s not edited: %s", prompt.code_id, type(exc).__name__)
        await self._phone.prompt_refreshed(prompt.code_id)
