"""What the conversation log keeps of a secret (R18): a mask, decided where the record
is made, never by scanning text for secrets afterwards.

Input is masked by the step it arrives at (the steps marked `SecretState` in states/)
and for a `/start` link token; a reply that carries a secret is masked because the
code that sends it says so (`sensitive_reply`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from bot.domain.conversation import masked
from bot.domain.passwords import PasswordRule, check_password
from bot.domain.policy import Policy
from bot.ui.menu import KNOWN_COMMANDS
from states import all_secret_states

_SECRET_STEPS = all_secret_states()
MAX_TEXT = 4096
# R2's rules whatever the lengths are configured to: wider than any policy, so that
# what the bot would take for a password is masked whatever the settings.
_ANY_LENGTH = Policy(password_min_length=1, password_max_length=MAX_TEXT)
_LENGTH_RULES = {PasswordRule.TOO_SHORT, PasswordRule.TOO_LONG, PasswordRule.REPEATING_GROUP}


def could_be_a_password(text: str) -> bool:
    """Latin letters of both cases, a digit or a symbol, nothing else: R2's rules but
    the lengths. A question or an email address is not (spaces, no upper case)."""
    return not set(check_password(text, _ANY_LENGTH).failures) - _LENGTH_RULES


# Set around a reply that carries a secret: it is recorded as a mask with this name.
_sensitive: ContextVar[str | None] = ContextVar("log_sensitive", default=None)
# Set around sends that must not be recorded (the mirror of a watched conversation).
_unrecorded: ContextVar[bool] = ContextVar("log_unrecorded", default=False)


@contextlib.contextmanager
def sensitive_reply(what: str) -> Iterator[None]:
    """Messages sent inside are recorded as a mask (`what` names the secret): the flag
    comes from the code that knows the text is secret, not from a pattern afterwards."""
    token = _sensitive.set(what)
    try:
        yield
    finally:
        _sensitive.reset(token)


@contextlib.contextmanager
def unrecorded() -> Iterator[None]:
    token = _unrecorded.set(True)
    try:
        yield
    finally:
        _unrecorded.reset(token)


def reply_secret() -> str | None:
    """The secret the reply being sent carries, if any."""
    return _sensitive.get()


def is_unrecorded() -> bool:
    return _unrecorded.get()


def clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def typed_text(text: str, step: str | None) -> tuple[str, str]:
    """(kind, text as recorded) of a text a person sent at `step`.

    At a secret step everything is masked, whatever it starts with (a password may
    begin with "/"), except a bare command of this bot: none of those could be a
    password (R2 wants 8 characters and an upper-case letter), and support should
    read "/help" as "/help". Anything after "/start", however it is separated (a
    space, a tab, a new line, a no-break space, "@bot"), is masked: it may be a link
    token.
    """
    secret = _SECRET_STEPS.get(step) if step is not None else None
    if secret is not None and (not secret.only_if_password_like or could_be_a_password(text)):
        if text in KNOWN_COMMANDS:
            return "command", text
        return "text", masked(secret.secret)
    if text.startswith("/start") and text != "/start":
        return "command", "/start " + masked("link token")
    kind = "command" if text.startswith("/") else "text"
    return kind, clip(text)
