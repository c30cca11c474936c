"""Repositories on both engines: constraints decide uniqueness and single use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.ports import AlreadyRegistered, EmailTaken, Store
from bot.domain.records import NewAccount

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def new_account(user_id: int = 1, email: str = "a@corp.example") -> NewAccount:
    return NewAccount(
        telegram_user_id=user_id,
        email=email,
        email_key=email.casefold(),
        password_hash=HASH,
        created_at=NOW,
    )


async def test_an_account_comes_back_as_it_was_stored(store: Store) -> None:
    async with store.transaction() as tx:
        created = await tx.accounts.add(new_account())
    async with store.transaction() as tx:
        assert await tx.accounts.by_telegram_user(1) == created
        assert await tx.accounts.by_email_key("a@corp.example") == created
    assert created.created_at == NOW
    assert not created.email_confirmed


async def test_a_second_account_on_the_same_address_is_refused_by_the_database(
    store: Store,
) -> None:
    async with store.transaction() as tx:
        await tx.accounts.add(new_account(1, "a@corp.example"))
    with pytest.raises(EmailTaken):
        async with store.transaction() as tx:
            await tx.accounts.add(new_account(2, "A@corp.example".casefold()))


async def test_one_telegram_user_has_one_account(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.accounts.add(new_account(1, "a@corp.example"))
    with pytest.raises(AlreadyRegistered):
        async with store.transaction() as tx:
            await tx.accounts.add(new_account(1, "b@corp.example"))


async def test_a_token_can_be_used_once(store: Store) -> None:
    async with store.transaction() as tx:
        account = await tx.accounts.add(new_account())
        token_id = await tx.email_tokens.add(account.id, "d" * 64, NOW, NOW + timedelta(hours=1))
    async with store.transaction() as tx:
        assert await tx.email_tokens.use(token_id, NOW)
        assert not await tx.email_tokens.use(token_id, NOW)


async def test_a_void_token_cannot_be_used(store: Store) -> None:
    async with store.transaction() as tx:
        account = await tx.accounts.add(new_account())
        old = await tx.email_tokens.add(account.id, "a" * 64, NOW, NOW + timedelta(hours=1))
        new = await tx.email_tokens.add(account.id, "b" * 64, NOW, NOW + timedelta(hours=1))
        await tx.email_tokens.void_others(account.id, keep_token_id=new, at=NOW)
        assert not await tx.email_tokens.use(old, NOW)
        assert await tx.email_tokens.use(new, NOW)


async def test_the_resend_timer_counts_only_delivered_emails(store: Store) -> None:
    async with store.transaction() as tx:
        account = await tx.accounts.add(new_account())
        token_id = await tx.email_tokens.add(account.id, "c" * 64, NOW, NOW + timedelta(hours=1))
        assert await tx.email_tokens.last_delivered_at(account.id) is None
        await tx.email_tokens.mark_delivered(token_id, NOW)
        assert await tx.email_tokens.last_delivered_at(account.id) == NOW


async def test_only_an_argon2id_hash_can_be_stored_as_the_password(store: Store) -> None:
    plain = NewAccount(1, "a@corp.example", "a@corp.example", "Strong-Pass-42", NOW)
    with pytest.raises(Exception, match=r"(?i)check constraint"):
        async with store.transaction() as tx:
            await tx.accounts.add(plain)
