"""Secrets at rest (R13): Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`, with
the key from SECRET_KEY; and an HMAC for codes that are only ever compared."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

# A random 32-byte key has about 30 distinct byte values; far fewer means it was made
# by hand ("aaaa...", a repeated word), not by Fernet.generate_key().
_MIN_DISTINCT_BYTES = 16


class WeakKeyError(ValueError):
    pass


class SecretDecryptionError(Exception):
    """A stored secret cannot be read with this key (a changed SECRET_KEY)."""


def check_key(key: str) -> bytes:
    """The raw key, or WeakKeyError saying why it cannot be used."""
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise WeakKeyError("must be a Fernet key (32 bytes, url-safe base64)") from None
    if len(raw) != 32:
        raise WeakKeyError("must be a Fernet key (32 bytes, url-safe base64)")
    if len(set(raw)) < _MIN_DISTINCT_BYTES:
        raise WeakKeyError("is too weak: make one with Fernet.generate_key()")
    return raw


class FernetSecretBox:
    def __init__(self, key: str) -> None:
        raw = check_key(key)
        self._fernet = Fernet(key.encode("ascii"))
        # A separate key for the HMAC, derived so that one setting serves both.
        self._mac_key = hashlib.sha256(b"vkcloud-onboarding/backup-codes/" + raw).digest()

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretDecryptionError("stored secret does not open with SECRET_KEY") from None

    def mac(self, text: str) -> str:
        return hmac.new(self._mac_key, text.encode("utf-8"), hashlib.sha256).hexdigest()
