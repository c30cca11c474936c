"""Keyboards as pure functions of the texts; callback data classes with a prefix."""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.domain.preferences import Language
from bot.ui.texts import Texts


class ResendEmail(CallbackData, prefix="resend_email"):
    pass


class ChooseLanguage(CallbackData, prefix="lang"):
    code: Language


class ResendSms(CallbackData, prefix="resend_sms"):
    pass


class ChangePhone(CallbackData, prefix="change_phone"):
    pass


class SandboxPay(CallbackData, prefix="sbx_pay"):
    payload: str


class SandboxDecline(CallbackData, prefix="sbx_decline"):
    payload: str


class NewInvoice(CallbackData, prefix="new_invoice"):
    pass


class AutopayAction(enum.Enum):
    SETUP = "setup"  # set up, or change
    SKIP = "skip"
    SAVE = "save"
    OFF = "off"


class Autopay(CallbackData, prefix="autopay"):
    action: AutopayAction


class GetStarted(CallbackData, prefix="get_started"):
    pass


class ApiAction(enum.Enum):
    ACTIVATE = "activate"  # API access on, or the two-factor set-up
    OFF = "off"
    RESTART = "restart"  # a new key for the set-up


class Api(CallbackData, prefix="api"):
    action: ApiAction


def resend_email_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t("resend_button"), callback_data=ResendEmail().pack())]
        ]
    )


def language_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t.of("language_name", code),
                    callback_data=ChooseLanguage(code=code).pack(),
                )
                for code in Language
            ]
        ]
    )


def phone_request_keyboard(t: Texts) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("phone_button"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def code_keyboard(t: Texts, *, resend_ready: bool) -> InlineKeyboardMarkup:
    """Under the question for the SMS code: "The code didn't arrive?" once the delay has
    passed (R8), and a way to correct the number at any time."""
    rows = []
    if resend_ready:
        rows.append(
            [InlineKeyboardButton(text=t("sms_resend_button"), callback_data=ResendSms().pack())]
        )
    rows.append(
        [InlineKeyboardButton(text=t("change_phone_button"), callback_data=ChangePhone().pack())]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _button(text: str, data: CallbackData) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=data.pack())]


def sandbox_payment_keyboard(t: Texts, payload: str, amount_kopecks: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(
                t("sandbox.pay_button", amount=t.money(amount_kopecks)), SandboxPay(payload=payload)
            ),
            _button(t("sandbox.decline_button"), SandboxDecline(payload=payload)),
        ]
    )


def new_invoice_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[_button(t("new_invoice_button"), NewInvoice())])


def autopay_offer_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(t("autopay.setup_button"), Autopay(action=AutopayAction.SETUP)),
            _button(t("autopay.skip_button"), Autopay(action=AutopayAction.SKIP)),
        ]
    )


def autopay_confirm_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(t("autopay.save_button"), Autopay(action=AutopayAction.SAVE)),
            _button(t("autopay.change_button"), Autopay(action=AutopayAction.SETUP)),
        ]
    )


def autopay_manage_keyboard(t: Texts, *, enabled: bool) -> InlineKeyboardMarkup:
    rows = [
        _button(
            t("autopay.change_button" if enabled else "autopay.setup_button"),
            Autopay(action=AutopayAction.SETUP),
        )
    ]
    if enabled:
        rows.append(_button(t("autopay.off_button"), Autopay(action=AutopayAction.OFF)))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def get_started_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[_button(t("get_started_button"), GetStarted())])


def no_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()


def api_keyboard(t: Texts, action: ApiAction) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(t.of("api_button", action), Api(action=action))]
    )


class BackupCodesSaved(CallbackData, prefix="codes_saved"):
    pass


def backup_codes_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(t("api.codes_saved_button"), BackupCodesSaved())]
    )


def activated_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return api_keyboard(t, ApiAction.ACTIVATE)
