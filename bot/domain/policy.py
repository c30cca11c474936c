"""Every number of rules.md, in one object (the tests read them from here)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# R2: the symbols that count towards "a digit or a symbol", in the seed's order.
PASSWORD_SYMBOLS_IN_ORDER = "?!~@#$%^&_-+*=;:,./\\|`[]{}()"  # noqa: S105
PASSWORD_SYMBOLS = frozenset(PASSWORD_SYMBOLS_IN_ORDER)

# R1: well-known free-mail domains: accepted, with a note that a work address is better.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "mail.ru",
        "inbox.ru",
        "list.ru",
        "bk.ru",
        "internet.ru",
        "yandex.ru",
        "ya.ru",
        "yandex.com",
        "rambler.ru",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "aol.com",
    }
)


class PolicyError(ValueError):
    """A policy number out of its allowed range; `name` is the field's name."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Policy:
    """The registration's numbers. Defaults are the seed's; operators override them."""

    # R2
    password_min_length: int = 8
    password_max_length: int = 128
    # R5
    email_link_ttl_seconds: int = 24 * 3600
    email_resend_seconds: int = 60
    email_token_bytes: int = 32
    # R7
    phone_max_accounts: int = 2
    # R8
    sms_code_length: int = 6
    sms_code_ttl_seconds: int = 600
    sms_max_attempts: int = 5
    sms_resend_seconds: int = 60
    # R9
    card_check_amount_rub: int = 500
    card_exempt_email_domains: frozenset[str] = field(default_factory=frozenset)
    # R10 (later VK Cloud pages: autopay_max_rub=10000)
    autopay_min_rub: int = 100
    autopay_max_rub: int = 20_000
    autopay_threshold_max_rub: int = 9_999_999
    # R11
    bonus_points: int = 3000
    # R22: SMS a day per account and per number (across accounts), and an hour in all.
    sms_per_account_per_day: int = 5
    sms_per_phone_per_day: int = 5
    sms_per_hour: int = 1000
    # R23: confirmation emails a day per account.
    emails_per_account_per_day: int = 5
    # R24: an account whose email is not confirmed is removed after this many days.
    unconfirmed_account_days: int = 7
    # Where the people are: the days of the limits start at its midnight (R22, R23).
    timezone: str = "Europe/Moscow"

    # The seed says the verification payment is "up to 500 rubles".
    CARD_CHECK_AMOUNT_CEILING_RUB = 500

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and value < 0:
                raise PolicyError(f.name, "must not be negative")
        positive = (
            "password_min_length",
            "email_link_ttl_seconds",
            "email_token_bytes",
            "phone_max_accounts",
            "sms_code_length",
            "sms_code_ttl_seconds",
            "sms_max_attempts",
            "card_check_amount_rub",
            "autopay_min_rub",
            "sms_per_account_per_day",
            "sms_per_phone_per_day",
            "sms_per_hour",
            "emails_per_account_per_day",
            "unconfirmed_account_days",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise PolicyError(name, "must be greater than 0")
        if self.password_max_length < self.password_min_length:
            raise PolicyError("password_max_length", "must not be below password_min_length")
        if self.email_token_bytes < 16:
            raise PolicyError("email_token_bytes", "must be at least 16 (128 bits, R5)")
        if self.card_check_amount_rub > self.CARD_CHECK_AMOUNT_CEILING_RUB:
            raise PolicyError(
                "card_check_amount_rub",
                f"must be at most {self.CARD_CHECK_AMOUNT_CEILING_RUB} rubles (R9)",
            )
        if self.autopay_max_rub < self.autopay_min_rub:
            raise PolicyError("autopay_max_rub", "must not be below autopay_min_rub")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise PolicyError(
                "timezone", "must be a time zone name, such as Europe/Moscow"
            ) from None
        # Below 10 digits, so a code is never taken for a phone number at the code step.
        if not 4 <= self.sms_code_length <= 9:
            raise PolicyError("sms_code_length", "must be between 4 and 9")

    def is_card_exempt(self, email: str) -> bool:
        """R9: corporate domains with special conditions skip the card step."""
        return email_domain(email) in self.card_exempt_email_domains

    @staticmethod
    def is_free_mail(email: str) -> bool:
        return email_domain(email) in FREE_MAIL_DOMAINS


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()
