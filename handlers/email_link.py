"""The email step (R5): the deep link from the email (`/start <token>`), "Send
confirmation again", and the wait for the link. Owns the email step's prompt."""

from __future__ import annotations

import contextlib
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.types import CallbackQuery, Message

from bot.domain.limits import Limits
from bot.domain.registration import Position
from bot.domain.signup import LinkStatus, ResendStatus, SignupService
from bot.domain.steps import Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import ResendEmail, resend_email_keyboard
from handlers.flow import Flow, StepRouter
from states import Registration


async def awaiting_link_prompt(conv: Conversation, where: Position) -> None:
    assert where.account is not None
    await conv.enter(Registration.awaiting_email_link)
    key = "awaiting_link_expired" if where.link_expired else "awaiting_link"
    await conv.say(
        conv.t(key, email=where.account.email), reply_markup=resend_email_keyboard(conv.t)
    )


async def link_opened(
    message: Message,
    command: CommandObject,
    conv: Conversation,
    signup: SignupService,
    flow: Flow,
) -> None:
    t = conv.t
    outcome = await signup.confirm_email(conv.user_id, command.args or "")
    if outcome.status is LinkStatus.CONFIRMED and outcome.account is not None:
        await message.answer(t("link_confirmed", email=outcome.account.email))
    elif outcome.status is LinkStatus.ALREADY_CONFIRMED:
        await message.answer(t("email_already_confirmed"))
    elif outcome.status in (LinkStatus.EXPIRED, LinkStatus.SUPERSEDED):
        await conv.state.set_state(Registration.awaiting_email_link)
        key = "link_expired" if outcome.status is LinkStatus.EXPIRED else "link_superseded"
        await message.answer(t(key), reply_markup=resend_email_keyboard(t))
        return
    elif outcome.status is LinkStatus.OTHER_ACCOUNT:
        await message.answer(t("link_other_account"))
    else:
        await message.answer(t("link_invalid"))
    position = await flow.position(conv.user_id)
    if position.account is None and await conv.state.get_state() is not None:
        return  # mid-sign-up: the question already asked still stands
    await flow.show(conv, position)


async def resend_email(conv: Conversation, signup: SignupService, flow: Flow) -> None:
    """A fresh link; used by the button and by /resend at the email step."""
    t = conv.t
    outcome = await signup.resend_confirmation(conv.user_id, conv.language)
    if outcome.status is ResendStatus.SENT and outcome.account is not None:
        await conv.state.set_state(Registration.awaiting_email_link)
        await conv.say(
            t("resend_sent", email=outcome.account.email), reply_markup=resend_email_keyboard(t)
        )
    elif outcome.status is ResendStatus.TOO_SOON:
        # A double tap lands here: no second email, just how long to wait.
        await conv.say(t("resend_too_soon", wait=t.count(outcome.seconds_left, "seconds")))
    elif outcome.status is ResendStatus.LIMIT_REACHED and outcome.limit is not None:
        policy = signup.policy
        limit = Limits(policy).limit(outcome.limit.quota)
        retry = t.moment(outcome.limit.retry_at, ZoneInfo(policy.timezone), signup.now())
        await conv.say(t("resend_limit", limit=t.count(limit, "emails"), retry=retry))
    elif outcome.status is ResendStatus.DELIVERY_FAILED:
        await conv.say(t("resend_failed"), reply_markup=resend_email_keyboard(t))
    elif outcome.status is ResendStatus.ALREADY_CONFIRMED:
        await conv.say(t("email_already_confirmed"))
        await flow.show(conv)
    else:
        await conv.say(t("resend_no_account"))


async def resend_button(
    callback: CallbackQuery, conv: Conversation, signup: SignupService, flow: Flow
) -> None:
    # Answered first: Telegram shows a spinner on the button until it is.
    await callback.answer()
    await resend_email(conv, signup, flow)


async def awaiting_link_fallback(message: Message, conv: Conversation, flow: Flow) -> None:
    if message.text is not None:
        # Most likely the password sent a second time: it goes from the chat as the
        # first copy did (R3); nothing else is expected to be typed here.
        with contextlib.suppress(TelegramBadRequest):
            await message.delete()
    await flow.show(conv)


def link_router() -> Router:
    """`/start <token>`: before the plain /start, in any state."""
    router = Router(name=f"{__name__}.link")
    router.message.register(link_opened, CommandStart(deep_link=True))
    return router


def router() -> StepRouter:
    router = StepRouter(name=__name__, prompts={Step.EMAIL: awaiting_link_prompt})
    router.callback_query.register(resend_button, ResendEmail.filter())
    router.message.register(awaiting_link_fallback, StateFilter(Registration.awaiting_email_link))
    return router
