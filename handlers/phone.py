"""Step 2: the phone number (R6, R7) and the SMS code (R8)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.phone_confirmation import (
    PhoneOutcome,
    PhoneService,
    PhoneStatus,
    SmsCodeOutcome,
    SmsCodeStatus,
)
from bot.domain.phones import display_phone, looks_like_phone_number
from bot.domain.steps import Step
from bot.keyboards import ChangePhone, ResendSms, code_keyboard, phone_request_keyboard
from bot.texts import Texts
from handlers.filters import Magic
from handlers.flow import Flow
from states import Registration


async def phone_typed(
    message: Message, state: FSMContext, bot: Bot, phone: PhoneService, flow: Flow, t: Texts
) -> None:
    assert message.text is not None
    assert message.from_user is not None
    outcome = await phone.submit_phone(message.from_user.id, message.text, t.language)
    await show_phone_outcome(outcome, message.from_user.id, message.chat.id, state, bot, flow, t)


async def contact_shared(
    message: Message, state: FSMContext, bot: Bot, phone: PhoneService, flow: Flow, t: Texts
) -> None:
    assert message.contact is not None
    assert message.from_user is not None
    if message.contact.user_id != message.from_user.id:
        # R6: only the sender's own contact counts; a forwarded card could be anyone's.
        await message.answer(t("contact_not_own"), reply_markup=phone_request_keyboard(t))
        return
    outcome = await phone.submit_phone(
        message.from_user.id, message.contact.phone_number, t.language, from_contact=True
    )
    await show_phone_outcome(outcome, message.from_user.id, message.chat.id, state, bot, flow, t)


async def phone_fallback(message: Message, t: Texts) -> None:
    await message.answer(t("phone_expected"), reply_markup=phone_request_keyboard(t))


async def code_typed(
    message: Message, state: FSMContext, bot: Bot, phone: PhoneService, flow: Flow, t: Texts
) -> None:
    assert message.text is not None
    assert message.from_user is not None
    if looks_like_phone_number(message.text):
        # The person is correcting the number.
        await phone_typed(message, state, bot, phone, flow, t)
        return
    outcome = await phone.check_code(
        message.from_user.id, message.text, attempt_key=message.message_id
    )
    await show_code_outcome(outcome, message.from_user.id, message.chat.id, state, bot, flow, t)


async def code_fallback(message: Message, phone: PhoneService, t: Texts) -> None:
    await message.answer(t("code_expected", length=phone.policy.sms_code_length))


async def resend_button(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    phone: PhoneService,
    flow: Flow,
    t: Texts,
) -> None:
    outcome = await phone.resend_code(callback.from_user.id, t.language)
    if outcome.status is PhoneStatus.TOO_SOON:
        # R8: before the delay the bot says how many seconds remain, on the button itself.
        wait = t.count(outcome.seconds_left, "seconds")
        await callback.answer(t("sms_too_soon", wait=wait), show_alert=True)
        return
    # Answered first otherwise: Telegram shows a spinner on the button until it is.
    await callback.answer()
    await show_phone_outcome(
        outcome, callback.from_user.id, callback.from_user.id, state, bot, flow, t, resend=True
    )


async def change_phone(
    callback: CallbackQuery, state: FSMContext, bot: Bot, flow: Flow, t: Texts
) -> None:
    await callback.answer()
    user_id = callback.from_user.id
    position = await flow.position(user_id)
    if position.step is not Step.PHONE:
        # A button left from earlier: the phone is confirmed (or not open yet).
        await flow.show(bot, user_id, state, t, user_id, position)
        return
    await flow.ask_for_phone(bot, user_id, state, t)


async def show_phone_outcome(
    outcome: PhoneOutcome,
    user_id: int,
    chat_id: int,
    state: FSMContext,
    bot: Bot,
    flow: Flow,
    t: Texts,
    *,
    resend: bool = False,
) -> None:
    """What the person is told after giving a number or asking for a new code."""
    status = outcome.status
    if status in (PhoneStatus.CODE_SENT, PhoneStatus.CODE_ALREADY_SENT) and outcome.code:
        await flow.ask_for_code(bot, chat_id, state, t, outcome.code)
    elif status is PhoneStatus.REFUSED and outcome.problem is not None:
        await state.set_state(Registration.phone)
        await bot.send_message(
            chat_id,
            t(f"phone_refused.{outcome.problem.value}"),
            reply_markup=phone_request_keyboard(t),
        )
    elif status is PhoneStatus.LIMIT_REACHED:
        lead = t("phone_limit", max=flow.policy.phone_max_accounts)
        await flow.ask_for_phone(bot, chat_id, state, t, lead=lead)
    elif status is PhoneStatus.TOO_SOON:
        wait = t.count(outcome.seconds_left, "seconds")
        await bot.send_message(chat_id, t("sms_too_soon", wait=wait))
    elif status is PhoneStatus.DELIVERY_FAILED:
        if resend:
            await bot.send_message(
                chat_id, t("sms_resend_failed"), reply_markup=code_keyboard(t, resend_ready=True)
            )
        else:
            await state.set_state(Registration.phone)
            await bot.send_message(chat_id, t("sms_failed"), reply_markup=phone_request_keyboard(t))
    elif status is PhoneStatus.NO_NUMBER:
        await flow.ask_for_phone(bot, chat_id, state, t, lead=t("sms_no_number"))
    else:
        if status is PhoneStatus.ALREADY_CONFIRMED:
            await bot.send_message(chat_id, t("phone_already_confirmed"))
        await flow.show(bot, chat_id, state, t, user_id)


async def show_code_outcome(
    outcome: SmsCodeOutcome,
    user_id: int,
    chat_id: int,
    state: FSMContext,
    bot: Bot,
    flow: Flow,
    t: Texts,
) -> None:
    status = outcome.status
    policy = flow.policy
    if status is SmsCodeStatus.CONFIRMED and outcome.account and outcome.account.phone:
        await bot.send_message(
            chat_id, t("phone_confirmed", phone=display_phone(outcome.account.phone))
        )
        await flow.show(bot, chat_id, state, t, user_id)
    elif status is SmsCodeStatus.MALFORMED:
        example = "".join(str((i + 1) % 10) for i in range(policy.sms_code_length))
        await bot.send_message(
            chat_id, t("code_malformed", length=policy.sms_code_length, example=example)
        )
    elif status is SmsCodeStatus.WRONG:
        await bot.send_message(chat_id, t("code_wrong", left=outcome.attempts_left))
    elif status is SmsCodeStatus.EXHAUSTED:
        await bot.send_message(
            chat_id, t("code_exhausted"), reply_markup=code_keyboard(t, resend_ready=True)
        )
    elif status is SmsCodeStatus.LIMIT_REACHED:
        lead = t("phone_limit_at_confirm", max=policy.phone_max_accounts)
        await flow.ask_for_phone(bot, chat_id, state, t, lead=lead)
    else:
        # Expired, no live code, not yet at this step or already past it: the step as
        # it stands now says what to do (an expired code offers a new one).
        if status is SmsCodeStatus.ALREADY_CONFIRMED:
            await bot.send_message(chat_id, t("phone_already_confirmed"))
        await flow.show(bot, chat_id, state, t, user_id)


def router() -> Router:
    router = Router(name=__name__)
    at_phone_step = StateFilter(Registration.phone, Registration.sms_code)
    router.message.register(contact_shared, at_phone_step, Magic(F.contact))
    router.message.register(phone_typed, StateFilter(Registration.phone), Magic(F.text))
    router.message.register(phone_fallback, StateFilter(Registration.phone))
    router.message.register(code_typed, StateFilter(Registration.sms_code), Magic(F.text))
    router.message.register(code_fallback, StateFilter(Registration.sms_code))
    router.callback_query.register(resend_button, ResendSms.filter())
    router.callback_query.register(change_phone, ChangePhone.filter())
    return router
