"""Storage-tier fixtures: the services on a real database with in-memory outside world.

The `backend` fixture makes every test that uses it (directly, or through `store`,
`services` or `billing`) part of the contract suite: it runs on the SQLite file and
on PostgreSQL (issue 9). Tests of one engine's own machinery use `database` (the
SQLite file) or, in test_postgres.py, `pg` instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot

from bot.adapters.payments import SandboxPaymentGateway
from bot.app import Services, instrument_bot
from bot.domain.policy import Policy
from bot.domain.ports import Store
from bot.settings import Settings
from storage.backend import Backend, open_backend
from tests.conftest import SUPPORT
from tests.support.fakes import EmailOutbox, FakeClock, PaymentInbox, SmsOutbox
from tests.support.journey import services_on
from tests.support.servers import backend_on, schema_url


@pytest.fixture(params=["sqlite", "postgresql"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    async with backend_on(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


@pytest.fixture
def services(
    backend: Backend,
    policy: Policy,
    clock: FakeClock,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    bot: Bot,
) -> Services:
    built = services_on(backend, policy, outbox, sms, clock, SandboxPaymentGateway(bot), SUPPORT)
    instrument_bot(bot, built)
    return built


@pytest.fixture
def payments() -> PaymentInbox:
    return PaymentInbox()


@pytest.fixture
def billing(
    backend: Backend,
    policy: Policy,
    clock: FakeClock,
    outbox: EmailOutbox,
    sms: SmsOutbox,
    payments: PaymentInbox,
) -> Services:
    """The services with a gateway that records invoices, so payloads can be paid."""
    return services_on(backend, policy, outbox, sms, clock, payments)


async def stored_text(backend: Backend) -> str:
    """Every value in every table of the engine, as text: for "never stored in clear"."""
    if backend.postgres is not None:
        async with backend.postgres.reading() as connection:
            tables = await connection.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
            rows = []
            for table in tables:
                rows += await connection.fetch(f'SELECT * FROM "{table[0]}"')  # noqa: S608
        return "\n".join(str(tuple(row.values())) for row in rows)
    assert backend.sqlite is not None
    return "\n".join(
        path.read_bytes().decode("latin-1") for path in backend.sqlite.path.parent.iterdir()
    )


def settings_of(backend: Backend) -> Settings:
    """The settings that point the command-line tools at the backend's database."""
    if backend.postgres is None:
        assert backend.sqlite is not None
        return Settings(database_path=backend.sqlite.path)
    return Settings(database_url=schema_url(backend.postgres.url, backend.postgres.server_settings))


async def another_instance(backend: Backend, tmp_path: Path) -> Backend:
    """A second bot instance on the same data: its own connections to the same
    PostgreSQL schema, or to the same SQLite file (another process on the machine)."""
    if backend.postgres is None:
        assert backend.sqlite is not None
        return await open_backend(database_path=backend.sqlite.path)
    return await open_backend(
        database_path=tmp_path / "unused.sqlite3",
        database_url=backend.postgres.url,
        pool_size=4,
        sqlite_needed=False,
        server_settings=backend.postgres.server_settings,
    )
