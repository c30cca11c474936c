"""R10: the autopayment offer after the card, its two questions, and /autopay."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message

from bot.domain.autopay import AutopayService, AutopayStatus
from bot.domain.money import AmountProblem, AmountVerdict, rubles
from bot.domain.records import AutopaySettings
from bot.domain.steps import Step
from bot.telegram.conversation import Conversation
from bot.ui.keyboards import (
    Autopay,
    AutopayAction,
    autopay_confirm_keyboard,
    autopay_manage_keyboard,
    autopay_offer_keyboard,
    autopay_question_keyboard,
)
from bot.ui.texts import Texts
from handlers.filters import Matches
from handlers.flow import Flow
from states import Registration

# FSM data: the answers given so far.
AMOUNT, THRESHOLD = "amount_rub", "threshold_rub"


async def offer(conv: Conversation) -> None:
    """The offer after the card (the activation step's first question)."""
    await conv.enter(Registration.activation)
    await conv.say(conv.t("autopay.offer"), reply_markup=autopay_offer_keyboard(conv.t))


async def resume_questions(conv: Conversation, autopay: AutopayService) -> bool:
    """Mid-way through the questions: the open question again, with what was already
    answered kept. False when no question is open."""
    data = await conv.state.get_data()
    if await conv.at(Registration.autopay_amount):
        await ask_amount(conv, autopay)
    elif await conv.at(Registration.autopay_threshold) and AMOUNT in data:
        await ask_threshold(conv, autopay)
    elif await conv.at(Registration.autopay_confirm) and {AMOUNT, THRESHOLD} <= data.keys():
        await summary(conv)
    else:
        return False
    return True


async def ask_amount(conv: Conversation, autopay: AutopayService) -> None:
    t, policy = conv.t, autopay.policy
    await conv.state.set_state(Registration.autopay_amount)
    await conv.say(
        t(
            "autopay.ask_amount",
            min=t.money(rubles(policy.autopay_min_rub)),
            max=t.money(rubles(policy.autopay_max_rub)),
        ),
        reply_markup=autopay_question_keyboard(t),
    )


async def ask_threshold(conv: Conversation, autopay: AutopayService) -> None:
    t = conv.t
    await conv.state.set_state(Registration.autopay_threshold)
    await conv.say(
        t(
            "autopay.ask_threshold",
            min=t.money(0),
            max=t.money(rubles(autopay.policy.autopay_threshold_max_rub)),
        ),
        reply_markup=autopay_question_keyboard(t),
    )


async def summary(conv: Conversation) -> None:
    t = conv.t
    data = await conv.state.get_data()
    await conv.state.set_state(Registration.autopay_confirm)
    await conv.say(
        t(
            "autopay.summary",
            amount=t.money(rubles(int(data[AMOUNT]))),
            threshold=t.money(rubles(int(data[THRESHOLD]))),
        ),
        reply_markup=autopay_confirm_keyboard(t),
    )


async def autopay_command(message: Message, conv: Conversation, autopay: AutopayService) -> None:
    """The current settings with their numbers, and what can be done with them."""
    t = conv.t
    account, settings = await autopay.settings_of(conv.user_id)
    if account is None:
        await message.answer(t("balance_no_account"))
    elif not account.has_done(Step.CARD):
        await message.answer(t("autopay.no_card"))
    elif settings is not None and settings.enabled:
        await message.answer(
            describe(settings, t, "autopay.status_on"),
            reply_markup=autopay_manage_keyboard(t, enabled=True),
        )
    else:
        await message.answer(
            t("autopay.status_off"), reply_markup=autopay_manage_keyboard(t, enabled=False)
        )


async def set_up(callback: CallbackQuery, conv: Conversation, autopay: AutopayService) -> None:
    await callback.answer()
    account, _ = await autopay.settings_of(conv.user_id)
    if account is None or not account.has_done(Step.CARD):
        await conv.say(conv.t("autopay.no_card"))
        return
    await conv.state.set_data({})
    await ask_amount(conv, autopay)


async def amount_given(message: Message, conv: Conversation, autopay: AutopayService) -> None:
    assert message.text is not None
    policy = autopay.policy
    verdict = autopay.parse_amount(message.text)
    if not verdict.ok or verdict.rubles is None:
        await message.answer(
            refusal(verdict, conv.t, policy.autopay_min_rub, policy.autopay_max_rub, example=1000)
        )
        return
    await conv.state.update_data({AMOUNT: verdict.rubles})
    await ask_threshold(conv, autopay)


async def threshold_given(message: Message, conv: Conversation, autopay: AutopayService) -> None:
    assert message.text is not None
    verdict = autopay.parse_threshold(message.text)
    if not verdict.ok or verdict.rubles is None:
        limit = autopay.policy.autopay_threshold_max_rub
        await message.answer(refusal(verdict, conv.t, 0, limit, example=500))
        return
    await conv.state.update_data({THRESHOLD: verdict.rubles})
    await summary(conv)


async def save(
    callback: CallbackQuery, conv: Conversation, autopay: AutopayService, flow: Flow
) -> None:
    t = conv.t
    data = await conv.state.get_data()
    if AMOUNT not in data or THRESHOLD not in data:
        # Saved already (a double tap) or a button left from earlier.
        await callback.answer(t("stale_button"))
        return
    await callback.answer()
    outcome = await autopay.save(conv.user_id, int(data[AMOUNT]), int(data[THRESHOLD]))
    if outcome.status is AutopayStatus.SAVED and outcome.settings is not None:
        await conv.state.set_data({})
        await conv.say(describe(outcome.settings, t, "autopay.saved"))
        await continue_after(conv, flow)
    elif outcome.status is AutopayStatus.NO_CARD:
        await conv.say(t("autopay.no_card"))
    else:
        await flow.show(conv)


async def skip(
    callback: CallbackQuery, conv: Conversation, autopay: AutopayService, flow: Flow
) -> None:
    await callback.answer()
    outcome = await autopay.skip(conv.user_id)
    if outcome.status is AutopayStatus.SAVED:
        await conv.say(conv.t("autopay.skipped"))
    await flow.show(conv)


async def turn_off(callback: CallbackQuery, conv: Conversation, autopay: AutopayService) -> None:
    await callback.answer()
    outcome = await autopay.turn_off(conv.user_id)
    if outcome.status is AutopayStatus.SAVED:
        await conv.say(conv.t("autopay.off"))


async def amount_fallback(message: Message, conv: Conversation) -> None:
    await message.answer(conv.t("autopay.expected_text", example=1000))


async def continue_after(conv: Conversation, flow: Flow) -> None:
    """After autopayment: on to "Get started" during registration; later, nothing more."""
    position = await flow.position(conv.user_id)
    if position.step is Step.ACTIVE:
        await conv.state.set_state(Registration.active)
        return
    await flow.show(conv, position)


def describe(settings: AutopaySettings, t: Texts, key: str) -> str:
    return t(
        key,
        amount=t.money(settings.amount_kopecks or 0),
        threshold=t.money(settings.threshold_kopecks or 0),
    )


def refusal(verdict: AmountVerdict, t: Texts, low: int, high: int, *, example: int) -> str:
    """Why the amount is not taken, in the person's terms ("-5": never below zero)."""
    problem = verdict.problem or AmountProblem.NOT_A_NUMBER
    return t.of(
        "amount_problem",
        problem,
        value=t.money(rubles(verdict.rubles or 0)),
        min=t.money(rubles(low)),
        max=t.money(rubles(high)),
        example=example,
    )


def anytime_router() -> Router:
    """/autopay and its buttons: available at any time after the card (R10)."""
    router = Router(name=f"{__name__}.anytime")
    router.message.register(autopay_command, Command("autopay"))
    on = Autopay.filter
    router.callback_query.register(set_up, on(F.action == AutopayAction.SETUP))
    router.callback_query.register(skip, on(F.action == AutopayAction.SKIP))
    router.callback_query.register(save, on(F.action == AutopayAction.SAVE))
    router.callback_query.register(turn_off, on(F.action == AutopayAction.OFF))
    return router


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(amount_given, StateFilter(Registration.autopay_amount), Matches(F.text))
    router.message.register(amount_fallback, StateFilter(Registration.autopay_amount))
    router.message.register(
        threshold_given, StateFilter(Registration.autopay_threshold), Matches(F.text)
    )
    router.message.register(amount_fallback, StateFilter(Registration.autopay_threshold))
    return router
