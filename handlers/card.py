"""Step 3: the payment card (R9): the invoice, Telegram's pre-checkout question, the
payment, the sandbox's simulated payment, and /card. Owns the card step's prompt."""

from __future__ import annotations

import contextlib
import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message, PreCheckoutQuery

from bot.domain.card import (
    CardService,
    CheckProblem,
    OfferOutcome,
    OfferStatus,
    PaymentOutcome,
    PaymentStatus,
)
from bot.domain.money import CURRENCY
from bot.domain.registration import Position
from bot.domain.steps import Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import (
    NewInvoice,
    SandboxDecline,
    SandboxPay,
    new_invoice_keyboard,
    no_keyboard,
    with_talk,
)
from bot.ui.texts import Texts
from handlers.filters import Matches
from handlers.flow import Flow, StepRouter
from states import Registration

log = logging.getLogger(__name__)


async def card_prompt(conv: Conversation, where: Position, card: CardService) -> None:
    await conv.enter(Registration.card)
    await offer_card(conv, card, optional=False)


async def offer_card(conv: Conversation, card: CardService, *, optional: bool) -> OfferOutcome:
    """R9: what the payment is (before paying), then a fresh invoice."""
    t = conv.t
    key = "card_intro_optional" if optional else "card_intro"
    await conv.say(t(key, amount=t.money(card.amount_kopecks)), reply_markup=no_keyboard())
    outcome = await card.offer(conv.user_id, conv.chat_id, conv.language)
    if outcome.status is OfferStatus.GATEWAY_FAILED:
        await conv.say(t("card_gateway_failed"), reply_markup=new_invoice_keyboard(t))
    return outcome


async def pre_checkout(
    query: PreCheckoutQuery, card: CardService, t: Texts, conv: Conversation, flow: Flow
) -> None:
    """Telegram waits at most 10 seconds for this answer: one read, then the answer.
    A refused older form or one already paid is followed, in the chat, by what to do
    now (`after_refusal`), once the answer has gone."""
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
            await query.answer(ok=False, error_message=t.of("precheckout", verdict.problem))
    if verdict.problem is not None:
        await after_refusal(conv, verdict.problem, card, flow)


async def successful_payment(
    message: Message, conv: Conversation, card: CardService, flow: Flow
) -> None:
    payment = message.successful_payment
    assert payment is not None
    outcome = await card.record_payment(
        conv.user_id,
        payment.invoice_payload,
        payment.currency,
        payment.total_amount,
        payment.telegram_payment_charge_id,
        payment.provider_payment_charge_id,
    )
    await show_payment(conv, outcome, flow, charge_id=payment.telegram_payment_charge_id)


async def sandbox_pay(
    callback: CallbackQuery,
    callback_data: SandboxPay,
    conv: Conversation,
    card: CardService,
    flow: Flow,
) -> None:
    outcome = await card.sandbox_pay(conv.user_id, callback_data.payload)
    if outcome.status is PaymentStatus.REFUSED and outcome.problem is not None:
        await callback.answer(conv.t.of("precheckout", outcome.problem), show_alert=True)
        await after_refusal(conv, outcome.problem, card, flow)
        return
    await callback.answer()
    await show_payment(conv, outcome, flow)


async def after_refusal(
    conv: Conversation, problem: CheckProblem, card: CardService, flow: Flow
) -> None:
    """What follows a refused form in the chat (R9): the card linked already, the step
    the person is at; an older form, the newest sent again at the bottom of the chat
    (`card.offer` makes it the one payable form). Other refusals stand as said."""
    if problem is CheckProblem.ALREADY_PAID:
        await flow.show(conv)
    elif problem is CheckProblem.SUPERSEDED:
        await card_or_where(conv, card, flow)


async def sandbox_decline(
    callback: CallbackQuery, callback_data: SandboxDecline, conv: Conversation, card: CardService
) -> None:
    t = conv.t
    if not await card.sandbox_decline(conv.user_id, callback_data.payload):
        await callback.answer(t("stale_button"))
        return
    await callback.answer()
    await conv.say(t("payment_declined"), reply_markup=with_talk(t, new_invoice_keyboard(t)))


async def new_invoice(
    callback: CallbackQuery, conv: Conversation, card: CardService, flow: Flow
) -> None:
    await callback.answer()
    await card_or_where(conv, card, flow)


async def card_command(message: Message, conv: Conversation, card: CardService, flow: Flow) -> None:
    await card_or_where(conv, card, flow)


async def card_or_where(conv: Conversation, card: CardService, flow: Flow) -> None:
    """A fresh invoice, where a card can be linked now; otherwise where the person is."""
    t = conv.t
    position = await flow.position(conv.user_id)
    account = position.account
    if account is not None and account.has_done(Step.CARD):
        await conv.say(t("card_already_linked"))
        await flow.show(conv, position)
    elif position.step is Step.CARD:
        await flow.show(conv, position)
    elif account is not None and position.step in (Step.ACTIVATION, Step.ACTIVE):
        # An exempt account linking a card later (R9): optional, same payment.
        await offer_card(conv, card, optional=True)
    else:
        await conv.say(t("card_not_yet"))
        await flow.show(conv, position)


async def card_fallback(message: Message, conv: Conversation, flow: Flow) -> None:
    # The account decides (R12): a chat state left at the card by a crash after the
    # payment was recorded moves on to the step the person is really at.
    if not await flow.still_at(conv, Step.CARD):
        return
    await conv.say(conv.t("card_expected"), reply_markup=new_invoice_keyboard(conv.t))


async def show_payment(
    conv: Conversation, outcome: PaymentOutcome, flow: Flow, *, charge_id: str = ""
) -> None:
    t = conv.t
    amount = t.money(outcome.amount_kopecks)
    if outcome.status is PaymentStatus.CARD_LINKED:
        await conv.say(t("card_linked", amount=amount))
        await flow.show(conv)  # the autopayment offer
    elif outcome.status is PaymentStatus.CREDITED:
        await conv.say(t("card_credited_again", amount=amount))
    elif outcome.status is PaymentStatus.UNMATCHED:
        await conv.say(t("payment_unmatched", charge_id=charge_id))
    elif outcome.status is PaymentStatus.MISMATCHED:
        paid = (
            amount
            if outcome.currency == CURRENCY
            else t.amount(outcome.amount_kopecks, outcome.currency)
        )
        await conv.say(t("payment_mismatched", amount=paid), reply_markup=new_invoice_keyboard(t))
    else:
        # The same payment seen again: it was credited the first time. The step as it
        # stands now is shown, nothing more.
        await flow.show(conv)


def anytime_router() -> Router:
    """What works in any state: money that arrives is recorded whatever the
    conversation is doing; /card and the payment buttons."""
    router = Router(name=f"{__name__}.anytime")
    router.pre_checkout_query.register(pre_checkout)
    router.message.register(successful_payment, Matches(F.successful_payment))
    router.message.register(card_command, Command("card"))
    router.callback_query.register(sandbox_pay, SandboxPay.filter())
    router.callback_query.register(sandbox_decline, SandboxDecline.filter())
    router.callback_query.register(new_invoice, NewInvoice.filter())
    return router


def router() -> StepRouter:
    router = StepRouter(name=__name__, prompts={Step.CARD: card_prompt})
    router.message.register(card_fallback, StateFilter(Registration.card))
    return router
