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
from bot.domain.steps import Step
from bot.ui.texts import Texts


class ResendEmail(CallbackData, prefix="resend_email"):
    pass


class EmailAction(enum.Enum):
    CHANGE = "change"  # ask for another address (or, before the account, the email again)
    USE_TYPED = "use_typed"  # the address typed while waiting for the link
    KEEP = "keep"  # keep the address given


class ChangeEmail(CallbackData, prefix="email"):
    action: EmailAction


class DeleteAction(enum.Enum):
    CONFIRM = "confirm"
    KEEP = "keep"


class DeleteAccount(CallbackData, prefix="delete"):
    action: DeleteAction


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
    """Waiting for the link: the email again, or another address (R31)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(t("resend_button"), ResendEmail()),
            _button(t("change_email_button"), ChangeEmail(action=EmailAction.CHANGE)),
        ]
    )


def typed_email_keyboard(t: Texts) -> InlineKeyboardMarkup:
    """An address typed while waiting for the link: use it, or keep waiting."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(t("use_typed_email_button"), ChangeEmail(action=EmailAction.USE_TYPED)),
            _button(t("resend_button"), ResendEmail()),
        ]
    )


def keep_email_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(t("keep_email_button"), ChangeEmail(action=EmailAction.KEEP))]
    )


def password_keyboard(t: Texts) -> InlineKeyboardMarkup:
    """At the password question: back to the email (a typo seen only now)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(t("other_email_button"), ChangeEmail(action=EmailAction.CHANGE))]
    )


def delete_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(t("delete_confirm_button"), DeleteAccount(action=DeleteAction.CONFIRM)),
            _button(t("delete_keep_button"), DeleteAccount(action=DeleteAction.KEEP)),
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


def autopay_question_keyboard(t: Texts) -> InlineKeyboardMarkup:
    """Under the amount questions: a way out without answering (settings kept)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(t("autopay.skip_button"), Autopay(action=AutopayAction.SKIP))]
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
    return with_talk(t, api_keyboard(t, ApiAction.ACTIVATE))


def help_keyboard(
    t: Texts, step: Step, *, at_password: bool, at_code: bool
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """/help's buttons: the ones its text names for the person's step (R33)."""
    if step is Step.SIGN_UP:
        return password_keyboard(t) if at_password else no_keyboard()
    if step is Step.EMAIL:
        return resend_email_keyboard(t)
    if step is Step.PHONE:
        return code_keyboard(t, resend_ready=False) if at_code else phone_request_keyboard(t)
    if step is Step.CARD:
        return new_invoice_keyboard(t)
    if step is Step.ACTIVATION:
        return get_started_keyboard(t)
    return no_keyboard()


# -- the support desk (issue 18) ------------------------------------------------------
class DeskAction(enum.Enum):
    OPEN = "open"
    BACK = "back"


class Desk(CallbackData, prefix="desk"):
    action: DeskAction


def talk_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(t("desk.talk_button"), Desk(action=DeskAction.OPEN))]
    )


def back_to_registration_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(t("desk.back_button"), Desk(action=DeskAction.BACK))]
    )


def with_talk(
    t: Texts, markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None
) -> InlineKeyboardMarkup:
    """`markup` with "Talk to a person" under it. A keyboard under the input field
    stays where the step's prompt put it; the message gets the inline button alone."""
    rows = list(markup.inline_keyboard) if isinstance(markup, InlineKeyboardMarkup) else []
    return InlineKeyboardMarkup(
        inline_keyboard=[*rows, _button(t("desk.talk_button"), Desk(action=DeskAction.OPEN))]
    )


# -- reminders (issue 19) -------------------------------------------------------------
class RemindAction(enum.Enum):
    CONTINUE = "continue"
    OFF = "off"


class Remind(CallbackData, prefix="remind"):
    action: RemindAction


def reminder_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(t("reminder.continue_button"), Remind(action=RemindAction.CONTINUE)),
            _button(t("reminder.off_button"), Remind(action=RemindAction.OFF)),
        ]
    )
