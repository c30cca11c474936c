"""R11: "Get started with VK Cloud" and the bonus; /balance."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.domain.activation import ActivationService, ActivationStatus
from bot.domain.money import Balance
from bot.keyboards import GetStarted, activated_keyboard
from bot.texts import Html, Texts
from handlers.flow import Flow
from states import Registration


def balance_text(balance: Balance, t: Texts) -> str:
    return t(
        "balance",
        money=t.money(balance.money_kopecks),
        points=t.number(balance.bonus_points),
        total=t.money(balance.total_kopecks),
    )


async def get_started(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    activation: ActivationService,
    flow: Flow,
    t: Texts,
) -> None:
    user_id = callback.from_user.id
    outcome = await activation.activate(user_id)
    if outcome.status is ActivationStatus.ALREADY_ACTIVE:
        # A second press, a double tap or a stale button: nothing is credited again.
        await callback.answer(t("already_active"), show_alert=True)
        return
    await callback.answer()
    if outcome.status is ActivationStatus.NOT_YET:
        await flow.show(bot, user_id, state, t, user_id)
        return
    await state.set_state(Registration.active)
    await state.set_data({})
    bonus_points = outcome.bonus_kopecks // 100
    await bot.send_message(
        user_id,
        t(
            "activated",
            bonus=t.number(bonus_points),
            balance=Html(balance_text(outcome.balance, t)),
        ),
        reply_markup=activated_keyboard(t),
    )


async def balance_command(message: Message, activation: ActivationService, t: Texts) -> None:
    assert message.from_user is not None
    account, balance = await activation.balance_of(message.from_user.id)
    if account is None:
        await message.answer(t("balance_no_account"))
        return
    await message.answer(balance_text(balance, t))


def anytime_router() -> Router:
    """ "Get started" and /balance work in any state."""
    router = Router(name=f"{__name__}.anytime")
    router.callback_query.register(get_started, GetStarted.filter())
    router.message.register(balance_command, Command("balance"))
    return router
