"""Payment gateways (R9): Telegram Payments, or the sandbox for the console and demos."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import LabeledPrice

from bot.domain.ports import Invoice, PaymentGatewayError
from bot.ui.keyboards import sandbox_payment_keyboard
from bot.ui.texts import texts_for


class TelegramPaymentGateway:
    """`sendInvoice` in RUB with the provider token: the card goes into the provider's
    form inside Telegram; the bot gets `pre_checkout_query` and `successful_payment`."""

    name = "telegram"

    def __init__(self, bot: Bot, provider_token: str) -> None:
        self._bot = bot
        self._provider_token = provider_token

    async def present(self, invoice: Invoice) -> None:
        t = texts_for(invoice.language)
        try:
            await self._bot.send_invoice(
                chat_id=invoice.chat_id,
                title=t("invoice.title"),
                description=t("invoice.description", amount=t.money(invoice.amount_kopecks)),
                payload=invoice.payload,
                provider_token=self._provider_token,
                currency=invoice.currency,
                prices=[LabeledPrice(label=t("invoice.label"), amount=invoice.amount_kopecks)],
            )
        except TelegramAPIError as exc:
            # Telegram's words, never the payload or the token.
            raise PaymentGatewayError(f"sendInvoice: {type(exc).__name__}") from None


class SandboxPaymentGateway:
    """A clearly marked simulated payment: two buttons, pay or decline. No card number
    is ever asked for, and no money moves."""

    name = "sandbox"

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def present(self, invoice: Invoice) -> None:
        t = texts_for(invoice.language)
        try:
            await self._bot.send_message(
                invoice.chat_id,
                t("sandbox.invoice", amount=t.money(invoice.amount_kopecks)),
                reply_markup=sandbox_payment_keyboard(t, invoice.payload, invoice.amount_kopecks),
            )
        except TelegramAPIError as exc:
            raise PaymentGatewayError(f"sandbox invoice: {type(exc).__name__}") from None
