"""Reminders, the person's side (issue 19, R38): /reminders on|off, and the reminder's
two buttons: "Continue" where they stopped, and "Don't remind me"."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.domain.reminders import ReminderService
from bot.domain.signup import SignupService
from bot.domain.steps import Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import Remind, RemindAction
from handlers.email_link import resend_email
from handlers.flow import Flow


async def reminders_command(
    message: Message, command: CommandObject, conv: Conversation, reminders: ReminderService
) -> None:
    t = conv.t
    choice = (command.args or "").strip().lower()
    if choice in {"on", "вкл", "включить"}:
        await reminders.set_wanted(conv.user_id, True)
        await conv.say(t("reminders.on"))
    elif choice in {"off", "выкл", "выключить"}:
        await reminders.set_wanted(conv.user_id, False)
        await conv.say(t("reminders.off"))
    elif not choice:
        wanted = await reminders.wanted(conv.user_id)
        await conv.say(t("reminders.status_on" if wanted else "reminders.status_off"))
    else:
        await conv.say(t("reminders.usage"))


async def continue_button(
    callback: CallbackQuery, conv: Conversation, flow: Flow, signup: SignupService
) -> None:
    await callback.answer()
    position = await flow.position(conv.user_id)
    if position.step is Step.EMAIL:
        # A day later the link has expired: a new one, under the usual limits.
        await resend_email(conv, signup, flow)
        return
    # The step's own prompt; an expired SMS code offers a new one there.
    await flow.show(conv, position)


async def off_button(
    callback: CallbackQuery, conv: Conversation, reminders: ReminderService
) -> None:
    await callback.answer()
    await reminders.set_wanted(conv.user_id, False)
    await conv.say(conv.t("reminders.off"))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(reminders_command, Command("reminders"))
    router.callback_query.register(
        continue_button, Remind.filter(F.action == RemindAction.CONTINUE)
    )
    router.callback_query.register(off_button, Remind.filter(F.action == RemindAction.OFF))
    return router
