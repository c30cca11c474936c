"""R5: the confirmation link's token: random, hashed at rest, single use, expiring."""

from __future__ import annotations

import hashlib
import re
import secrets

# Telegram's deep-link payload: only A-Za-z0-9_- and at most 64 characters.
DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_link_token(n_bytes: int) -> str:
    """URL-safe base64 of n_bytes random bytes: 32 bytes give 43 characters, 256 bits."""
    token = secrets.token_urlsafe(n_bytes)
    assert len(token) <= 64, "a deep-link payload holds at most 64 characters"
    return token


def token_digest(token: str) -> str:
    """What is stored instead of the token. A fast hash is enough: the token has
    at least 128 bits of entropy, so there is nothing to brute-force."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_link_token(payload: str) -> bool:
    return DEEP_LINK_PAYLOAD.fullmatch(payload) is not None


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"
