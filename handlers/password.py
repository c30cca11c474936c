"""Sign-up, second question: the password (R2, R3), then the account (R4)."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.types import Message

from bot.domain.policy import PASSWORD_SYMBOLS_IN_ORDER
from bot.domain.signup import SignupService, SignupStatus
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import password_keyboard, resend_email_keyboard
from bot.ui.texts import Html
from handlers.filters import Matches
from handlers.flow import Flow
from states import Registration

SYMBOLS_SHOWN = " ".join(PASSWORD_SYMBOLS_IN_ORDER)


async def ask_password(conv: Conversation, email: str, signup: SignupService) -> None:
    await conv.say(
        conv.t(
            "ask_password",
            email=email,
            min_length=signup.policy.password_min_length,
            symbols=SYMBOLS_SHOWN,
        ),
        reply_markup=password_keyboard(conv.t),
    )


async def password_given(
    message: Message, conv: Conversation, signup: SignupService, flow: Flow
) -> None:
    assert message.text is not None
    password = message.text
    t = conv.t
    # R3: gone from the chat before anything else happens. Already gone (a second
    # delivery of this update) is fine.
    with contextlib.suppress(TelegramBadRequest):
        await message.delete()
    email = await conv.state.get_value("email")
    if not email:
        await flow.show(conv)  # the email question: it was not kept
        return
    outcome = await signup.create_account(conv.user_id, email, password, conv.language)

    if outcome.status is SignupStatus.PASSWORD_REFUSED:
        policy = signup.policy
        reasons = "\n".join(
            "• "
            + t.of(
                "password_rule",
                rule,
                min_length=policy.password_min_length,
                max_length=policy.password_max_length,
                symbols=SYMBOLS_SHOWN,
            )
            for rule in outcome.failures
        )
        await conv.say(
            t("password_refused", reasons=Html(reasons)), reply_markup=password_keyboard(t)
        )
        return
    if outcome.status in (SignupStatus.EMAIL_TAKEN, SignupStatus.EMAIL_INVALID):
        await conv.enter(Registration.email)
        key = "email_taken" if outcome.status is SignupStatus.EMAIL_TAKEN else "email_invalid"
        await message.answer(t(key))
        return

    account = outcome.account
    assert account is not None
    if outcome.status is SignupStatus.ALREADY_CREATED:
        # The same update again (a redelivery after a crash) or a second tap: no new
        # account and no new email; the person continues wherever the account is.
        await flow.show(conv)
        return
    await conv.enter(Registration.awaiting_email_link)
    if not outcome.email_delivered:
        text = t("account_created_email_failed", email=account.email)
    else:
        text = t(
            "account_created",
            email=account.email,
            sender=signup.email_sender_address,
            ttl=t.duration(signup.policy.email_link_ttl_seconds),
        )
    await conv.say(text, reply_markup=resend_email_keyboard(t))


async def password_fallback(message: Message, conv: Conversation) -> None:
    await conv.say(conv.t("password_expected"), reply_markup=password_keyboard(conv.t))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(password_given, StateFilter(Registration.password), Matches(F.text))
    router.message.register(password_fallback, StateFilter(Registration.password))
    return router
