"""The email step (R5, R31): the deep link from the email (`/start <token>`), "Send the
email again", "Change the email" and /email, and the wait for the link. Owns the email
step's prompt."""

from __future__ import annotations

import contextlib
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.types import CallbackQuery, Message

from bot.domain.emails import check_email_syntax, email_key
from bot.domain.limits import LimitReached, Limits
from bot.domain.registration import Position
from bot.domain.signup import (
    EmailChangeStatus,
    LinkStatus,
    ResendStatus,
    SignupService,
)
from bot.domain.steps import Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import (
    ChangeEmail,
    EmailAction,
    ResendEmail,
    keep_email_keyboard,
    resend_email_keyboard,
    talk_keyboard,
    typed_email_keyboard,
)
from handlers.filters import Matches
from handlers.flow import Flow, StepRouter
from states import Registration

# FSM data: an address typed while waiting for the link, offered as the new one.
TYPED_EMAIL = "typed_email"


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
        await conv.say(t(key), reply_markup=resend_email_keyboard(t))
        return
    elif outcome.status is LinkStatus.OTHER_ACCOUNT:
        await message.answer(t("link_other_account"))
    else:
        await message.answer(t("link_invalid"))
    position = await flow.position(conv.user_id)
    if position.account is None and await conv.state.get_state() is not None:
        return  # mid-sign-up: the question already asked still stands
    await flow.show(conv, position)


def limit_text(conv: Conversation, reached: LimitReached, signup: SignupService) -> str:
    """R23: how many emails a day, and from when another can be asked for."""
    t, policy = conv.t, signup.policy
    limit = Limits(policy).limit(reached.quota)
    retry = t.moment(reached.retry_at, ZoneInfo(policy.timezone), signup.now())
    return t("resend_limit", limit=t.count(limit, "emails"), retry=retry)


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
        await conv.say(limit_text(conv, outcome.limit, signup), reply_markup=talk_keyboard(t))
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


async def ask_for_new_email(conv: Conversation, flow: Flow) -> None:
    """R31: "Change the email" and /email. Before the account exists: the email
    question again; once confirmed: where it can be changed instead."""
    t = conv.t
    position = await flow.position(conv.user_id)
    if position.step is Step.SIGN_UP:
        await conv.enter(Registration.email)
        await conv.say(t("ask_email"))
    elif position.step is Step.EMAIL and position.account is not None:
        await conv.enter(Registration.new_email)
        await conv.say(
            t("ask_new_email", email=position.account.email),
            reply_markup=keep_email_keyboard(t),
        )
    else:
        assert position.account is not None
        await conv.say(t("email_change_confirmed", email=position.account.email))


async def email_command(message: Message, conv: Conversation, flow: Flow) -> None:
    await ask_for_new_email(conv, flow)


async def email_button(
    callback: CallbackQuery,
    callback_data: ChangeEmail,
    conv: Conversation,
    signup: SignupService,
    flow: Flow,
) -> None:
    await callback.answer()
    action = callback_data.action
    if action is EmailAction.CHANGE:
        await ask_for_new_email(conv, flow)
    elif action is EmailAction.USE_TYPED:
        typed = await conv.state.get_value(TYPED_EMAIL)
        if typed:
            await change_email(conv, str(typed), signup, flow)
        else:
            await ask_for_new_email(conv, flow)
    else:  # KEEP
        await flow.show(conv)


async def new_email_given(
    message: Message, conv: Conversation, signup: SignupService, flow: Flow
) -> None:
    assert message.text is not None
    await change_email(conv, message.text, signup, flow)


async def change_email(conv: Conversation, text: str, signup: SignupService, flow: Flow) -> None:
    t = conv.t
    outcome = await signup.change_email(conv.user_id, text, conv.language)
    status, account = outcome.status, outcome.account
    if status is EmailChangeStatus.CHANGED and account is not None:
        await conv.enter(Registration.awaiting_email_link)
        await conv.say(
            t("email_changed", email=account.email), reply_markup=resend_email_keyboard(t)
        )
    elif status is EmailChangeStatus.DELIVERY_FAILED and account is not None:
        await conv.enter(Registration.awaiting_email_link)
        await conv.say(
            t("email_changed_not_sent", email=account.email),
            reply_markup=resend_email_keyboard(t),
        )
    elif status is EmailChangeStatus.INVALID:
        await conv.enter(Registration.new_email)
        await conv.say(t("email_invalid"), reply_markup=keep_email_keyboard(t))
    elif status is EmailChangeStatus.TAKEN:
        await conv.enter(Registration.new_email)
        await conv.say(t("new_email_taken"), reply_markup=keep_email_keyboard(t))
    elif status is EmailChangeStatus.SAME and account is not None:
        await conv.enter(Registration.awaiting_email_link)
        await conv.say(t("email_same", email=account.email), reply_markup=resend_email_keyboard(t))
    elif status is EmailChangeStatus.LIMIT_REACHED and outcome.limit is not None:
        await conv.say(limit_text(conv, outcome.limit, signup), reply_markup=talk_keyboard(t))
        await flow.show(conv)
    else:
        await flow.show(conv)


async def new_email_fallback(message: Message, conv: Conversation) -> None:
    await conv.say(conv.t("new_email_expected"), reply_markup=keep_email_keyboard(conv.t))


async def awaiting_link_fallback(
    message: Message, conv: Conversation, signup: SignupService, flow: Flow
) -> None:
    """Nothing typed here is lost in silence: a text that could be the password goes
    from the chat, and the person is told why (R3); an address is offered as the new
    one (R31); anything else is answered with what this step needs."""
    t = conv.t
    text = message.text or ""
    position = await flow.position(conv.user_id)
    account = position.account
    if account is None or position.step is not Step.EMAIL:
        await flow.show(conv, position)
        return
    if text and signup.could_be_password(text):
        with contextlib.suppress(TelegramBadRequest):
            await message.delete()
        await conv.say(t("password_like_deleted"))
        await flow.show(conv, position)
        return
    typed = check_email_syntax(text, signup.policy) if text else None
    if typed is not None and typed.ok and typed.email is not None:
        if email_key(typed.email) == email_key(account.email):
            await conv.say(t("email_same", email=account.email))
            await flow.show(conv, position)
            return
        await conv.state.update_data({TYPED_EMAIL: typed.email})
        await conv.say(
            t("typed_email_offer", email=typed.email, current=account.email),
            reply_markup=typed_email_keyboard(t),
        )
        return
    await conv.say(t("link_wait_other"))
    await flow.show(conv, position)


def link_router() -> Router:
    """`/start <token>` and /email: before the plain /start and the steps, in any state."""
    router = Router(name=f"{__name__}.link")
    router.message.register(link_opened, CommandStart(deep_link=True))
    router.message.register(email_command, Command("email"))
    router.callback_query.register(email_button, ChangeEmail.filter())
    return router


def router() -> StepRouter:
    router = StepRouter(name=__name__, prompts={Step.EMAIL: awaiting_link_prompt})
    router.callback_query.register(resend_button, ResendEmail.filter())
    router.message.register(new_email_given, StateFilter(Registration.new_email), Matches(F.text))
    router.message.register(new_email_fallback, StateFilter(Registration.new_email))
    router.message.register(awaiting_link_fallback, StateFilter(Registration.awaiting_email_link))
    return router
