"""R13: API access, behind two-factor authentication: /api_access and its buttons."""

from __future__ import annotations

import io

import segno
from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.conversation_log import sensitive_reply
from bot.domain.two_factor import ApiAccessService, ApiStatus, TwoFactorCheck, TwoFactorOutcome
from bot.keyboards import Api, api_keyboard
from bot.texts import Texts
from handlers.filters import Magic
from handlers.flow import KEY_MESSAGE_FIELD, Flow
from states import ApiAccess


def qr_png(uri: str) -> bytes:
    """The otpauth:// URI as a PNG QR code, made here (no network, no image service)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


async def show_api_access(
    user_id: int,
    chat_id: int,
    state: FSMContext,
    bot: Bot,
    api: ApiAccessService,
    flow: Flow,
    t: Texts,
) -> None:
    """Where API access stands for this person, and the next thing to do about it."""
    status = await api.status(user_id)
    if status.status is ApiStatus.NOT_ACTIVE:
        await bot.send_message(
            chat_id, t("api.not_active", step=t(f"step_label.{status.step.value}"))
        )
        await flow.show(bot, chat_id, state, t, user_id)
    elif status.status is ApiStatus.SETUP_NEEDED:
        await start_setup(user_id, chat_id, state, bot, api, t)
    elif status.status is ApiStatus.ON:
        await bot.send_message(chat_id, t("api.status_on"), reply_markup=api_keyboard(t, "off"))
    else:
        await bot.send_message(
            chat_id, t("api.status_off"), reply_markup=api_keyboard(t, "activate")
        )


async def start_setup(
    user_id: int, chat_id: int, state: FSMContext, bot: Bot, api: ApiAccessService, t: Texts
) -> None:
    await Flow.forget_secret_message(bot, chat_id, state)
    setup = await api.start_setup(user_id)
    if setup is None:  # meanwhile activated elsewhere, or 2FA is on already
        await bot.send_message(chat_id, t("api.nothing_pending"))
        return
    # The secret is in this message: the conversation log keeps a mask instead (R18).
    with sensitive_reply("TOTP secret"):
        sent = await bot.send_photo(
            chat_id,
            BufferedInputFile(qr_png(setup.uri), filename="vkcloud-2fa.png"),
            caption=t("api.setup_intro", secret=setup.secret, email=setup.email),
        )
    await state.set_state(ApiAccess.setup_code)
    await state.set_data({KEY_MESSAGE_FIELD: sent.message_id})
    await bot.send_message(chat_id, t("api.ask_setup_code"))


async def api_command(
    message: Message,
    state: FSMContext,
    bot: Bot,
    api_access: ApiAccessService,
    flow: Flow,
    t: Texts,
) -> None:
    assert message.from_user is not None
    await show_api_access(message.from_user.id, message.chat.id, state, bot, api_access, flow, t)


async def api_button(
    callback: CallbackQuery,
    callback_data: Api,
    state: FSMContext,
    bot: Bot,
    api_access: ApiAccessService,
    flow: Flow,
    t: Texts,
) -> None:
    await callback.answer()
    user_id = callback.from_user.id
    api = api_access
    status = await api.status(user_id)
    if callback_data.action == "off" and status.status is ApiStatus.ON:
        await state.set_state(ApiAccess.code_to_switch_off)
        await bot.send_message(user_id, t("api.ask_code_off"))
    elif callback_data.action == "activate" and status.status is ApiStatus.OFF:
        await state.set_state(ApiAccess.code_to_switch_on)
        await bot.send_message(user_id, t("api.ask_code_on"))
    elif callback_data.action == "restart" and status.status is ApiStatus.SETUP_NEEDED:
        await start_setup(user_id, user_id, state, bot, api, t)
    else:
        await show_api_access(user_id, user_id, state, bot, api, flow, t)


async def setup_code(
    message: Message, state: FSMContext, bot: Bot, api_access: ApiAccessService, t: Texts
) -> None:
    assert message.text is not None
    assert message.from_user is not None
    chat_id = message.chat.id
    outcome = await api_access.confirm_setup(
        message.from_user.id, message.text, attempt_key=message.message_id
    )
    if outcome.result is TwoFactorCheck.ACCEPTED:
        await Flow.forget_secret_message(bot, chat_id, state)
        await state.clear()
        with sensitive_reply("backup codes"):
            await bot.send_message(
                chat_id, t("api.backup_codes", codes="\n".join(outcome.backup_codes))
            )
        await bot.send_message(chat_id, t("api.enabled"))
    elif outcome.result is TwoFactorCheck.MALFORMED:
        await message.answer(t("api.setup_code_malformed"))
    elif outcome.result is TwoFactorCheck.WRONG:
        await message.answer(t("api.code_wrong", left=outcome.attempts_left))
    elif outcome.result is TwoFactorCheck.EXHAUSTED:
        await Flow.forget_secret_message(bot, chat_id, state)
        await state.clear()
        await message.answer(t("api.setup_exhausted"), reply_markup=api_keyboard(t, "restart"))
    else:
        await state.clear()
        await message.answer(t("api.nothing_pending"))


async def switch_code(
    message: Message, state: FSMContext, api_access: ApiAccessService, t: Texts
) -> None:
    assert message.text is not None
    assert message.from_user is not None
    on = await state.get_state() == ApiAccess.code_to_switch_on.state
    outcome = await api_access.switch(
        message.from_user.id, message.text, on=on, attempt_key=message.message_id
    )
    await show_switch(outcome, on, message, state, t)


async def show_switch(
    outcome: TwoFactorOutcome, on: bool, message: Message, state: FSMContext, t: Texts
) -> None:
    if outcome.result is TwoFactorCheck.ACCEPTED:
        await state.clear()
        if outcome.used_backup_code:
            await message.answer(t("api.backup_used"))
        await message.answer(t("api.enabled") if on else t("api.switched_off"))
    elif outcome.result is TwoFactorCheck.WRONG:
        await message.answer(t("api.code_wrong", left=outcome.attempts_left))
    elif outcome.result is TwoFactorCheck.MALFORMED:
        await message.answer(t("api.code_malformed"))
    elif outcome.result is TwoFactorCheck.REPLAYED:
        await message.answer(t("api.replayed"))
    elif outcome.result is TwoFactorCheck.LOCKED:
        await state.clear()
        await message.answer(t("api.locked", minutes=outcome.minutes_left))
    else:
        await state.clear()
        await message.answer(t("api.nothing_pending"))


async def code_expected(message: Message, t: Texts) -> None:
    await message.answer(t("api.code_malformed"))


def anytime_router() -> Router:
    router = Router(name=f"{__name__}.anytime")
    router.message.register(api_command, Command("api_access"))
    router.callback_query.register(api_button, Api.filter())
    return router


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(setup_code, StateFilter(ApiAccess.setup_code), Magic(F.text))
    router.message.register(switch_code, StateFilter(ApiAccess.code_to_switch_on), Magic(F.text))
    router.message.register(switch_code, StateFilter(ApiAccess.code_to_switch_off), Magic(F.text))
    router.message.register(code_expected, StateFilter(ApiAccess.setup_code))
    router.message.register(code_expected, StateFilter(ApiAccess.code_to_switch_on))
    router.message.register(code_expected, StateFilter(ApiAccess.code_to_switch_off))
    return router
