"""Taking a person to a given step through the dispatcher, shared by handler tests."""

from __future__ import annotations

from aiogram import Bot

from bot.adapters.crypto import FernetSecretBox
from bot.adapters.payments import SandboxPaymentGateway
from bot.app import Services, build_services, create_dispatcher
from bot.domain.policy import Policy
from bot.domain.ports import ConversationLogRepository, PaymentGateway, Store
from bot.telegram.faults import TelegramFaultsMiddleware
from bot.telegram.flood import FloodGate
from states import Registration
from storage.backend import Backend, sqlite_store
from storage.sqlite.conversation_log import SqliteConversationLog
from storage.sqlite.database import Database
from storage.sqlite.fsm import SqliteStorage
from tests.conftest import GOOD_PASSWORD, WORK_EMAIL, cheap_hasher, link_in
from tests.support.chat import ChatDriver, Replies
from tests.support.fakes import EmailOutbox, FakeClock, SmsOutbox
from tests.support.session import BOT_USER, RecordingSession

# A fixed Fernet key for tests (made with Fernet.generate_key()).
TEST_SECRET_KEY = "q0mX0iJ8c3m2w4PjQ3YkZ1n0mX9b7W2sR5tL8vN1xEo="


async def settle_log(services: Services) -> None:
    """Everything recorded so far is written, and mirrored to whoever watches."""
    await services.watches.settle()
    await services.recorder.flush()


async def at_phone_step(chat: ChatDriver, outbox: EmailOutbox, email: str = WORK_EMAIL) -> None:
    await chat.send("/start")
    await chat.send(email)
    await chat.send(GOOD_PASSWORD)
    await chat.send(f"/start {link_in(outbox.sent[-1])}")
    assert await chat.is_in(Registration.phone)


async def at_code_step(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, email: str = WORK_EMAIL
) -> Replies:
    await at_phone_step(chat, outbox, email)
    replies = await chat.send("+7 916 123-45-67")
    assert await chat.is_in(Registration.sms_code)
    return replies


def services_on(
    database: Database | Backend,
    policy: Policy,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    gateway: PaymentGateway,
    support_user_ids: frozenset[int] = frozenset(),
    support_chat_id: int | None = None,
) -> Services:
    """The services as the bot builds them, on the given fakes and a real database."""
    if isinstance(database, Database):
        store: Store = sqlite_store(database)
        log: ConversationLogRepository = SqliteConversationLog(database)
    else:
        store, log = database.store, database.conversation_log
    return build_services(
        store=store,
        policy=policy,
        hasher=cheap_hasher(),
        email_sender=outbox,
        sms_sender=sms,
        payment_gateway=gateway,
        conversation_log=log,
        secret_box=FernetSecretBox(TEST_SECRET_KEY),
        support_user_ids=support_user_ids,
        support_chat_id=support_chat_id,
        # Telegram's rate limits are not what these tests are about: no pacing here.
        telegram_faults=TelegramFaultsMiddleware(
            per_second=1e9, per_chat_burst=1e9, per_chat_per_second=1e9
        ),
        # Tests type faster than any person; flood control has its own test.
        flood_gate=FloodGate(max_events=10**9),
        email_from="noreply@mcs.mail.ru",
        bot_username=str(BOT_USER.username),
        clock=clock,
    )


async def at_card_step(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, email: str = WORK_EMAIL
) -> Replies:
    """Email and phone confirmed: the card step's question and invoice are the replies."""
    await at_code_step(chat, outbox, sms, email)
    replies = await chat.send(sms.last_code())
    assert await chat.is_in(Registration.card)
    return replies


def sandbox_payload(replies: Replies) -> str:
    """The payload of the sandbox's payment form among the replies."""
    from bot.ui.keyboards import SandboxPay

    return next(
        SandboxPay.unpack(d).payload for _, d in replies.inline_buttons() if d.startswith("sbx_pay")
    )


async def card_linked(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, email: str = WORK_EMAIL
) -> str:
    """Email, phone and card done (the sandbox's form paid); returns the form's payload."""
    from bot.ui.keyboards import SandboxPay

    payload = sandbox_payload(await at_card_step(chat, outbox, sms, email))
    await chat.press(SandboxPay(payload=payload).pack())
    assert await chat.is_in(Registration.activation)
    return payload


async def activated(
    chat: ChatDriver, outbox: EmailOutbox, sms: SmsOutbox, email: str = WORK_EMAIL
) -> Replies:
    """The whole registration, sandbox payment included; returns the activation replies."""
    from bot.ui.keyboards import Autopay, GetStarted, SandboxPay

    replies = await at_card_step(chat, outbox, sms, email)
    payload = next(
        SandboxPay.unpack(d).payload for _, d in replies.inline_buttons() if d.startswith("sbx_pay")
    )
    await chat.press(SandboxPay(payload=payload).pack())
    await chat.press(Autopay(action="skip").pack())
    done = await chat.press(GetStarted().pack())
    assert await chat.is_in(Registration.active)
    return done


def chat_on(
    database: Database,
    policy: Policy,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    clock: FakeClock,
    bot: Bot,
    session: RecordingSession,
    *,
    user_id: int,
    language_code: str = "en",
) -> ChatDriver:
    """A person talking to a dispatcher of its own on the same database: a bot with
    another policy, or the same bot after a restart (nothing kept in memory)."""
    services = services_on(database, policy, outbox, sms, clock, SandboxPaymentGateway(bot))
    dispatcher = create_dispatcher(services=services, storage=SqliteStorage(database))
    return ChatDriver(dispatcher, bot, session, user_id=user_id, language_code=language_code)
