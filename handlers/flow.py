"""Showing a step: the FSM state and the prompt that go with where the person is.

Used wherever the conversation resumes (R12): /start, /status, after a link, after
/cancel, and any message that no step was waiting for. Where the person is comes from
the domain (`RegistrationService.position`), never from the FSM state alone.
"""

from __future__ import annotations

import contextlib

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext

from bot.code_prompts import CodePromptRefresher, code_prompt_text
from bot.domain.card import CardService, OfferOutcome, OfferStatus
from bot.domain.money import rubles
from bot.domain.phone_confirmation import PendingCode, PhoneService
from bot.domain.phones import display_phone
from bot.domain.policy import Policy
from bot.domain.registration import Position, RegistrationService
from bot.domain.steps import Step
from bot.keyboards import (
    autopay_confirm_keyboard,
    autopay_offer_keyboard,
    code_keyboard,
    get_started_keyboard,
    new_invoice_keyboard,
    no_keyboard,
    phone_request_keyboard,
    resend_email_keyboard,
)
from bot.texts import Texts
from states import Registration

# FSM data key: the id of the message that shows the two-factor key during set-up.
KEY_MESSAGE_FIELD = "secret_message_id"


class Flow:
    def __init__(
        self,
        *,
        registration: RegistrationService,
        phone: PhoneService,
        card: CardService,
        code_prompts: CodePromptRefresher,
    ) -> None:
        self._registration = registration
        self._phone = phone
        self._card = card
        self._code_prompts = code_prompts

    @property
    def policy(self) -> Policy:
        return self._registration.policy

    async def position(self, telegram_user_id: int) -> Position:
        return await self._registration.position(telegram_user_id)

    async def show(
        self,
        bot: Bot,
        chat_id: int,
        state: FSMContext,
        t: Texts,
        telegram_user_id: int,
        position: Position | None = None,
    ) -> None:
        """Sets the state for the person's current step and asks for what it needs."""
        # Leaving two-factor set-up this way (/start, a stray message) ends it too.
        await self.forget_secret_message(bot, chat_id, state)
        where = position or await self._registration.position(telegram_user_id)
        account = where.account
        if where.step is Step.SIGN_UP or account is None:
            await self.ask_for_email(bot, chat_id, state, t)
        elif where.step is Step.EMAIL:
            await state.set_state(Registration.awaiting_email_link)
            await state.set_data({})
            key = "awaiting_link_expired" if where.link_expired else "awaiting_link"
            await bot.send_message(
                chat_id, t(key, email=account.email), reply_markup=resend_email_keyboard(t)
            )
        elif where.step is Step.PHONE:
            if where.code is None:
                await self.ask_for_phone(bot, chat_id, state, t)
            elif where.code.expired(self._registration.now()):
                await self.code_expired(bot, chat_id, state, t, where.code.phone)
            else:
                await self.ask_for_code(bot, chat_id, state, t, where.code)
        elif where.step is Step.CARD:
            await state.set_state(Registration.card)
            await state.set_data({})
            await self.offer_card(bot, chat_id, t, telegram_user_id, optional=False)
        elif where.step is Step.ACTIVATION:
            if account.has_done(Step.CARD) and await self.resume_autopay(bot, chat_id, state, t):
                return
            await state.set_state(Registration.activation)
            await state.set_data({})
            if account.has_done(Step.CARD) and where.autopay is None:
                await bot.send_message(
                    chat_id, t("autopay.offer"), reply_markup=autopay_offer_keyboard(t)
                )
            else:
                no_card_needed = where.card_exempt and not account.has_done(Step.CARD)
                key = "activation_intro_exempt" if no_card_needed else "activation_intro"
                bonus = t.number(self.policy.bonus_points)
                await bot.send_message(
                    chat_id, t(key, bonus=bonus), reply_markup=get_started_keyboard(t)
                )
        else:
            await state.set_state(Registration.active)
            await state.set_data({})
            await bot.send_message(chat_id, t("registration_done"), reply_markup=no_keyboard())

    @staticmethod
    async def forget_secret_message(bot: Bot, chat_id: int, state: FSMContext) -> None:
        """R13: the message with the two-factor key goes once set-up ends, whichever
        way it ends (done, too many wrong codes, /cancel, /start)."""
        message_id = await state.get_value(KEY_MESSAGE_FIELD)
        if message_id is not None:
            with contextlib.suppress(TelegramBadRequest):
                await bot.delete_message(chat_id, int(message_id))
            await state.set_data({})

    async def resume_autopay(self, bot: Bot, chat_id: int, state: FSMContext, t: Texts) -> bool:
        """Mid-way through the autopayment questions: the open question again, with what
        was already answered kept. False when no such question is open."""
        current = await state.get_state()
        data = await state.get_data()
        if current == Registration.autopay_amount.state:
            await self.ask_autopay_amount(bot, chat_id, state, t)
        elif current == Registration.autopay_threshold.state and "amount_rub" in data:
            await self.ask_autopay_threshold(bot, chat_id, state, t)
        elif (
            current == Registration.autopay_confirm.state
            and {
                "amount_rub",
                "threshold_rub",
            }
            <= data.keys()
        ):
            await self.autopay_summary(bot, chat_id, state, t)
        else:
            return False
        return True

    async def ask_autopay_amount(self, bot: Bot, chat_id: int, state: FSMContext, t: Texts) -> None:
        policy = self.policy
        await state.set_state(Registration.autopay_amount)
        await bot.send_message(
            chat_id,
            t(
                "autopay.ask_amount",
                min=t.money(rubles(policy.autopay_min_rub)),
                max=t.money(rubles(policy.autopay_max_rub)),
            ),
        )

    async def ask_autopay_threshold(
        self, bot: Bot, chat_id: int, state: FSMContext, t: Texts
    ) -> None:
        await state.set_state(Registration.autopay_threshold)
        await bot.send_message(
            chat_id,
            t(
                "autopay.ask_threshold",
                min=t.money(0),
                max=t.money(rubles(self.policy.autopay_threshold_max_rub)),
            ),
        )

    async def autopay_summary(self, bot: Bot, chat_id: int, state: FSMContext, t: Texts) -> None:
        data = await state.get_data()
        await state.set_state(Registration.autopay_confirm)
        await bot.send_message(
            chat_id,
            t(
                "autopay.summary",
                amount=t.money(rubles(int(data["amount_rub"]))),
                threshold=t.money(rubles(int(data["threshold_rub"]))),
            ),
            reply_markup=autopay_confirm_keyboard(t),
        )

    async def offer_card(
        self, bot: Bot, chat_id: int, t: Texts, telegram_user_id: int, *, optional: bool
    ) -> OfferOutcome:
        """R9: what the payment is (before paying), then a fresh invoice."""
        amount = t.money(self._card.amount_kopecks)
        key = "card_intro_optional" if optional else "card_intro"
        await bot.send_message(chat_id, t(key, amount=amount), reply_markup=no_keyboard())
        outcome = await self._card.offer(telegram_user_id, chat_id, t.language)
        if outcome.status is OfferStatus.GATEWAY_FAILED:
            await bot.send_message(
                chat_id, t("card_gateway_failed"), reply_markup=new_invoice_keyboard(t)
            )
        return outcome

    async def ask_for_email(self, bot: Bot, chat_id: int, state: FSMContext, t: Texts) -> None:
        await state.set_state(Registration.email)
        await state.set_data({})
        await bot.send_message(chat_id, t("ask_email"), reply_markup=no_keyboard())

    async def ask_for_phone(
        self, bot: Bot, chat_id: int, state: FSMContext, t: Texts, lead: str | None = None
    ) -> None:
        """The phone question with the share-contact button; `lead` is said first."""
        await state.set_state(Registration.phone)
        await state.set_data({})
        text = t("ask_phone") if lead is None else f"{lead}\n\n{t('ask_phone')}"
        await bot.send_message(chat_id, text, reply_markup=phone_request_keyboard(t))

    async def ask_for_code(
        self, bot: Bot, chat_id: int, state: FSMContext, t: Texts, code: PendingCode
    ) -> None:
        """Asks for the code. Until the resend delay has passed the message says how
        long is left; it is then edited to show the button (bot/code_prompts.py)."""
        await state.set_state(Registration.sms_code)
        await state.set_data({})
        wait = code.seconds_until_resend(self._registration.now())
        # The message carries inline buttons, so it cannot also remove the contact
        # keyboard; that one is one-time and folds away once used, and a contact shared
        # again at this step is simply taken as the number (the same one: no new SMS).
        message = await bot.send_message(
            chat_id,
            code_prompt_text(self.policy, t.language, code.phone, wait),
            reply_markup=code_keyboard(t, resend_ready=wait == 0),
        )
        if wait > 0:
            await self._phone.remember_prompt(code.id, chat_id, message.message_id, t.language)
            self._code_prompts.poke()

    async def code_expired(
        self, bot: Bot, chat_id: int, state: FSMContext, t: Texts, phone: str
    ) -> None:
        await state.set_state(Registration.sms_code)
        await state.set_data({})
        await bot.send_message(
            chat_id,
            t("code_expired", phone=display_phone(phone)),
            reply_markup=code_keyboard(t, resend_ready=True),
        )
