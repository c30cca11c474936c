"""R11: the activation step ("Get started" and the bonus, after the autopayment offer),
the finished registration, and /balance. Owns the prompts of both."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.activation import ActivationService, ActivationStatus
from bot.domain.autopay import AutopayService
from bot.domain.money import Balance
from bot.domain.registration import Position
from bot.domain.steps import Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import GetStarted, activated_keyboard, get_started_keyboard, no_keyboard
from bot.ui.texts import Html, Texts
from handlers import autopay as autopay_questions
from handlers.flow import Flow, StepRouter
from states import Registration


async def activation_prompt(
    conv: Conversation, where: Position, autopay: AutopayService, activation: ActivationService
) -> None:
    """With a card: the autopayment offer first (or its open question), then "Get
    started". Without one (an exempt domain): "Get started", the card said to be later."""
    account = where.account
    assert account is not None
    if account.has_done(Step.CARD):
        if await autopay_questions.resume_questions(conv, autopay):
            return
        if where.autopay is None:
            await autopay_questions.offer(conv)
            return
    t = conv.t
    await conv.enter(Registration.activation)
    no_card_needed = where.card_exempt and not account.has_done(Step.CARD)
    key = "activation_intro_exempt" if no_card_needed else "activation_intro"
    bonus = t.number(activation.policy.bonus_points)
    await conv.say(t(key, bonus=bonus), reply_markup=get_started_keyboard(t))


async def registration_done(conv: Conversation, where: Position) -> None:
    await conv.enter(Registration.active)
    await conv.say(conv.t("registration_done"), reply_markup=no_keyboard())


def balance_text(balance: Balance, t: Texts) -> str:
    return t(
        "balance",
        money=t.money(balance.money_kopecks),
        points=t.number(balance.bonus_points),
        total=t.money(balance.total_kopecks),
    )


async def get_started(
    callback: CallbackQuery, conv: Conversation, activation: ActivationService, flow: Flow
) -> None:
    t = conv.t
    outcome = await activation.activate(conv.user_id)
    if outcome.status is ActivationStatus.ALREADY_ACTIVE:
        # A second press, a double tap or a stale button: nothing is credited again.
        await callback.answer(t("already_active"), show_alert=True)
        return
    await callback.answer()
    if outcome.status is ActivationStatus.NOT_YET:
        await flow.show(conv)
        return
    await conv.enter(Registration.active)
    await conv.say(
        t(
            "activated",
            bonus=t.number(outcome.bonus_kopecks // 100),
            balance=Html(balance_text(outcome.balance, t)),
        ),
        reply_markup=activated_keyboard(t),
    )


async def balance_command(
    message: Message, conv: Conversation, activation: ActivationService
) -> None:
    account, balance = await activation.balance_of(conv.user_id)
    if account is None:
        await message.answer(conv.t("balance_no_account"))
        return
    await message.answer(balance_text(balance, conv.t))


def anytime_router() -> StepRouter:
    """ "Get started" and /balance work in any state."""
    router = StepRouter(
        name=f"{__name__}.anytime",
        prompts={Step.ACTIVATION: activation_prompt, Step.ACTIVE: registration_done},
    )
    router.callback_query.register(get_started, GetStarted.filter())
    router.message.register(balance_command, Command("balance"))
    return router
