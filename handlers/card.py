"""Step 3: the payment card (R9): the invoice, Telegram's pre-checkout question, the
payment, the sandbox's simulated payment, and /card."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, PreCheckoutQuery

from bot.domain.card import CardService, PaymentOutcome, PaymentStatus
from bot.domain.steps import Step
from bot.keyboards import NewInvoice, SandboxDecline, SandboxPay, new_invoice_keyboard
from bot.texts import Texts
from handlers.filters import Magic
from handlers.flow import Flow
from states import Registration

log = logging.getLogger(__name__)


async def pre_checkout(query: PreCheckoutQuery, card: CardService, t: Texts) -> None:
    """Telegram waits at most 10 seconds for this answer: one read, then the answer."""
    verdict = await card.check_before_payment(
        query.from_user.id, query.invoice_payload, query.currency, query.total_amount
    )
    # Answered once; a second answer (the same query delivered again) is refused by
    # Telegram as too old, which changes nothing.
    with contextlib.suppress(TelegramBadRequest):
        if verdict.problem is None:
            await query.answer(ok=True)
        else:
            log.info("pre-checkout refused: %s", verdict.problem.value)
            await query.answer(ok=False, error_message=t(f"precheckout.{verdict.problem.value}"))


async def successful_payment(
    message: Message, state: FSMContext, bot: Bot, card: CardService, flow: Flow, t: Texts
) -> None:
    payment = message.successful_payment
    assert payment is not None
    assert message.from_user is not None
    outcome = await card.record_payment(
        message.from_user.id,
        payment.invoice_payload,
        payment.currency,
        payment.total_amount,
        payment.telegram_payment_charge_id,
        payment.provider_payment_charge_id,
    )
    await show_payment(
        outcome,
        message.from_user.id,
        message.chat.id,
        state,
        bot,
        flow,
        t,
        charge_id=payment.telegram_payment_charge_id,
    )


async def sandbox_pay(
    callback: CallbackQuery,
    callback_data: SandboxPay,
    state: FSMContext,
    bot: Bot,
    card: CardService,
    flow: Flow,
    t: Texts,
) -> None:
    user_id = callback.from_user.id
    outcome = await card.sandbox_pay(user_id, callback_data.payload)
    if outcome.status is PaymentStatus.REFUSED and outcome.problem is not None:
        await callback.answer(t(f"precheckout.{outcome.problem.value}"), show_alert=True)
        return
    await callback.answer()
    await show_payment(outcome, user_id, user_id, state, bot, flow, t)


async def sandbox_decline(
    callback: CallbackQuery, callback_data: SandboxDecline, card: CardService, t: Texts
) -> None:
    if not await card.sandbox_decline(callback.from_user.id, callback_data.payload):
        await callback.answer(t("stale_button"))
        return
    await callback.answer()
    await callback.bot.send_message(  # type: ignore[union-attr]
        callback.from_user.id, t("payment_declined"), reply_markup=new_invoice_keyboard(t)
    )


async def new_invoice(
    callback: CallbackQuery, state: FSMContext, bot: Bot, flow: Flow, t: Texts
) -> None:
    await callback.answer()
    await offer_card(callback.from_user.id, callback.from_user.id, state, bot, flow, t)


async def card_command(message: Message, state: FSMContext, bot: Bot, flow: Flow, t: Texts) -> None:
    assert message.from_user is not None
    await offer_card(message.from_user.id, message.chat.id, state, bot, flow, t)


async def offer_card(
    user_id: int, chat_id: int, state: FSMContext, bot: Bot, flow: Flow, t: Texts
) -> None:
    """A fresh invoice, where a card can be linked now; otherwise where the person is."""
    position = await flow.position(user_id)
    account = position.account
    if account is not None and account.has_done(Step.CARD):
        await bot.send_message(chat_id, t("card_already_linked"))
    elif position.step is Step.CARD:
        await flow.show(bot, chat_id, state, t, user_id, position)
    elif account is not None and position.step in (Step.ACTIVATION, Step.ACTIVE):
        # An exempt account linking a card later (R9): optional, same payment.
        await flow.offer_card(bot, chat_id, t, user_id, optional=True)
    else:
        await bot.send_message(chat_id, t("card_not_yet"))
        await flow.show(bot, chat_id, state, t, user_id, position)


async def card_fallback(message: Message, t: Texts) -> None:
    await message.answer(t("card_expected"), reply_markup=new_invoice_keyboard(t))


async def show_payment(
    outcome: PaymentOutcome,
    user_id: int,
    chat_id: int,
    state: FSMContext,
    bot: Bot,
    flow: Flow,
    t: Texts,
    *,
    charge_id: str = "",
) -> None:
    amount = t.money(outcome.amount_kopecks)
    if outcome.status is PaymentStatus.CARD_LINKED:
        await bot.send_message(chat_id, t("card_linked", amount=amount))
        await flow.show(bot, chat_id, state, t, user_id)  # the autopayment offer
    elif outcome.status is PaymentStatus.CREDITED:
        await bot.send_message(chat_id, t("card_credited_again", amount=amount))
    elif outcome.status is PaymentStatus.UNMATCHED:
        await bot.send_message(chat_id, t("payment_unmatched", charge_id=charge_id))
    else:
        # The same payment seen again: it was credited the first time. The step as it
        # stands now is shown, nothing more.
        await flow.show(bot, chat_id, state, t, user_id)


def anytime_router() -> Router:
    """What works in any state: money that arrives is recorded whatever the
    conversation is doing; /card and the payment buttons."""
    router = Router(name=f"{__name__}.anytime")
    router.pre_checkout_query.register(pre_checkout)
    router.message.register(successful_payment, Magic(F.successful_payment))
    router.message.register(card_command, Command("card"))
    router.callback_query.register(sandbox_pay, SandboxPay.filter())
    router.callback_query.register(sandbox_decline, SandboxDecline.filter())
    router.callback_query.register(new_invoice, NewInvoice.filter())
    return router


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(card_fallback, StateFilter(Registration.card))
    return router
