"""The one object a handler talks to a person through: who they are, in which chat, their
step (FSM state) and language, and the services of the dispatcher. A middleware makes
it for every update that comes from a person (`ConversationMiddleware`)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Chat, InlineKeyboardMarkup, Message, TelegramObject, User

from bot.ui.texts import Texts

# FSM data key: messages that go from the chat when the step is left (the two-factor
# key, say), whichever way it is left.
_EPHEMERAL = "ephemeral_message_ids"
# FSM data key: this step's messages with inline buttons; the buttons go when another
# step is entered (R33: an old "Change the email" never stays live under the phone).
_BUTTONS = "button_message_ids"
_MAX_BUTTON_MESSAGES = 8
# FSM data key: the person is writing to the support desk (issue 18). It outlives the
# step: a registration step entered meanwhile does not end the request.
TALKING = "desk_talking"
# FSM data the bot keeps about its own messages, not anything the person gave.
BOOKKEEPING_KEYS = frozenset({_EPHEMERAL, _BUTTONS, TALKING})


@dataclass
class Conversation:
    bot: Bot
    user_id: int
    chat_id: int
    state: FSMContext
    t: Texts
    # The handler data of this update: the dispatcher's services by name.
    data: dict[str, Any]
    # R33: the pressed message's buttons stay (bot/telegram/buttons.py).
    keep_buttons: bool = False

    @property
    def language(self) -> str:
        return self.t.language

    async def say(self, text: str, *, lasting: bool = False, **kwargs: Any) -> Message:
        """Sends a message. Its inline buttons go once another step is entered, unless
        `lasting` (buttons that stay the way until pressed: "I have saved the codes")."""
        message = await self.bot.send_message(self.chat_id, text, **kwargs)
        if not lasting and isinstance(kwargs.get("reply_markup"), InlineKeyboardMarkup):
            kept = list(await self.state.get_value(_BUTTONS) or [])
            kept = [*kept[-(_MAX_BUTTON_MESSAGES - 1) :], message.message_id]
            await self.state.update_data({_BUTTONS: kept})
        return message

    async def enter(self, step: State, **data: Any) -> None:
        """Sets the step; its data starts afresh (with `data`). Entering another step
        takes the buttons of the one left away: they are superseded."""
        current = await self.state.get_data()
        kept: dict[str, Any] = {}
        if await self.state.get_state() != step.state:
            await self._retire(current.get(_BUTTONS) or [])
        elif current.get(_BUTTONS):
            kept[_BUTTONS] = current[_BUTTONS]  # the same step: its buttons stay live
        if current.get(TALKING):
            kept[TALKING] = current[TALKING]
        data = {**kept, **data}
        await self.state.set_state(step)
        await self.state.set_data(data)

    async def retire_buttons(self) -> None:
        await self._retire(await self.state.get_value(_BUTTONS) or [])
        await self.state.update_data({_BUTTONS: []})

    async def _retire(self, message_ids: list[int]) -> None:
        for message_id in message_ids:
            # Gone, too old, or already without buttons: nothing to take away.
            with contextlib.suppress(TelegramBadRequest):
                await self.bot.edit_message_reply_markup(
                    chat_id=self.chat_id, message_id=int(message_id), reply_markup=None
                )

    async def at(self, *steps: State) -> bool:
        return await self.state.get_state() in {s.state for s in steps}

    async def keep_until_step_ends(self, message_id: int) -> None:
        """`message_id` is deleted once this step ends (`forget_ephemeral`)."""
        kept = list(await self.state.get_value(_EPHEMERAL) or [])
        await self.state.update_data({_EPHEMERAL: [*kept, message_id]})

    async def forget_ephemeral(self) -> None:
        kept = await self.state.get_value(_EPHEMERAL)
        if not kept:
            return
        for message_id in kept:
            with contextlib.suppress(TelegramBadRequest):
                await self.bot.delete_message(self.chat_id, int(message_id))
        data = await self.state.get_data()
        data.pop(_EPHEMERAL, None)
        await self.state.set_data(data)


class ConversationMiddleware(BaseMiddleware):
    """Puts `conv` into the handler's data. Runs after aiogram's FSM middleware (the
    state) and the language middleware (the texts)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        state: FSMContext | None = data.get("state")
        if user is not None and state is not None:
            chat: Chat | None = data.get("event_chat")
            # A private chat's id is its person's id (pre-checkout queries carry no chat).
            data["conv"] = Conversation(
                bot=data["bot"],
                user_id=user.id,
                chat_id=chat.id if chat is not None else user.id,
                state=state,
                t=data["t"],
                data=data,
            )
        return await handler(event, data)
