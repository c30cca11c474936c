"""Step 2: the phone number (R6, R7) and the SMS code (R8). Owns the phone step's prompt."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message

from bot.domain.limits import LimitReached, Limits
from bot.domain.phone_confirmation import (
    PendingCode,
    PhoneOutcome,
    PhoneService,
    PhoneStatus,
    SmsCodeOutcome,
    SmsCodeStatus,
)
from bot.domain.phones import PhoneProblem, display_phone, looks_like_phone_number
from bot.domain.policy import Policy
from bot.domain.registration import Position
from bot.domain.steps import Step
from bot.jobs.code_prompts import CodePromptRefresher
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import (
    ChangePhone,
    ResendSms,
    code_keyboard,
    no_keyboard,
    phone_request_keyboard,
    talk_keyboard,
)
from bot.ui.messages import code_prompt_text
from handlers.filters import Matches
from handlers.flow import Flow, StepRouter
from states import Registration


async def phone_prompt(
    conv: Conversation, where: Position, phone: PhoneService, code_prompts: CodePromptRefresher
) -> None:
    """No code yet: the number; a live code: the code; an expired one: a new one."""
    if where.code is None:
        await ask_for_phone(conv)
    elif where.code.expired(phone.now()):
        await code_expired(conv, where.code.phone)
    else:
        await ask_for_code(conv, where.code, phone, code_prompts)


async def ask_for_phone(conv: Conversation, lead: str | None = None) -> None:
    """The phone question with the share-contact button; `lead` is said first."""
    t = conv.t
    await conv.enter(Registration.phone)
    text = t("ask_phone") if lead is None else f"{lead}\n\n{t('ask_phone')}"
    await conv.say(text, reply_markup=phone_request_keyboard(t))


async def ask_for_code(
    conv: Conversation,
    code: PendingCode,
    phone: PhoneService,
    code_prompts: CodePromptRefresher,
    *,
    lead: str | None = None,
) -> None:
    """Asks for the code. `lead` says first what just happened to the SMS (sent, sent
    to a corrected number, not sent again), in a message that also takes the contact
    keyboard away: a number is being confirmed now. Until the resend delay has passed
    the question says how long is left; it is then edited to show the button
    (bot/jobs/code_prompts.py)."""
    await conv.enter(Registration.sms_code)
    wait = code.seconds_until_resend(phone.now())
    if lead is not None:
        await conv.say(lead, reply_markup=no_keyboard())
    message = await conv.say(
        code_prompt_text(phone.policy, conv.language, code.phone, wait),
        reply_markup=code_keyboard(conv.t, resend_ready=wait == 0),
    )
    if wait > 0:
        await phone.remember_prompt(code.id, conv.chat_id, message.message_id, conv.language)
        code_prompts.poke()


async def code_expired(conv: Conversation, number: str) -> None:
    await conv.enter(Registration.sms_code)
    await conv.say(
        conv.t("code_expired", phone=display_phone(number)),
        reply_markup=code_keyboard(conv.t, resend_ready=True),
    )


async def phone_typed(
    message: Message,
    conv: Conversation,
    phone: PhoneService,
    code_prompts: CodePromptRefresher,
    flow: Flow,
) -> None:
    assert message.text is not None
    outcome = await phone.submit_phone(conv.user_id, message.text, conv.language)
    await show_phone_outcome(conv, outcome, phone, code_prompts, flow)


async def contact_shared(
    message: Message,
    conv: Conversation,
    phone: PhoneService,
    code_prompts: CodePromptRefresher,
    flow: Flow,
) -> None:
    assert message.contact is not None
    if message.contact.user_id != conv.user_id:
        # R6: only the sender's own contact counts; a forwarded card could be anyone's.
        await message.answer(conv.t("contact_not_own"), reply_markup=phone_request_keyboard(conv.t))
        return
    outcome = await phone.submit_phone(
        conv.user_id, message.contact.phone_number, conv.language, from_contact=True
    )
    await show_phone_outcome(conv, outcome, phone, code_prompts, flow)


async def phone_fallback(message: Message, conv: Conversation) -> None:
    await message.answer(conv.t("phone_expected"), reply_markup=phone_request_keyboard(conv.t))


async def code_typed(
    message: Message,
    conv: Conversation,
    phone: PhoneService,
    code_prompts: CodePromptRefresher,
    flow: Flow,
) -> None:
    assert message.text is not None
    if looks_like_phone_number(message.text):
        # The person is correcting the number.
        await phone_typed(message, conv, phone, code_prompts, flow)
        return
    outcome = await phone.check_code(conv.user_id, message.text, attempt_key=message.message_id)
    await show_code_outcome(conv, outcome, phone, flow)


async def code_fallback(message: Message, conv: Conversation, phone: PhoneService) -> None:
    await message.answer(
        conv.t("code_expected", length=phone.policy.sms_code_length),
        reply_markup=code_keyboard(conv.t, resend_ready=False),
    )


async def resend_button(
    callback: CallbackQuery,
    conv: Conversation,
    phone: PhoneService,
    code_prompts: CodePromptRefresher,
    flow: Flow,
) -> None:
    t = conv.t
    outcome = await phone.resend_code(conv.user_id, conv.language)
    if outcome.status is PhoneStatus.TOO_SOON:
        # R8: before the delay the bot says how many seconds remain, on the button itself.
        wait = t.count(outcome.seconds_left, "seconds")
        await callback.answer(t("sms_too_soon", wait=wait), show_alert=True)
        conv.keep_buttons = True  # not yet: the button is still the way
        return
    # Answered first otherwise: Telegram shows a spinner on the button until it is.
    await callback.answer()
    await show_phone_outcome(conv, outcome, phone, code_prompts, flow, resend=True)


async def change_phone(callback: CallbackQuery, conv: Conversation, flow: Flow) -> None:
    await callback.answer()
    position = await flow.position(conv.user_id)
    if position.step is not Step.PHONE:
        # A button left from earlier: the phone is confirmed (or not open yet).
        await flow.show(conv, position)
        return
    await ask_for_phone(conv)


async def show_phone_outcome(
    conv: Conversation,
    outcome: PhoneOutcome,
    phone: PhoneService,
    code_prompts: CodePromptRefresher,
    flow: Flow,
    *,
    resend: bool = False,
) -> None:
    """What the person is told after giving a number or asking for a new code."""
    t = conv.t
    status = outcome.status
    code = outcome.code
    if status is PhoneStatus.CODE_SENT and code is not None:
        # Exactly what happened: where the code went, and whether it replaced one (R31).
        number = display_phone(code.phone)
        if outcome.replaced is not None:
            lead = t("sms_sent_instead", phone=number, old=display_phone(outcome.replaced))
        else:
            lead = t("sms_sent", phone=number, length=phone.policy.sms_code_length)
        await ask_for_code(conv, code, phone, code_prompts, lead=lead)
    elif status is PhoneStatus.CODE_ALREADY_SENT and code is not None:
        # The same number again: no new SMS, and the person is not told there was one.
        ago = t.count(max(1, int((phone.now() - code.sent_at).total_seconds())), "seconds")
        lead = t("sms_already_sent", phone=display_phone(code.phone), ago=ago)
        await ask_for_code(conv, code, phone, code_prompts, lead=lead)
    elif status is PhoneStatus.REFUSED and outcome.problem is not None:
        await conv.state.set_state(Registration.phone)
        await conv.say(
            t.of("phone_refused", outcome.problem), reply_markup=phone_request_keyboard(t)
        )
        if outcome.problem in (PhoneProblem.KAZAKHSTAN, PhoneProblem.FOREIGN):
            # No Russian number is a dead end the bot cannot solve: a human can (R35).
            await conv.say(t("desk.offer"), reply_markup=talk_keyboard(t))
    elif status is PhoneStatus.LIMIT_REACHED:
        await ask_for_phone(conv, lead=t("phone_limit", max=phone.policy.phone_max_accounts))
    elif status is PhoneStatus.TOO_SOON:
        wait = t.count(outcome.seconds_left, "seconds")
        if code is not None:
            await conv.say(t("sms_too_soon_to", phone=display_phone(code.phone), wait=wait))
        else:
            await conv.say(t("sms_too_soon", wait=wait))
    elif status is PhoneStatus.DELIVERY_FAILED:
        if resend:
            await conv.say(t("sms_resend_failed"), reply_markup=code_keyboard(t, resend_ready=True))
        else:
            await conv.state.set_state(Registration.phone)
            await conv.say(t("sms_failed"), reply_markup=phone_request_keyboard(t))
    elif status is PhoneStatus.NO_NUMBER:
        await ask_for_phone(conv, lead=t("sms_no_number"))
    elif status is PhoneStatus.SMS_LIMIT and outcome.limit is not None:
        await conv.say(
            limit_text(conv, outcome.limit, phone.policy, phone.now()),
            reply_markup=talk_keyboard(t),
        )
    else:
        if status is PhoneStatus.ALREADY_CONFIRMED:
            await conv.say(t("phone_already_confirmed"))
        await flow.show(conv)


def limit_text(conv: Conversation, reached: LimitReached, policy: Policy, now: datetime) -> str:
    """R22: which limit, how many, and from when the person can try again."""
    t = conv.t
    limit = Limits(policy).limit(reached.quota)
    retry = t.moment(reached.retry_at, ZoneInfo(policy.timezone), now)
    return t.of("sms_limit", reached.quota, retry=retry, limit=t.count(limit, "sms_codes"))


async def show_code_outcome(
    conv: Conversation, outcome: SmsCodeOutcome, phone: PhoneService, flow: Flow
) -> None:
    t = conv.t
    status = outcome.status
    policy = phone.policy
    if status is SmsCodeStatus.CONFIRMED and outcome.account and outcome.account.phone:
        await conv.say(t("phone_confirmed", phone=display_phone(outcome.account.phone)))
        await flow.show(conv)
    elif status is SmsCodeStatus.MALFORMED:
        example = "".join(str((i + 1) % 10) for i in range(policy.sms_code_length))
        await conv.say(t("code_malformed", length=policy.sms_code_length, example=example))
    elif status is SmsCodeStatus.REPLACED and outcome.code is not None:
        await conv.say(
            t("code_replaced", phone=display_phone(outcome.code.phone)),
            reply_markup=code_keyboard(t, resend_ready=False),
        )
    elif status is SmsCodeStatus.WRONG:
        await conv.say(t("code_wrong", left=outcome.attempts_left))
    elif status is SmsCodeStatus.EXHAUSTED:
        await conv.say(t("code_exhausted"), reply_markup=code_keyboard(t, resend_ready=True))
    elif status is SmsCodeStatus.LIMIT_REACHED:
        lead = t("phone_limit_at_confirm", max=policy.phone_max_accounts)
        await ask_for_phone(conv, lead=lead)
    else:
        # Expired, no live code, not yet at this step or already past it: the step as
        # it stands now says what to do (an expired code offers a new one).
        if status is SmsCodeStatus.ALREADY_CONFIRMED:
            await conv.say(t("phone_already_confirmed"))
        await flow.show(conv)


def router() -> StepRouter:
    router = StepRouter(name=__name__, prompts={Step.PHONE: phone_prompt})
    at_phone_step = StateFilter(Registration.phone, Registration.sms_code)
    router.message.register(contact_shared, at_phone_step, Matches(F.contact))
    router.message.register(phone_typed, StateFilter(Registration.phone), Matches(F.text))
    router.message.register(phone_fallback, StateFilter(Registration.phone))
    router.message.register(code_typed, StateFilter(Registration.sms_code), Matches(F.text))
    router.message.register(code_fallback, StateFilter(Registration.sms_code))
    router.callback_query.register(resend_button, ResendSms.filter())
    router.callback_query.register(change_phone, ChangePhone.filter())
    return router
