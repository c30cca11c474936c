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


def no_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()
