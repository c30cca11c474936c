"""Keyboards as pure functions of the texts; callback data classes with a prefix."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.texts import LANGUAGES, Texts


class ResendEmail(CallbackData, prefix="resend_email"):
    pass


class ChooseLanguage(CallbackData, prefix="lang"):
    code: str


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


class Autopay(CallbackData, prefix="autopay"):
    action: str  # "setup", "skip", "save", "change", "off"


class GetStarted(CallbackData, prefix="get_started"):
    pass


class Api(CallbackData, prefix="api"):
    action: str  # "activate", "off", "restart"


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
                    text=t(f"language_name.{code}"), callback_data=ChooseLanguage(code=code).pack()
                )
                for code in LANGUAGES
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
            _button(t("autopay.setup_button"), Autopay(action="setup")),
            _button(t("autopay.skip_button"), Autopay(action="skip")),
        ]
    )


def autopay_confirm_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(t("autopay.save_button"), Autopay(action="save")),
            _button(t("autopay.change_button"), Autopay(action="setup")),
        ]
    )


def autopay_manage_keyboard(t: Texts, *, enabled: bool) -> InlineKeyboardMarkup:
    rows = [
        _button(
            t("autopay.change_button" if enabled else "autopay.setup_button"),
            Autopay(action="setup"),
        )
    ]
    if enabled:
        rows.append(_button(t("autopay.off_button"), Autopay(action="off")))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def get_started_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[_button(t("get_started_button"), GetStarted())])


def no_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()


def api_keyboard(t: Texts, action: str) -> InlineKeyboardMarkup:
    """One button: "activate" (API access on, or 2FA set-up), "off", or "restart"."""
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(t(f"api.{action}_button"), Api(action=action))]
    )


def activated_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return api_keyboard(t, "activate")
