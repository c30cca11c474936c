"""R2 (password rules) and R3 (hashing) as plain Python.

"Repeating group", as this project defines it: any group of one or more characters
that occurs three or more times in a row, compared without regard to letter case.
So `aaa` (one character three times), `123123123` and `abAbab` are repeating groups,
while a doubled letter (`Passw0rd-Tree`) or a group seen twice (`abcabc`) is not.
"""

from __future__ import annotations

import enum
import re
import string
from dataclasses import dataclass
from typing import Protocol

from bot.domain.policy import PASSWORD_SYMBOLS, Policy

_LATIN_UPPER = frozenset(string.ascii_uppercase)
_LATIN_LOWER = frozenset(string.ascii_lowercase)
_DIGITS = frozenset(string.digits)
_ALLOWED = _LATIN_UPPER | _LATIN_LOWER | _DIGITS | PASSWORD_SYMBOLS
# Lazy group, repeated twice more right after itself: finds the shortest repeating unit.
_REPEATING_GROUP = re.compile(r"(.+?)\1\1", re.IGNORECASE | re.DOTALL)


class PasswordRule(enum.Enum):
    """Each rule a password can fail; the value is its key in the text catalogs."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NO_UPPER = "no_upper"
    NO_LOWER = "no_lower"
    NO_DIGIT_OR_SYMBOL = "no_digit_or_symbol"
    REPEATING_GROUP = "repeating_group"
    FORBIDDEN_CHARACTERS = "forbidden_characters"


@dataclass(frozen=True)
class PasswordVerdict:
    failures: tuple[PasswordRule, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def has_repeating_group(candidate: str) -> bool:
    return _REPEATING_GROUP.search(candidate) is not None


def check_password(candidate: str, policy: Policy) -> PasswordVerdict:
    """Every rule is checked, so a refusal can name all that failed at once."""
    chars = set(candidate)
    failures: list[PasswordRule] = []
    if len(candidate) < policy.password_min_length:
        failures.append(PasswordRule.TOO_SHORT)
    if len(candidate) > policy.password_max_length:
        failures.append(PasswordRule.TOO_LONG)
    if not chars & _LATIN_UPPER:
        failures.append(PasswordRule.NO_UPPER)
    if not chars & _LATIN_LOWER:
        failures.append(PasswordRule.NO_LOWER)
    if not chars & (_DIGITS | PASSWORD_SYMBOLS):
        failures.append(PasswordRule.NO_DIGIT_OR_SYMBOL)
    if chars - _ALLOWED:
        # Cyrillic letters, spaces, emoji, symbols outside the seed's set: they are
        # the usual cause of "my password does not work" on another keyboard layout.
        failures.append(PasswordRule.FORBIDDEN_CHARACTERS)
    # Bounded so that a 4096-character message cannot make the regex expensive.
    if len(candidate) <= policy.password_max_length and has_repeating_group(candidate):
        failures.append(PasswordRule.REPEATING_GROUP)
    return PasswordVerdict(tuple(failures))


class PasswordHasher(Protocol):
    """R3: a slow salted hash, computed off the event loop by the implementation."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...
