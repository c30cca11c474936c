"""Issue 9: the guarantees hold when competing updates land on different instances at
the same moment. Each test runs on both engines: two instances are two connection
pools to one PostgreSQL schema, or two processes' connections to one SQLite file.
Nothing here is shared in memory between the two but the fakes of the outside world."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from bot.app import Services
from bot.domain.activation import ActivationStatus
from bot.domain.card import PaymentStatus
from bot.domain.conversation import Direction, LogEntry
from bot.domain.phone_confirmation import PhoneStatus, SmsCodeStatus
from bot.domain.policy import Policy
from bot.domain.records import NewAccount
from bot.domain.signup import LinkStatus, SignupStatus
from storage.backend import Backend
from storage.sqlite.conversation_log import SqliteConversationLog
from tests.conftest import GOOD_PASSWORD, link_in
from tests.storage.conftest import another_instance
from tests.support.fakes import EmailOutbox, FakeClock, PaymentInbox, SmsOutbox
from tests.support.journey import services_on

PHONE = "+79161234567"
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


class World:
    """The outside world both instances talk to."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.outbox = EmailOutbox()
        self.sms = SmsOutbox()
        self.payments = PaymentInbox()


@asynccontextmanager
async def two_instances(
    backend: Backend, tmp_path: Path, world: World, policy: Policy | None = None
) -> AsyncIterator[tuple[Services, Services]]:
    other = await another_instance(backend, tmp_path)
    policy = policy or Policy()
    try:
        yield tuple(  # type: ignore[misc]
            services_on(b, policy, world.outbox, world.sms, world.clock, world.payments)
            for b in (backend, other)
        )
    finally:
        await other.close()


async def at_code_step(services: Services, world: World, user: int, phone: str) -> str:
    await services.signup.create_account(user, f"u{user}@corp.example", GOOD_PASSWORD, "en")
    await services.signup.confirm_email(user, link_in(world.outbox.sent[-1]))
    sent = await services.phone.submit_phone(user, phone, "en")
    assert sent.status is PhoneStatus.CODE_SENT
    return world.sms.last_code()


async def at_card_step(services: Services, world: World, user: int) -> str:
    """The payload of the person's invoice."""
    code = await at_code_step(services, world, user, f"+7916000{user:04d}")
    assert (await services.phone.check_code(user, code)).status is SmsCodeStatus.CONFIRMED
    await services.card.offer(user, user, "en")
    return world.payments.shown[-1].payload


async def test_one_address_gets_one_account_when_two_people_sign_up_on_two_instances(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    world = World(clock)
    async with two_instances(backend, tmp_path, world) as (a, b):
        outcomes = await asyncio.gather(
            a.signup.create_account(1, "same@corp.example", GOOD_PASSWORD, "en"),
            b.signup.create_account(2, "same@corp.example", GOOD_PASSWORD, "en"),
        )

        statuses = sorted(o.status.value for o in outcomes)
        assert statuses == sorted([SignupStatus.CREATED.value, SignupStatus.EMAIL_TAKEN.value])
        owners = [await s.signup.account_of(u) for s, u in ((a, 1), (b, 2))]
        assert sum(owner is not None for owner in owners) == 1


async def test_the_last_place_of_a_number_goes_to_one_of_two_instances(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    world = World(clock)
    async with two_instances(backend, tmp_path, world, Policy(phone_max_accounts=1)) as (a, b):
        code_a = await at_code_step(a, world, 1, PHONE)
        code_b = await at_code_step(b, world, 2, PHONE)

        outcomes = await asyncio.gather(
            a.phone.check_code(1, code_a), b.phone.check_code(2, code_b)
        )

        statuses = sorted(o.status.value for o in outcomes)
        assert statuses == sorted(
            [SmsCodeStatus.CONFIRMED.value, SmsCodeStatus.LIMIT_REACHED.value]
        )
        async with backend.store.reading() as tx:
            assert len(await tx.phones.holders(PHONE)) == 1


async def test_one_code_confirms_once_when_it_arrives_at_two_instances(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    world = World(clock)
    async with two_instances(backend, tmp_path, world) as (a, b):
        code = await at_code_step(a, world, 1, PHONE)

        outcomes = await asyncio.gather(a.phone.check_code(1, code), b.phone.check_code(1, code))

        assert [o.status for o in outcomes].count(SmsCodeStatus.CONFIRMED) == 1


async def test_one_email_link_confirms_once_when_opened_on_two_instances(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    world = World(clock)
    async with two_instances(backend, tmp_path, world) as (a, b):
        await a.signup.create_account(1, "a@corp.example", GOOD_PASSWORD, "en")
        token = link_in(world.outbox.sent[-1])

        outcomes = await asyncio.gather(
            a.signup.confirm_email(1, token), b.signup.confirm_email(1, token)
        )

        statuses = sorted(o.status.value for o in outcomes)
        assert statuses == sorted([LinkStatus.CONFIRMED.value, LinkStatus.ALREADY_CONFIRMED.value])


async def test_one_payment_is_credited_once_when_reported_to_two_instances(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    world = World(clock)
    async with two_instances(backend, tmp_path, world) as (a, b):
        payload = await at_card_step(a, world, 1)
        amount = a.card.amount_kopecks

        outcomes = await asyncio.gather(
            a.card.record_payment(1, payload, "RUB", amount, "charge-1", "prov-1"),
            b.card.record_payment(1, payload, "RUB", amount, "charge-1", "prov-1"),
        )

        statuses = sorted(o.status.value for o in outcomes)
        assert statuses == sorted([PaymentStatus.CARD_LINKED.value, PaymentStatus.DUPLICATE.value])
        _, balance = await b.activation.balance_of(1)
        assert balance.money_kopecks == amount


async def test_the_bonus_is_credited_once_when_two_instances_activate_at_once(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    world = World(clock)
    policy = Policy()
    async with two_instances(backend, tmp_path, world, policy) as (a, b):
        payload = await at_card_step(a, world, 1)
        await a.card.record_payment(1, payload, "RUB", a.card.amount_kopecks, "c-1", None)

        outcomes = await asyncio.gather(a.activation.activate(1), b.activation.activate(1))

        statuses = sorted(o.status.value for o in outcomes)
        assert statuses == sorted(
            [ActivationStatus.ACTIVATED.value, ActivationStatus.ALREADY_ACTIVE.value]
        )
        _, balance = await a.activation.balance_of(1)
        assert balance.bonus_points == policy.bonus_points


async def test_a_record_written_by_one_instance_is_followed_on_another(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    world = World(clock)
    async with two_instances(backend, tmp_path, world) as (a, b):
        await a.signup.create_account(1, "a@corp.example", GOOD_PASSWORD, "en")
        a.recorder.record(_entry(clock, 1, "before"))
        await a.recorder.flush()
        before = await b.support.log.latest(None, 1)
        followed = b.support.log.follow(before[-1].id or 0, user_id=1)
        # Whether b starts listening before or after a commits, it sees the record
        # once: it listens first, then catches up.
        first = asyncio.ensure_future(anext(followed))

        a.recorder.record(_entry(clock, 2, "someone else"))
        a.recorder.record(_entry(clock, 1, "from instance a"))
        await a.recorder.flush()

        entry = await asyncio.wait_for(first, 10)
        await followed.aclose()
        assert entry.text == "from instance a"


async def test_support_on_another_instance_starting_to_watch_is_seen_here(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    world = World(clock)
    async with two_instances(backend, tmp_path, world) as (a, b):
        if isinstance(a.support.log, SqliteConversationLog):
            a.support.log.watch_poll_seconds = 0.01  # SQLite is asked, not told
        stop = asyncio.Event()
        following = asyncio.create_task(a.watches.follow(stop))
        try:
            await asyncio.wait_for(a.watches.reloaded.wait(), 10)  # following

            await b.watches.watch(9002, 1)

            # Each reload of a's is awaited until one has seen b's change (10 s at most).
            while a.watches.watchers_of(1) != {9002}:
                a.watches.reloaded.clear()
                await asyncio.wait_for(a.watches.reloaded.wait(), 10)
        finally:
            stop.set()
            await following


def _entry(clock: FakeClock, user: int, text: str) -> LogEntry:
    return LogEntry(clock.now(), user, user, Direction.IN, "text", None, text)


async def test_the_password_message_again_after_a_crash_before_the_email_sends_it(
    backend: Backend, clock: FakeClock
) -> None:
    world = World(clock)
    services = services_on(backend, Policy(), world.outbox, world.sms, clock, world.payments)
    # The instance that had the message committed the account and its link, then died.
    async with backend.store.transaction() as tx:
        account = await tx.accounts.add(
            NewAccount(1, "a@corp.example", "a@corp.example", HASH, clock.now())
        )
        await tx.email_tokens.add(account.id, "d" * 64, clock.now(), clock.now() + timedelta(1))

    again = await services.signup.create_account(1, "a@corp.example", GOOD_PASSWORD, "en")
    once_more = await services.signup.create_account(1, "a@corp.example", GOOD_PASSWORD, "en")

    assert again.status is once_more.status is SignupStatus.ALREADY_CREATED
    assert len(world.outbox.sent) == 1  # sent by the first redelivery only
    link = link_in(world.outbox.sent[0])
    assert (await services.signup.confirm_email(1, link)).status is LinkStatus.CONFIRMED
