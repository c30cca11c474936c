"""Settings from the environment and `.env` (names fixed by interfaces.md)."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.adapters.crypto import check_key
from bot.domain.emails import normalise_email
from bot.domain.policy import Policy, PolicyError
from bot.domain.reminders import (
    ReminderSchedule,
    parse_after_hours,
    parse_quiet_hours,
)
from bot.ui.texts import DEFAULT_SUPPORT_CONTACT

_POLICY_FIELDS = {f.name for f in fields(Policy)}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
        # `BOT_TOKEN=` in .env means "not set", as in .env.example.
        env_ignore_empty=True,
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database_path: Path = Path("data/onboarding.sqlite3")
    # A SQLite file up to this size is checked at every start (PRAGMA quick_check): a
    # file damaged behind a sound header stops start-up with one line. 0.7 s a GB from
    # the page cache, 15.6 s a GB from a cold disk here (docs/performance.md); a larger
    # file starts unchecked, and says so. 0: never.
    startup_check_max_mb: int = Field(default=256, ge=0, le=1_000_000)
    # Issue 9, several instances: PostgreSQL for the accounts, codes, tokens, ledger,
    # autopayment, 2FA and the conversation log; Redis for aiogram's FSM state and the
    # per-person lock. Unset, everything is on the SQLite file (one instance).
    database_url: SecretStr | None = None
    database_pool_size: int = Field(default=8, ge=1, le=100)
    redis_url: SecretStr | None = None
    # Connections to Redis per instance. More updates at once wait for a free one
    # (redis-py's default pool fails them instead, past 100).
    redis_pool_size: int = Field(default=50, ge=1, le=10000)
    # R29: the lease of a person's lock in Redis, renewed every third of it while their
    # update runs. An instance that dies holding it lets go within this long.
    redis_lock_timeout_seconds: float = Field(default=5.0, ge=1, le=60)

    email_backend: Literal["console", "smtp"] = "console"
    email_from: str = "noreply@mcs.mail.ru"
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)

    sms_backend: Literal["console", "http"] = "console"
    sms_http_url: str | None = None
    sms_http_token: SecretStr | None = None
    sms_http_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # R13: the key that encrypts TOTP secrets at rest (Fernet). Required to run against
    # Telegram; the console makes one for itself next to its database.
    secret_key: SecretStr | None = None

    payment_backend: Literal["telegram", "sandbox"] = "sandbox"
    payment_provider_token: SecretStr | None = None
    # R21: `python -m bot` and `webhook` refuse the console email and SMS and the
    # sandbox payment unless this says they are wanted (a demo, a staging bot).
    allow_test_backends: bool = False

    # argon2id cost (R3); the defaults are argon2-cffi's RFC 9106 "low memory" profile.
    password_hash_time_cost: int = Field(default=3, ge=1, le=20)
    password_hash_memory_kib: int = Field(default=64 * 1024, ge=8, le=1024 * 1024)
    # Unset: the number of cores less one (one is left to the event loop and SQLite).
    password_hash_max_concurrent: int | None = Field(default=None, ge=1, le=64)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # `python -m bot webhook`: Telegram posts updates to WEBHOOK_URL (public, https) and
    # the bot listens on WEBHOOK_HOST:WEBHOOK_PORT behind it.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Issue 20: /metrics for Prometheus. Behind the webhook it is on the webhook's port;
    # in polling mode on METRICS_PORT (unset: no metrics server).
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # Issue 20: the support staff's web dashboard. DASHBOARD_URL is where staff open it
    # (its pages are under /dashboard/ there); /dashboard in Telegram sends links to it,
    # and the webhook process serves the pages too when it is set. `python -m bot
    # dashboard` listens on DASHBOARD_HOST:DASHBOARD_PORT.
    dashboard_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+/?$")
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = Field(default=8081, ge=1, le=65535)
    dashboard_session_hours: float = Field(default=8.0, gt=0, le=24 * 30)

    # R15: flood control (messages or presses per window, per person) and the pace of
    # sending (Telegram: about 30 messages a second overall, ~1 a second per chat).
    flood_max_events: int = Field(default=5, ge=1)
    flood_window_seconds: float = Field(default=2.0, gt=0, le=60)
    send_per_second: float = Field(default=30.0, gt=0)
    send_per_chat_per_second: float = Field(default=1.0, gt=0)
    # R20: Telegram allows short bursts to one chat; five keep a flooder's own replies
    # (and so the polling offset) moving without a 429.
    send_per_chat_burst: int = Field(default=5, ge=1)

    # R18: who may read the conversation log in Telegram, and how long it is kept.
    support_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # Issue 18: the support desk, a supergroup with topics where the bot is an
    # administrator allowed to manage topics. Unset: people are given SUPPORT_CONTACT.
    support_chat_id: int | None = Field(default=None, lt=0)

    # Issue 19 (R38-R40): reminders after so many hours without progress, never in the
    # quiet hours (in TIMEZONE); a share of people held out to measure the effect.
    reminder_after_hours: str = "24,72"
    quiet_hours: str = "21:00-10:00"
    reminder_holdout_percent: int = Field(default=0, ge=0, le=100)
    # How often the job looks for due reminders.
    reminder_check_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Where the texts send a person who needs a human: an address or a link (R33).
    support_contact: str = Field(
        default=DEFAULT_SUPPORT_CONTACT, min_length=3, max_length=200, pattern=r"^\S+$"
    )
    log_retention_days: int = Field(default=90, ge=1, le=3650)

    # Policy numbers (rules.md); each one can be overridden from the environment.
    email_link_ttl_seconds: int = Policy.email_link_ttl_seconds
    email_resend_seconds: int = Policy.email_resend_seconds
    sms_resend_seconds: int = Policy.sms_resend_seconds
    sms_code_ttl_seconds: int = Policy.sms_code_ttl_seconds
    sms_max_attempts: int = Policy.sms_max_attempts
    phone_max_accounts: int = Policy.phone_max_accounts
    card_check_amount_rub: int = Policy.card_check_amount_rub
    bonus_points: int = Policy.bonus_points
    sms_per_account_per_day: int = Policy.sms_per_account_per_day
    sms_per_phone_per_day: int = Policy.sms_per_phone_per_day
    sms_per_hour: int = Policy.sms_per_hour
    emails_per_account_per_day: int = Policy.emails_per_account_per_day
    unconfirmed_account_days: int = Policy.unconfirmed_account_days
    timezone: str = Policy.timezone
    autopay_min_rub: int = Policy.autopay_min_rub
    autopay_max_rub: int = Policy.autopay_max_rub
    autopay_threshold_max_rub: int = Policy.autopay_threshold_max_rub
    card_exempt_email_domains: Annotated[frozenset[str], NoDecode] = frozenset()

    @field_validator("reminder_after_hours")
    @classmethod
    def _after_hours(cls, value: str) -> str:
        parse_after_hours(value)  # refused with what it takes
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    def reminder_schedule(self) -> ReminderSchedule:
        return ReminderSchedule(
            after=parse_after_hours(self.reminder_after_hours),
            quiet=parse_quiet_hours(self.quiet_hours),
            zone=ZoneInfo(self.timezone),
            holdout_percent=self.reminder_holdout_percent,
        )

    @field_validator("card_exempt_email_domains", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    @field_validator("support_user_ids", mode="before")
    @classmethod
    def _user_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError("must be Telegram user ids separated by commas")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()
        ):
            raise ValueError("must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an https:// URL")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("email_from")
    @classmethod
    def _sender_address(cls, value: str) -> str:
        normalised = normalise_email(value)
        if normalised is None:
            raise ValueError("must be an email address")
        return normalised

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("postgresql://", "postgres://")
        ):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("sms_http_url")
    @classmethod
    def _sms_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _sms_gateway_is_set(self) -> Settings:
        if self.sms_backend == "http" and not self.sms_http_url:
            raise ValueError("SMS_HTTP_URL must be set when SMS_BACKEND=http")
        return self

    @field_validator("secret_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_key(value.get_secret_value())  # WeakKeyError is a ValueError: reported
        return value

    @model_validator(mode="after")
    def _payment_provider_is_set(self) -> Settings:
        if self.payment_backend == "telegram" and self.payment_provider_token is None:
            raise ValueError("PAYMENT_PROVIDER_TOKEN must be set when PAYMENT_BACKEND=telegram")
        return self

    @model_validator(mode="after")
    def _policy_is_valid(self) -> Settings:
        self.policy()  # raises PolicyError, reported below with the setting's name
        return self

    def test_backends(self) -> list[str]:
        """The backends that only pretend (R21), as settings: ["SMS_BACKEND=console"]."""
        chosen = (
            ("EMAIL_BACKEND", self.email_backend, "console"),
            ("SMS_BACKEND", self.sms_backend, "console"),
            ("PAYMENT_BACKEND", self.payment_backend, "sandbox"),
        )
        return [f"{name}={value}" for name, value, fake in chosen if value == fake]

    def secret_values(self) -> list[str]:
        """Every configured secret, for scrubbing log lines (bot/safe_logging.py): the
        tokens and keys, and the passwords inside the database and Redis URLs."""
        values = [
            secret.get_secret_value()
            for secret in (
                self.bot_token,
                self.secret_key,
                self.smtp_password,
                self.sms_http_token,
                self.payment_provider_token,
                self.webhook_secret,
                self.database_url,
                self.redis_url,
            )
            if secret is not None
        ]
        for url in (self.database_url, self.redis_url):
            if url is not None:
                password = urlsplit(url.get_secret_value()).password
                if password:
                    values.append(password)
        if self.bot_token is not None:
            # The part after the colon is the secret; the bot's id before it is not.
            values.append(self.bot_token.get_secret_value().partition(":")[2])
        return values

    def policy(self) -> Policy:
        values = {
            name: getattr(self, name) for name in _POLICY_FIELDS if name in type(self).model_fields
        }
        return Policy(**values)


class SettingsError(Exception):
    """One line that names the setting and the reason."""


NO_ENCRYPTION_KEY_MESSAGE = (
    'SECRET_KEY is not set; make one with: python -c "from cryptography.fernet import '
    'Fernet; print(Fernet.generate_key().decode())"'
)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    except PolicyError as exc:
        raise SettingsError(f"{exc.name.upper()}: {exc.reason}") from None


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"]).upper()
        message = error["msg"]
        ctx = error.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, PolicyError):
            location, message = inner.name.upper(), inner.reason
        problems.append(f"{location}: {message}" if location else message)
    return "; ".join(problems)
