"""Logging an exception without its message: a message can quote what a person sent
(a password, a code), while the type and the stack are enough to find the fault."""

from __future__ import annotations

import traceback


def describe_exception(exc: BaseException) -> str:
    stack = "".join(traceback.format_tb(exc.__traceback__))
    return f"{type(exc).__module__}.{type(exc).__qualname__} (message withheld)\n{stack}"
