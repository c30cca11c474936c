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
from bot.domain.two_factor import ApiAccessService
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import GetStarted, activated_keyboard, get_started_keyboard, no_keyboard
from bot.ui.texts import Html, Texts
from handlers import api_access as api_handlers
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
    bonus = t.count(activation.policy.bonus_points, "bonus_points")
    await conv.say(t(key, bonus=bonus), reply_markup=get_started_keyboard(t))


async def registration_done(
    conv: Conversation, where: Position, api_access: ApiAccessService
) -> None:
    await conv.enter(Registration.active)
    # R25: backup codes not yet said to be saved come first, whatever was asked.
    if await api_handlers.show_unsaved_backup_codes(conv, api_access):
        return
    await conv.say(conv.t("registration_done"), reply_markup=no_keyboard())


def balance_text(balance: Balance, t: Texts) -> str:
    lines = [
        t(
            "balance",
            money=t.money(balance.money_kopecks),
            points=t.number(balance.bonus_points),
            total=t.money(balance.total_kopecks),
        )
    ]
    # R21, R28: shown apart, and never in the total.
    if balance.simulated_kopecks:
        lines.append(t("balance_simulated", amount=t.money(balance.simulated_kopecks)))
    for currency, amount in balance.held:
        lines.append(t("balance_held", amount=t.amount(amount, currency)))
    return "\n".join(lines)


async def get_started(
    callback: CallbackQuery, conv: Conversation, activation: ActivationService, flow: Flow
) -> None:
    t = conv.t
    outcome = await activation.activate(conv.user_id)
    if outcome.status is ActivationStatus.ALREADY_ACTIVE:
        # A second press, a double tap or a stale button: nothing is credited again.
        # The alert says where the person is; the registration is over, so there is
        # no next prompt to add, and a double tap sends no second message.
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
            bonus=t.count(outcome.bonus_kopecks // 100, "bonus_points"),
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
