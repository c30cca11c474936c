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
from aiogram.types import Chat, Message, TelegramObject, User

from bot.ui.texts import Texts

# FSM data key: messages that go from the chat when the step is left (the two-factor
# key, say), whichever way it is left.
_EPHEMERAL = "ephemeral_message_ids"


@dataclass
class Conversation:
    bot: Bot
    user_id: int
    chat_id: int
    state: FSMContext
    t: Texts
    # The handler data of this update: the dispatcher's services by name.
    data: dict[str, Any]

    @property
    def language(self) -> str:
        return self.t.language

    async def say(self, text: str, **kwargs: Any) -> Message:
        return await self.bot.send_message(self.chat_id, text, **kwargs)

    async def enter(self, step: State, **data: Any) -> None:
        """Sets the step; its data starts afresh (with `data`)."""
        await self.state.set_state(step)
        await self.state.set_data(data)

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
