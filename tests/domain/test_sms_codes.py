"""R8: the code itself, how it is kept, and what the person is told about it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.phone_confirmation import PendingCode, code_digest, code_matches, new_code
from bot.domain.records import SmsCode

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def stored(code: str, salt: str = "00" * 16) -> SmsCode:
    return SmsCode(
        id=1,
        account_id=1,
        phone="+79161234567",
        salt=salt,
        digest=code_digest(salt, code),
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
    assert code_digest("cd" * 16, "042917") != code.digest  # the salt changes it
    assert code_matches(code, "042917")
    assert not code_matches(code, "042918")
    assert not code_matches(code, "42917")


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
