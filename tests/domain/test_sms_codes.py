"""R8: the code itself, how it is kept, and what the person is told about it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain.phone_confirmation import PendingCode, code_digest, code_matches, new_code
from bot.domain.records import SmsCode

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def keyed(key: bytes) -> Callable[[str], str]:
    return lambda text: hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


MAC = keyed(b"the bot's key")


def stored(code: str, salt: str = "00" * 16) -> SmsCode:
    return SmsCode(
        id=1,
        account_id=1,
        phone="+79161234567",
        salt=salt,
        digest=code_digest(MAC, salt, code),
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=10),
        sent_at=NOW,
        attempts=0,
        used_at=None,
        voided_at=None,
        prompt_chat_id=None,
        prompt_message_id=None,
        prompt_language=None,
        prompt_refreshed_at=None,
    )


def test_codes_are_numeric_of_the_asked_length_with_leading_zeros_kept() -> None:
    codes = {new_code(6) for _ in range(2000)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert any(c.startswith("0") for c in codes)  # 1 - 0.9**2000: certain
    assert len(codes) > 1900  # random, not a counter or a constant


def test_only_a_salted_digest_is_kept_and_it_matches_the_code_alone() -> None:
    code = stored("042917", salt="ab" * 16)
    assert "042917" not in code.digest
    assert code_digest(MAC, "cd" * 16, "042917") != code.digest  # the salt changes it
    assert code_matches(MAC, code, "042917")
    assert not code_matches(MAC, code, "042918")
    assert not code_matches(MAC, code, "42917")


def test_without_the_key_the_code_cannot_be_found_from_the_stored_row() -> None:
    # What issue 16 did in 0.66 s with an unkeyed hash: try all million codes.
    code = stored("042917", salt="ab" * 16)
    other_key = keyed(b"a guess at the key")
    found = [
        guess
        for guess in (f"{n:06d}" for n in range(1_000_000))
        if code_digest(other_key, code.salt, guess) == code.digest
    ]
    assert found == []


def test_a_pending_code_says_when_a_new_one_may_be_asked_for() -> None:
    pending = PendingCode(
        id=1,
        phone="+79161234567",
        sent_at=NOW,
        expires_at=NOW + timedelta(minutes=10),
        resend_at=NOW + timedelta(seconds=60),
        attempts_left=5,
    )
    assert pending.seconds_until_resend(NOW) == 60
    assert pending.seconds_until_resend(NOW + timedelta(seconds=59.2)) == 1
    assert pending.seconds_until_resend(NOW + timedelta(seconds=61)) == 0
    assert not pending.expired(NOW + timedelta(minutes=9, seconds=59))
    assert pending.expired(NOW + timedelta(minutes=10))
