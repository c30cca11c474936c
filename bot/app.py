"""The composition root: services built once, one dispatcher for every mode and test."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from cryptography.fernet import Fernet
from redis.asyncio import BlockingConnectionPool, Redis

import handlers
from bot.adapters.crypto import FernetSecretBox
from bot.adapters.email import ConsoleEmailSender, SmtpEmailSender
from bot.adapters.hashing import Argon2idHasher
from bot.adapters.payments import SandboxPaymentGateway, TelegramPaymentGateway
from bot.adapters.sms import ConsoleSmsSender, HttpSmsSender
from bot.domain.activation import ActivationService
from bot.domain.autopay import AutopayService
from bot.domain.card import CardService
from bot.domain.clock import Clock, SystemClock
from bot.domain.dashboard import DashboardService
from bot.domain.desk import DeskService
from bot.domain.housekeeping import Housekeeping
from bot.domain.passwords import PasswordHasher
from bot.domain.phone_confirmation import PhoneService
from bot.domain.phones import classify_phone
from bot.domain.policy import Policy
from bot.domain.ports import (
    ConversationLogRepository,
    EmailSender,
    PaymentGateway,
    SecretBox,
    SmsSender,
    Store,
)
from bot.domain.preferences import PreferenceService
from bot.domain.registration import RegistrationService
from bot.domain.reminders import ReminderSchedule, ReminderService
from bot.domain.signup import SignupService
from bot.domain.support import SupportService
from bot.domain.two_factor import ApiAccessService
from bot.jobs.cluster import run_once_per_cluster
from bot.jobs.code_prompts import CodePromptRefresher
from bot.jobs.housekeeping import keep_house
from bot.jobs.log_retention import keep_log_pruned
from bot.jobs.reminders import ReminderJob
from bot.settings import NO_ENCRYPTION_KEY_MESSAGE, Settings, SettingsError
from bot.support.capture import IncomingLogMiddleware, OutgoingLogMiddleware
from bot.support.desk import SupportDesk
from bot.support.mirror import WatchMirror
from bot.support.recorder import ConversationRecorder
from bot.telegram.buttons import RetireButtons
from bot.telegram.conversation import ConversationMiddleware
from bot.telegram.faults import TelegramFaultsMiddleware
from bot.telegram.flood import FloodGate
from bot.telegram.isolation import LeasedRedisLocks, PersonLocks
from bot.telegram.metrics import (
    CountedEmails,
    CountedSms,
    Metrics,
    MetricsMiddleware,
    PaymentAnswers,
)
from bot.telegram.middlewares import LanguageMiddleware, UnblockMiddleware
from bot.ui.messages import compose_code_sms, compose_confirmation_email
from bot.ui.texts import DEFAULT_SUPPORT_CONTACT
from handlers.flow import Flow
from storage.backend import Backend, open_backend
from storage.fsm_data import encoded_fsm_data
from storage.sqlite.fsm import RememberStatePerUpdate, SqliteStorage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """Long-lived services, handed to handlers as Dispatcher keyword arguments."""

    signup: SignupService
    preferences: PreferenceService
    phone: PhoneService
    registration: RegistrationService
    code_prompts: CodePromptRefresher
    card: CardService
    autopay: AutopayService
    activation: ActivationService
    support: SupportService
    recorder: ConversationRecorder
    watches: WatchMirror
    support_user_ids: frozenset[int]
    api_access: ApiAccessService
    telegram_faults: TelegramFaultsMiddleware
    flood_gate: FloodGate
    housekeeping: Housekeeping
    desk: SupportDesk
    reminders: ReminderService
    metrics: Metrics
    dashboard: DashboardService
    dashboard_url: str | None = None
    support_contact: str = DEFAULT_SUPPORT_CONTACT

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "signup": self.signup,
            "preferences": self.preferences,
            "phone": self.phone,
            "registration": self.registration,
            "code_prompts": self.code_prompts,
            "card": self.card,
            "autopay": self.autopay,
            "activation": self.activation,
            "support": self.support,
            "recorder": self.recorder,
            "watches": self.watches,
            "support_user_ids": self.support_user_ids,
            "api_access": self.api_access,
            "desk": self.desk,
            "reminders": self.reminders,
            "dashboard": self.dashboard,
            "dashboard_url": self.dashboard_url,
        }


def build_services(
    *,
    store: Store,
    policy: Policy,
    hasher: PasswordHasher,
    email_sender: EmailSender,
    sms_sender: SmsSender,
    payment_gateway: PaymentGateway,
    conversation_log: ConversationLogRepository,
    secret_box: SecretBox,
    email_from: str,
    bot_username: str,
    support_user_ids: frozenset[int] = frozenset(),
    clock: Clock | None = None,
    telegram_faults: TelegramFaultsMiddleware | None = None,
    flood_gate: FloodGate | None = None,
    code_prompts_idle_seconds: float = 60.0,
    support_contact: str = DEFAULT_SUPPORT_CONTACT,
    support_chat_id: int | None = None,
    reminder_schedule: ReminderSchedule | None = None,
    metrics: Metrics | None = None,
    dashboard_url: str | None = None,
    dashboard_session_hours: float = 8.0,
) -> Services:
    clock = clock or SystemClock()
    metrics = metrics or Metrics()
    email_sender = CountedEmails(email_sender, metrics)
    sms_sender = CountedSms(sms_sender, metrics)
    telegram_faults = telegram_faults or TelegramFaultsMiddleware()
    faults = telegram_faults  # for the closures below: never None
    metrics.send_queue.set_function(lambda: faults.waiting)
    recorder = ConversationRecorder(conversation_log, clock)
    watches = WatchMirror(conversation_log)
    recorder.add_listener(watches.offer)
    preferences = PreferenceService(store)
    support = SupportService(store=store, log=conversation_log, policy=policy, clock=clock)
    desk = SupportDesk(
        desk=DeskService(store, clock),
        support=support,
        preferences=preferences,
        chat_id=support_chat_id,
        support_contact=support_contact,
        timezone=policy.timezone,
    )
    recorder.add_listener(desk.offer)
    metrics.open_requests.set_function(desk.open_count)
    counted_wait = [0.0]

    async def refresh_metrics() -> None:
        # The funnel from the database (every instance shows the same totals), and the
        # 429 waits counted by the faults middleware since the last scrape.
        async with store.reading() as tx:
            for step, count in (await tx.accounts.steps_done()).items():
                metrics.steps_done.labels(step.value).set(count)
        waited = faults.retry_after_waited
        if waited > counted_wait[0]:
            metrics.retry_after_seconds.inc(waited - counted_wait[0])
            counted_wait[0] = waited

    metrics.on_scrape(refresh_metrics)
    phone = PhoneService(
        store=store,
        sms_sender=sms_sender,
        compose_sms=compose_code_sms,
        mac=secret_box.mac,
        policy=policy,
        clock=clock,
    )
    signup = SignupService(
        store=store,
        hasher=hasher,
        email_sender=email_sender,
        compose_email=compose_confirmation_email,
        policy=policy,
        clock=clock,
        bot_username=bot_username,
        email_sender_address=email_from,
    )
    return Services(
        signup=signup,
        preferences=preferences,
        phone=phone,
        registration=RegistrationService(
            store=store, signup=signup, phone=phone, policy=policy, clock=clock
        ),
        code_prompts=CodePromptRefresher(phone, clock, idle_seconds=code_prompts_idle_seconds),
        card=CardService(store=store, gateway=payment_gateway, policy=policy, clock=clock),
        autopay=AutopayService(store=store, policy=policy, clock=clock),
        activation=ActivationService(store=store, policy=policy, clock=clock),
        support=support,
        recorder=recorder,
        watches=watches,
        support_user_ids=support_user_ids,
        api_access=ApiAccessService(store=store, box=secret_box, policy=policy, clock=clock),
        telegram_faults=telegram_faults,
        flood_gate=flood_gate or FloodGate(clock=clock),
        housekeeping=Housekeeping(store=store, signup=signup, clock=clock),
        desk=desk,
        reminders=ReminderService(
            store,
            conversation_log,
            policy,
            clock,
            reminder_schedule or ReminderSchedule(zone=ZoneInfo(policy.timezone)),
        ),
        metrics=metrics,
        dashboard=DashboardService(
            store=store,
            support=support,
            policy=policy,
            clock=clock,
            staff=support_user_ids,
            session_hours=dashboard_session_hours,
        ),
        dashboard_url=dashboard_url,
        support_contact=support_contact,
    )


def create_dispatcher(
    *,
    services: Services,
    storage: BaseStorage,
    events_isolation: BaseEventIsolation | None = None,
) -> Dispatcher:
    routers = handlers.routers()
    # Where the conversation resumes: each step's prompt, from the step's own router.
    flow = Flow(registration=services.registration, prompts=handlers.prompts(routers))
    # Per-user isolation: two quick messages of one person are handled one after the
    # other, so they never race on the same step.
    dp = Dispatcher(
        storage=storage,
        events_isolation=events_isolation or PersonLocks(),
        flow=flow,
        **services.as_kwargs(),
    )
    # First: the whole handling of an update is what its metrics time.
    dp.update.outer_middleware(MetricsMiddleware(services.metrics))
    if isinstance(storage, SqliteStorage):
        # Runs right after aiogram's own FSM middleware, which has read the state.
        dp.update.outer_middleware(RememberStatePerUpdate(storage))
    dp.update.outer_middleware(UnblockMiddleware(services.telegram_faults))
    dp.update.outer_middleware(IncomingLogMiddleware(services.recorder))
    dp.update.outer_middleware(LanguageMiddleware(services.preferences, services.support_contact))
    dp.update.outer_middleware(ConversationMiddleware())
    dp.callback_query.middleware(RetireButtons())
    dp.include_routers(*routers)
    return dp


def instrument_bot(bot: Bot, services: Services, *, record: bool = True) -> None:
    """Every Bot API call this bot makes goes past Telegram's faults handling (outer:
    retries, pacing, blocked chats) and then the conversation log (R18), which so
    records only what Telegram accepted. `record=False`: without the log (the
    benchmark's in-memory baseline)."""
    bot.session.middleware(services.telegram_faults)
    if record:
        bot.session.middleware(OutgoingLogMiddleware(services.recorder))
    bot.session.middleware(PaymentAnswers(services.metrics))


def email_sender_from(settings: Settings) -> EmailSender:
    if settings.email_backend == "smtp":
        return SmtpEmailSender(
            sender=settings.email_from,
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=(
                settings.smtp_password.get_secret_value() if settings.smtp_password else None
            ),
            security=settings.smtp_security,
            timeout_seconds=settings.smtp_timeout_seconds,
        )
    return ConsoleEmailSender(settings.email_from)


def sms_sender_from(settings: Settings) -> ConsoleSmsSender | HttpSmsSender:
    if settings.sms_backend == "http":
        assert settings.sms_http_url is not None  # the settings refuse http without a URL
        return HttpSmsSender(
            settings.sms_http_url,
            settings.sms_http_token.get_secret_value() if settings.sms_http_token else None,
            timeout_seconds=settings.sms_http_timeout_seconds,
        )
    return ConsoleSmsSender()


def payment_gateway_from(
    settings: Settings, bot: Bot, *, console: bool = False
) -> TelegramPaymentGateway | SandboxPaymentGateway:
    # The console has no Telegram to show an invoice in: it always uses the sandbox.
    if settings.payment_backend == "telegram" and not console:
        assert settings.payment_provider_token is not None  # the settings refuse it unset
        return TelegramPaymentGateway(bot, settings.payment_provider_token.get_secret_value())
    return SandboxPaymentGateway(bot)


def secret_box_from(settings: Settings, *, console: bool = False) -> FernetSecretBox:
    if settings.secret_key is not None:
        return FernetSecretBox(settings.secret_key.get_secret_value())
    if not console:
        raise SettingsError(NO_ENCRYPTION_KEY_MESSAGE)
    return FernetSecretBox(console_key(settings.database_path.parent / "console-secret.key"))


def console_key(path: Path) -> str:
    """The console's own key when SECRET_KEY is not set: made once, readable only by
    its owner, kept beside the console's database so that its secrets stay readable."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def telegram_faults_from(settings: Settings, *, console: bool) -> TelegramFaultsMiddleware:
    if console:
        # No Telegram behind the console: nothing to pace.
        return TelegramFaultsMiddleware(per_second=1e9, per_chat_per_second=1e9, per_chat_burst=1e9)
    return TelegramFaultsMiddleware(
        per_second=settings.send_per_second,
        per_chat_per_second=settings.send_per_chat_per_second,
        per_chat_burst=settings.send_per_chat_burst,
    )


def hasher_from(settings: Settings) -> Argon2idHasher:
    return Argon2idHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost_kib=settings.password_hash_memory_kib,
        max_concurrent=settings.password_hash_max_concurrent,
    )


@dataclass(frozen=True)
class Runtime:
    dispatcher: Dispatcher
    services: Services
    backend: Backend
    redis: Redis | None

    async def ping(self) -> None:
        """Raises if a database or Redis does not answer (the webhook's health)."""
        await self.backend.ping()
        if self.redis is not None:
            await self.redis.ping()


def fsm_from(
    settings: Settings, backend: Backend, clock: Clock
) -> tuple[BaseStorage, BaseEventIsolation, Redis | None]:
    """aiogram's FSM storage and per-person lock: Redis (several instances) or the
    SQLite file and a lock in this process (one instance)."""
    if settings.redis_url is None:
        assert backend.sqlite is not None  # opened for the FSM state when Redis is not set
        return SqliteStorage(backend.sqlite, clock), PersonLocks(), None
    redis = redis_client(settings.redis_url.get_secret_value(), settings.redis_pool_size)
    key_builder = redis_key_builder()
    storage = redis_storage(redis, key_builder)
    isolation = LeasedRedisLocks(
        redis, key_builder, lease_seconds=settings.redis_lock_timeout_seconds
    )
    return storage, isolation, redis


def redis_client(url: str, pool_size: int) -> Redis:
    """A client whose updates wait for a free connection when all `pool_size` are in
    use. redis-py's default pool raises MaxConnectionsError then: the benchmark's 200
    people at once on one instance failed updates that way."""
    pool = BlockingConnectionPool.from_url(url, max_connections=pool_size, timeout=30)
    return Redis(connection_pool=pool)


def redis_storage(redis: Redis, key_builder: DefaultKeyBuilder) -> RedisStorage:
    """aiogram's Redis storage, writing FSM data as the SQLite storage does: what JSON
    would not give back exactly is refused when written (`storage/fsm_data.py`)."""
    return RedisStorage(redis, key_builder=key_builder, json_dumps=encoded_fsm_data)


def redis_key_builder(prefix: str = "fsm") -> DefaultKeyBuilder:
    """Every StorageKey field is part of the key, as in the SQLite table: two bots on
    one Redis, a business connection and a scene never share a record."""
    return DefaultKeyBuilder(
        prefix=prefix, with_bot_id=True, with_business_connection_id=True, with_destiny=True
    )


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    bot: Bot,
    *,
    email_sender: EmailSender | None = None,
    console: bool = False,
) -> AsyncIterator[Runtime]:
    """Opens the databases, builds the services and the dispatcher, and runs the
    background work: the code prompts' schedule and the log's retention (once across
    the cluster), the conversation log's writer and the watches (in every instance).
    When the block ends (after the dispatcher has stopped) these stop, the log is
    flushed, and the SMS gateway's connections and the databases are closed."""
    backend = await open_backend(
        database_path=settings.database_path,
        database_url=(settings.database_url.get_secret_value() if settings.database_url else None),
        pool_size=settings.database_pool_size,
        sqlite_needed=settings.redis_url is None,
        check_max_bytes=settings.startup_check_max_mb * 2**20,
    )
    sms_sender = sms_sender_from(settings)
    clock = SystemClock()  # the one clock of the process, handed to whatever tells time
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    redis: Redis | None = None
    try:
        me = await bot.me()
        assert me.username is not None, "a bot always has a username"
        services = build_services(
            store=backend.store,
            clock=clock,
            policy=settings.policy(),
            hasher=hasher_from(settings),
            email_sender=email_sender or email_sender_from(settings),
            sms_sender=sms_sender,
            payment_gateway=payment_gateway_from(settings, bot, console=console),
            conversation_log=backend.conversation_log,
            secret_box=secret_box_from(settings, console=console),
            email_from=settings.email_from,
            bot_username=me.username,
            support_user_ids=settings.support_user_ids,
            support_contact=settings.support_contact,
            support_chat_id=None if console else settings.support_chat_id,
            reminder_schedule=settings.reminder_schedule(),
            dashboard_url=None if console else settings.dashboard_url,
            dashboard_session_hours=settings.dashboard_session_hours,
            telegram_faults=telegram_faults_from(settings, console=console),
            flood_gate=FloodGate(
                max_events=settings.flood_max_events,
                per_seconds=settings.flood_window_seconds,
                clock=clock,
            ),
            # Another instance may have sent a code: with PostgreSQL the holder of the
            # job looks for due prompts often, not only when this process sent one.
            code_prompts_idle_seconds=2.0 if backend.postgres is not None else 60.0,
        )
        instrument_bot(bot, services)
        await services.watches.start(bot)
        await services.desk.start(bot)
        storage, isolation, redis = fsm_from(settings, backend, clock)
        dispatcher = create_dispatcher(
            services=services, storage=storage, events_isolation=isolation
        )
        days = settings.log_retention_days
        reminder_job = ReminderJob(
            services.reminders,
            services.preferences,
            services.telegram_faults,
            check_seconds=settings.reminder_check_seconds,
            support_contact=settings.support_contact,
            metrics=services.metrics,
        )
        tasks = [
            asyncio.create_task(
                run_once_per_cluster(
                    backend.lease,
                    "code-prompts",
                    lambda end: services.code_prompts.run(bot, end),
                    stop,
                ),
                name="code-prompts",
            ),
            asyncio.create_task(
                run_once_per_cluster(
                    backend.lease,
                    "log-retention",
                    lambda end: keep_log_pruned(
                        backend.conversation_log, services.recorder.clock, days, end
                    ),
                    stop,
                ),
                name="log-retention",
            ),
            asyncio.create_task(
                run_once_per_cluster(
                    backend.lease,
                    "housekeeping",
                    lambda end: keep_house(services.housekeeping, end),
                    stop,
                ),
                name="housekeeping",
            ),
            asyncio.create_task(
                run_once_per_cluster(
                    backend.lease,
                    "desk-deliveries",
                    lambda end: services.desk.deliver_pending(bot, end),
                    stop,
                ),
                name="desk-deliveries",
            ),
            asyncio.create_task(services.desk.follow(stop), name="desk"),
            asyncio.create_task(
                run_once_per_cluster(
                    backend.lease,
                    "reminders",
                    lambda end: reminder_job.run(bot, end),
                    stop,
                ),
                name="reminders",
            ),
            asyncio.create_task(services.recorder.run(stop), name="conversation-log"),
            asyncio.create_task(services.watches.follow(stop), name="watches"),
        ]
        settle_memory()
        yield Runtime(dispatcher=dispatcher, services=services, backend=backend, redis=redis)
    finally:
        stop.set()
        for task in tasks:
            await task
        if tasks:
            await services.watches.settle()
            await services.desk.settle()
        await sms_sender.close()
        if redis is not None:
            await redis.aclose()
        await backend.close()


def settle_memory() -> None:
    """Puts what start-up built out of the garbage collector's way.

    The ~200,000 objects of the imported modules (aiogram's and pydantic's types, the
    texts, phonenumbers' metadata) live as long as the process, yet every full
    collection walked them all: 100-220 ms with every thread stopped, the worst stall
    in the benchmark of issue 8. `gc.freeze()` moves them to a generation the
    collector never visits; lazily loaded data is loaded first so it goes there too.
    """
    classify_phone("+7 916 123-45-67", from_contact=False)
    gc.collect()
    gc.freeze()
