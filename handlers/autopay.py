"""R10: the autopayment offer after the card, its two questions, and /autopay."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.autopay import AutopayService, AutopayStatus
from bot.domain.money import AmountVerdict, rubles
from bot.domain.records import AutopaySettings
from bot.domain.steps import Step
from bot.keyboards import Autopay, autopay_manage_keyboard
from bot.texts import Texts
from handlers.filters import Magic
from handlers.flow import Flow
from states import Registration


async def autopay_command(message: Message, autopay: AutopayService, t: Texts) -> None:
    """The current settings with their numbers, and what can be done with them."""
    assert message.from_user is not None
    account, settings = await autopay.settings_of(message.from_user.id)
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


async def set_up(
    callback: CallbackQuery, state: FSMContext, autopay: AutopayService, flow: Flow, t: Texts
) -> None:
    await callback.answer()
    user_id = callback.from_user.id
    account, _ = await autopay.settings_of(user_id)
    bot = callback.bot
    assert bot is not None
    if account is None or not account.has_done(Step.CARD):
        await bot.send_message(user_id, t("autopay.no_card"))
        return
    await state.set_data({})
    await flow.ask_autopay_amount(bot, user_id, state, t)


async def amount_given(
    message: Message, state: FSMContext, bot: Bot, autopay: AutopayService, flow: Flow, t: Texts
) -> None:
    assert message.text is not None
    policy = autopay.policy
    verdict = autopay.parse_amount(message.text)
    if not verdict.ok or verdict.rubles is None:
        await message.answer(
            refusal(verdict, t, policy.autopay_min_rub, policy.autopay_max_rub, example=1000)
        )
        return
    await state.update_data(amount_rub=verdict.rubles)
    await flow.ask_autopay_threshold(bot, message.chat.id, state, t)


async def threshold_given(
    message: Message, state: FSMContext, bot: Bot, autopay: AutopayService, flow: Flow, t: Texts
) -> None:
    assert message.text is not None
    verdict = autopay.parse_threshold(message.text)
    if not verdict.ok or verdict.rubles is None:
        limit = autopay.policy.autopay_threshold_max_rub
        await message.answer(refusal(verdict, t, 0, limit, example=500))
        return
    await state.update_data(threshold_rub=verdict.rubles)
    await flow.autopay_summary(bot, message.chat.id, state, t)


async def save(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    autopay: AutopayService,
    flow: Flow,
    t: Texts,
) -> None:
    user_id = callback.from_user.id
    data = await state.get_data()
    if "amount_rub" not in data or "threshold_rub" not in data:
        # Saved already (a double tap) or a button left from earlier.
        await callback.answer(t("stale_button"))
        return
    await callback.answer()
    outcome = await autopay.save(user_id, int(data["amount_rub"]), int(data["threshold_rub"]))
    if outcome.status is AutopayStatus.SAVED and outcome.settings is not None:
        await state.set_data({})
        await bot.send_message(user_id, describe(outcome.settings, t, "autopay.saved"))
        await continue_after(user_id, state, bot, flow, t)
    elif outcome.status is AutopayStatus.NO_CARD:
        await bot.send_message(user_id, t("autopay.no_card"))
    else:
        await flow.show(bot, user_id, state, t, user_id)


async def skip(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    autopay: AutopayService,
    flow: Flow,
    t: Texts,
) -> None:
    await callback.answer()
    user_id = callback.from_user.id
    outcome = await autopay.skip(user_id)
    if outcome.status is AutopayStatus.SAVED:
        await bot.send_message(user_id, t("autopay.skipped"))
    await flow.show(bot, user_id, state, t, user_id)


async def turn_off(
    callback: CallbackQuery, state: FSMContext, bot: Bot, autopay: AutopayService, t: Texts
) -> None:
    await callback.answer()
    outcome = await autopay.turn_off(callback.from_user.id)
    if outcome.status is AutopayStatus.SAVED:
        await bot.send_message(callback.from_user.id, t("autopay.off"))


async def amount_fallback(message: Message, t: Texts) -> None:
    await message.answer(t("autopay.expected_text", example=1000))


async def continue_after(user_id: int, state: FSMContext, bot: Bot, flow: Flow, t: Texts) -> None:
    """After autopayment: on to "Get started" during registration; later, nothing more."""
    position = await flow.position(user_id)
    if position.step is Step.ACTIVE:
        await state.set_state(Registration.active)
        return
    await flow.show(bot, user_id, state, t, user_id, position)


def describe(settings: AutopaySettings, t: Texts, key: str) -> str:
    return t(
        key,
        amount=t.money(settings.amount_kopecks or 0),
        threshold=t.money(settings.threshold_kopecks or 0),
    )


def refusal(verdict: AmountVerdict, t: Texts, low: int, high: int, *, example: int) -> str:
    if verdict.rubles is None:
        return t("autopay.not_a_number", example=example)
    return t(
        "autopay.out_of_range",
        value=t.money(rubles(verdict.rubles)),
        min=t.money(rubles(low)),
        max=t.money(rubles(high)),
    )


def anytime_router() -> Router:
    """/autopay and its buttons: available at any time after the card (R10)."""
    router = Router(name=f"{__name__}.anytime")
    router.message.register(autopay_command, Command("autopay"))
    router.callback_query.register(set_up, Autopay.filter(F.action == "setup"))
    router.callback_query.register(skip, Autopay.filter(F.action == "skip"))
    router.callback_query.register(save, Autopay.filter(F.action == "save"))
    router.callback_query.register(turn_off, Autopay.filter(F.action == "off"))
    return router


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(amount_given, StateFilter(Registration.autopay_amount), Magic(F.text))
    router.message.register(amount_fallback, StateFilter(Registration.autopay_amount))
    router.message.register(
        threshold_given, StateFilter(Registration.autopay_threshold), Magic(F.text)
    )
    router.message.register(amount_fallback, StateFilter(Registration.autopay_threshold))
    return router
