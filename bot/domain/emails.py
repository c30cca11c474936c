"""R1: the work email, checked with a real validator and normalised."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from bot.domain.policy import Policy

# RFC 5321 limits a path to 254 characters; longer input is refused before parsing.
MAX_EMAIL_LENGTH = 254


class EmailProblem(enum.Enum):
    INVALID = "invalid"
    TAKEN = "taken"


@dataclass(frozen=True)
class EmailVerdict:
    """`email` is the normalised address when the syntax is valid."""

    email: str | None
    problem: EmailProblem | None = None
    free_mail: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None and self.email is not None


def normalise_email(text: str) -> str | None:
    """The address in the form it is stored in, or None when it is not an address.

    email-validator lower-cases and IDNA-normalises the domain (R1); the local part
    keeps its case, since some servers honour it.
    """
    candidate = text.strip()
    if not candidate or len(candidate) > MAX_EMAIL_LENGTH or any(c.isspace() for c in candidate):
        return None
    try:
        # strict: RFC 5321's limits too, such as 64 characters before the @.
        result = validate_email(candidate, check_deliverability=False, strict=True)
    except EmailNotValidError:
        return None
    return result.normalized


def email_key(email: str) -> str:
    """The form uniqueness is decided on: no two accounts differ only in letter case."""
    return email.casefold()


def check_email_syntax(text: str, policy: Policy) -> EmailVerdict:
    email = normalise_email(text)
    if email is None:
        return EmailVerdict(email=None, problem=EmailProblem.INVALID)
    return EmailVerdict(email=email, free_mail=policy.is_free_mail(email))
