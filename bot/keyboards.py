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


def no_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()
