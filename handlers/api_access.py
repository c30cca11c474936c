"""R13: API access, behind two-factor authentication: /api_access and its buttons."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message

from bot.domain.two_factor import ApiAccessService, ApiStatus, TwoFactorCheck, TwoFactorOutcome
from bot.support.masking import sensitive_reply
from bot.telegram.conversation import Conversation
from bot.telegram.qr import QrPhoto
from bot.ui.keyboards import (
    Api,
    ApiAction,
    BackupCodesSaved,
    api_keyboard,
    backup_codes_keyboard,
    talk_keyboard,
)
from handlers.filters import Matches
from handlers.flow import Flow
from states import ApiAccess, Registration


def grouped(secret: str) -> str:
    """The key as it is typed by hand: groups of four (authenticator apps ignore the
    spaces)."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


async def back_to_registered(conv: Conversation) -> None:
    """The API access questions end where a registered person is (R34's "registered")."""
    await conv.enter(Registration.active)


async def show_backup_codes(conv: Conversation, codes: tuple[str, ...]) -> None:
    """R25: the codes, with "I have saved the codes"; shown again until it is pressed."""
    # The codes are in this message: the conversation log keeps a mask instead (R18).
    with sensitive_reply("backup codes"):
        await conv.say(
            conv.t("api.backup_codes", codes="\n".join(codes)),
            reply_markup=backup_codes_keyboard(conv.t),
            lasting=True,  # R25: until pressed, whatever the step
        )


async def show_unsaved_backup_codes(conv: Conversation, api: ApiAccessService) -> bool:
    """The codes again, if the person has not said they saved them (after a crash, a
    lost message, a restart). False when there are none to show."""
    codes = await api.unsaved_backup_codes(conv.user_id)
    if codes:
        await show_backup_codes(conv, codes)
    return bool(codes)


async def show_api_access(conv: Conversation, api: ApiAccessService, flow: Flow) -> None:
    """Where API access stands for this person, and the next thing to do about it."""
    t = conv.t
    if await show_unsaved_backup_codes(conv, api):
        return
    view = await api.status(conv.user_id)
    if view.status is ApiStatus.NOT_ACTIVE:
        await conv.say(t("api.not_active", step=t.of("step_label", view.step)))
        await flow.show(conv)
    elif view.status is ApiStatus.SETUP_NEEDED:
        await start_setup(conv, api)
    elif view.status is ApiStatus.ON:
        await conv.say(t("api.status_on"), reply_markup=api_keyboard(t, ApiAction.OFF))
    else:
        await conv.say(t("api.status_off"), reply_markup=api_keyboard(t, ApiAction.ACTIVATE))


async def start_setup(conv: Conversation, api: ApiAccessService) -> None:
    t = conv.t
    await conv.forget_ephemeral()  # an earlier set-up's key: it stops working now
    setup = await api.start_setup(conv.user_id)
    if setup is None:  # meanwhile activated elsewhere, or 2FA is on already
        await conv.say(t("api.nothing_pending"))
        return
    # The secret is in this message: the conversation log keeps a mask instead (R18).
    with sensitive_reply("TOTP secret"):
        sent = await conv.bot.send_photo(
            conv.chat_id,
            QrPhoto(setup.uri),
            caption=t("api.setup_intro", secret=grouped(setup.secret), email=setup.email),
        )
    await conv.enter(ApiAccess.setup_code)
    # The key leaves the chat when the set-up ends, whichever way (R13).
    await conv.keep_until_step_ends(sent.message_id)
    if setup.replaced:
        # The app may already hold the earlier key, which stopped working just now.
        await conv.say(t("api.key_replaced"))
    await conv.say(t("api.ask_setup_code"))


async def api_command(
    message: Message, conv: Conversation, api_access: ApiAccessService, flow: Flow
) -> None:
    await show_api_access(conv, api_access, flow)


async def api_button(
    callback: CallbackQuery,
    callback_data: Api,
    conv: Conversation,
    api_access: ApiAccessService,
    flow: Flow,
) -> None:
    await callback.answer()
    t = conv.t
    view = await api_access.status(conv.user_id)
    action = callback_data.action
    if action is ApiAction.OFF and view.status is ApiStatus.ON:
        await conv.state.set_state(ApiAccess.code_to_switch_off)
        await conv.say(t("api.ask_code_off"))
    elif action is ApiAction.ACTIVATE and view.status is ApiStatus.OFF:
        await conv.state.set_state(ApiAccess.code_to_switch_on)
        await conv.say(t("api.ask_code_on"))
    elif action is ApiAction.RESTART and view.status is ApiStatus.SETUP_NEEDED:
        await start_setup(conv, api_access)
    else:
        await show_api_access(conv, api_access, flow)


async def setup_code(message: Message, conv: Conversation, api_access: ApiAccessService) -> None:
    assert message.text is not None
    t = conv.t
    outcome = await api_access.confirm_setup(
        conv.user_id, message.text, attempt_key=message.message_id
    )
    if outcome.result is TwoFactorCheck.ACCEPTED:
        await conv.forget_ephemeral()
        await back_to_registered(conv)
        await show_backup_codes(conv, outcome.backup_codes)
        await conv.say(t("api.enabled"))
    elif outcome.result is TwoFactorCheck.MALFORMED:
        await message.answer(t("api.setup_code_malformed"))
    elif outcome.result is TwoFactorCheck.WRONG:
        await message.answer(t("api.code_wrong", left=outcome.attempts_left))
    elif outcome.result is TwoFactorCheck.EXHAUSTED:
        await conv.forget_ephemeral()
        await back_to_registered(conv)
        await message.answer(
            t("api.setup_exhausted"), reply_markup=api_keyboard(t, ApiAction.RESTART)
        )
    else:
        await back_to_registered(conv)
        await message.answer(t("api.nothing_pending"))


async def switch_code(message: Message, conv: Conversation, api_access: ApiAccessService) -> None:
    assert message.text is not None
    on = await conv.at(ApiAccess.code_to_switch_on)
    outcome = await api_access.switch(
        conv.user_id, message.text, on=on, attempt_key=message.message_id
    )
    await show_switch(conv, outcome, on)


async def show_switch(conv: Conversation, outcome: TwoFactorOutcome, on: bool) -> None:
    t = conv.t
    if outcome.result is TwoFactorCheck.ACCEPTED:
        await back_to_registered(conv)
        if outcome.used_backup_code:
            await conv.say(t("api.backup_used"))
        await conv.say(t("api.enabled") if on else t("api.switched_off"))
    elif outcome.result is TwoFactorCheck.WRONG:
        await conv.say(t("api.code_wrong", left=outcome.attempts_left))
    elif outcome.result is TwoFactorCheck.MALFORMED:
        await conv.say(t("api.code_malformed"))
    elif outcome.result is TwoFactorCheck.REPLAYED:
        await conv.say(t("api.replayed"))
    elif outcome.result is TwoFactorCheck.LOCKED:
        await back_to_registered(conv)
        await conv.say(
            t("api.locked", wait=t.count(outcome.minutes_left, "minutes")),
            reply_markup=talk_keyboard(t),
        )
    else:
        await back_to_registered(conv)
        await conv.say(t("api.nothing_pending"))


async def codes_saved(
    callback: CallbackQuery, conv: Conversation, api_access: ApiAccessService
) -> None:
    """R25: from now on only the HMACs of the codes remain; the message goes too."""
    saved = await api_access.backup_codes_saved(conv.user_id)
    if isinstance(callback.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.delete()
    if not saved:
        # Pressed twice, or a message left from earlier: nothing was kept any more.
        await callback.answer(conv.t("stale_button"))
        return
    await callback.answer()
    await conv.say(conv.t("api.codes_saved"))


async def code_expected(message: Message, conv: Conversation) -> None:
    await message.answer(conv.t("api.code_malformed"))


def anytime_router() -> Router:
    router = Router(name=f"{__name__}.anytime")
    router.message.register(api_command, Command("api_access"))
    router.callback_query.register(api_button, Api.filter())
    router.callback_query.register(codes_saved, BackupCodesSaved.filter())
    return router


def router() -> Router:
    router = Router(name=__name__)
    awaiting_code = StateFilter(
        ApiAccess.setup_code, ApiAccess.code_to_switch_on, ApiAccess.code_to_switch_off
    )
    router.message.register(setup_code, StateFilter(ApiAccess.setup_code), Matches(F.text))
    switching = StateFilter(ApiAccess.code_to_switch_on, ApiAccess.code_to_switch_off)
    router.message.register(switch_code, switching, Matches(F.text))
    router.message.register(code_expected, awaiting_code)
    return router
