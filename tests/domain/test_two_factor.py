"""R13: TOTP codes against a fixed clock, backup codes, and the key that guards secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from bot.adapters.crypto import FernetSecretBox, SecretDecryptionError, WeakKeyError, check_key
from bot.domain.two_factor import (
    matching_step,
    new_backup_code,
    new_totp_secret,
    normalise_backup_code,
    provisioning_uri,
)
from tests.support.journey import TEST_SECRET_KEY

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 11, 27, 12, 0, 10, tzinfo=UTC)


def code_at(moment: datetime) -> str:
    return pyotp.TOTP(SECRET).at(moment)


def test_the_current_code_and_one_step_either_side_are_accepted() -> None:
    current = matching_step(SECRET, code_at(NOW), NOW)
    assert current is not None
    assert matching_step(SECRET, code_at(NOW - timedelta(seconds=30)), NOW) == current - 1
    assert matching_step(SECRET, code_at(NOW + timedelta(seconds=30)), NOW) == current + 1


def test_a_code_two_steps_old_is_refused() -> None:
    assert matching_step(SECRET, code_at(NOW - timedelta(seconds=60)), NOW) is None


def test_a_wrong_code_is_refused() -> None:
    wrong = f"{(int(code_at(NOW)) + 1) % 1_000_000:06d}"
    assert matching_step(SECRET, wrong, NOW) is None


def test_the_uri_names_the_issuer_and_the_account() -> None:
    uri = provisioning_uri(SECRET, "alice@corp.example")
    assert uri.startswith("otpauth://totp/VK%20Cloud:alice%40corp.example?secret=")
    assert "issuer=VK%20Cloud" in uri
    assert len(new_totp_secret()) == 32  # 160 bits


def test_backup_codes_are_random_and_read_back_whatever_the_spacing_and_case() -> None:
    codes = {new_backup_code() for _ in range(1000)}
    assert len(codes) == 1000
    code = codes.pop()
    assert normalise_backup_code(f" {code.upper().replace('-', ' ')} ") == code.replace("-", "")


def test_a_secret_round_trips_and_is_not_readable_with_another_key() -> None:
    box = FernetSecretBox(TEST_SECRET_KEY)
    token = box.encrypt(SECRET)
    assert SECRET not in token
    assert box.decrypt(token) == SECRET
    other = FernetSecretBox("xQ1s8m2PzV7rT3kL9nB4cY6hJ0wE5uA2gF8dR1tK3oM=")
    with pytest.raises(SecretDecryptionError):
        other.decrypt(token)
    assert box.mac("abc") != other.mac("abc")


@pytest.mark.parametrize(
    "key",
    ["", "not base64 at all!", "c2hvcnQ=", "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE="],
)
def test_a_missing_malformed_or_weak_key_is_refused(key: str) -> None:
    with pytest.raises(WeakKeyError):
        check_key(key)
