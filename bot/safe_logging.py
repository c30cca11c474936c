"""Logging that never holds a secret (R3, R26).

An exception is logged by its type and stack, never its message: a message can quote
what a person sent (a password, a code). Libraries that log statements, requests or
their parameters (aiosqlite logs every call with its arguments at DEBUG, the SMS code's
salt and digest among them) are kept at WARNING whatever LOG_LEVEL says. And every
line is scrubbed of the configured secrets (tokens, keys, passwords in URLs) before it
is written, tracebacks included."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable

# Loggers that would print SQL parameters, Bot API requests or access lines.
QUIET_LIBRARIES = (
    "aiosqlite",
    "asyncpg",
    "aiogram.event",
    "aiogram.dispatcher",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.server",
    "aiosmtplib",
    "redis",
)
MASK = "••••••"
# Shorter values are not secrets worth scrubbing (and would scrub ordinary words).
_MIN_SECRET = 8


def describe_exception(exc: BaseException) -> str:
    stack = "".join(traceback.format_tb(exc.__traceback__))
    return f"{type(exc).__module__}.{type(exc).__qualname__} (message withheld)\n{stack}"


class RedactingFormatter(logging.Formatter):
    """Replaces each secret in the finished line (message, traceback and all)."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, MASK)
        return line


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    floor = max(logging.WARNING, logging.getLevelName(level))
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(floor)
