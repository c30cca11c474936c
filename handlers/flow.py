"""Where the conversation resumes (R12): the person's step, and the prompt that asks for
what it needs.

Each step's handler module owns its prompt and registers it on its router
(`StepRouter(prompts={Step.PHONE: ...})`); `Flow.show` asks the domain where the person
is (`RegistrationService.position`, never the FSM state alone) and calls the prompt of
that step. /start, /status, /cancel, a link, any stray message resume this way, so the
FSM state is only a cache of where the person is.

A prompt is `async def prompt(conv, where, ...)`: after the conversation and the
position, its parameters are filled by name from the update's data, as aiogram fills a
handler's (the dispatcher's services, `flow`, ...).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping

from aiogram import Router

from bot.domain.registration import Position, RegistrationService
from bot.domain.steps import ORDER, Step
from bot.telegram.conversation import Conversation

Prompt = Callable[..., Awaitable[None]]


class StepRouter(Router):
    """A step's router, with the prompts of the steps it handles."""

    def __init__(self, *, name: str, prompts: Mapping[Step, Prompt]) -> None:
        super().__init__(name=name)
        self.prompts = dict(prompts)


def collect_prompts(routers: Iterable[Router]) -> dict[Step, Prompt]:
    prompts: dict[Step, Prompt] = {}
    for router in routers:
        if isinstance(router, StepRouter):
            for step, prompt in router.prompts.items():
                if step in prompts:
                    raise ValueError(f"two prompts for {step}")
                prompts[step] = prompt
    return prompts


class Flow:
    def __init__(
        self, *, registration: RegistrationService, prompts: Mapping[Step, Prompt]
    ) -> None:
        missing = [step for step in ORDER if step not in prompts]
        if missing:
            raise ValueError(f"no prompt for {[s.value for s in missing]}")
        self._registration = registration
        self._prompts = dict(prompts)
        self._wanted = {step: _wanted(prompt) for step, prompt in prompts.items()}

    @property
    def registration(self) -> RegistrationService:
        return self._registration

    async def position(self, telegram_user_id: int) -> Position:
        return await self._registration.position(telegram_user_id)

    async def show(self, conv: Conversation, position: Position | None = None) -> None:
        """Sets the state for the person's current step and asks for what it needs."""
        # Whatever step was left this way takes its passing messages with it (R13: the
        # two-factor key goes once its set-up ends, /start or a stray message included).
        await conv.forget_ephemeral()
        where = position or await self._registration.position(conv.user_id)
        services = {name: conv.data[name] for name in self._wanted[where.step]}
        await self._prompts[where.step](conv, where, **services)

    async def still_at(self, conv: Conversation, step: Step) -> bool:
        """True when the person is at `step`; otherwise the step they are really at is
        shown: the chat's state is a cache, and a crash can leave it behind."""
        where = await self._registration.position(conv.user_id)
        if where.step is step:
            return True
        await self.show(conv, where)
        return False


def _wanted(prompt: Prompt) -> tuple[str, ...]:
    """The names a prompt wants after (conv, where)."""
    parameters = list(inspect.signature(prompt).parameters.values())[2:]
    return tuple(p.name for p in parameters)
