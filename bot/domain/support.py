"""What support staff ask about a person (R18): who it is, where they are, what was
said, who is stuck, and how the registration funnel looks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.conversation import LogEntry
from bot.domain.emails import email_key, normalise_email
from bot.domain.funnel import PASSWORD_STATE, Journey
from bot.domain.money import Balance
from bot.domain.phones import classify_phone
from bot.domain.policy import Policy
from bot.domain.ports import ConversationLogRepository, Store
from bot.domain.records import Account
from bot.domain.steps import Step, last_progress, next_step

# Telegram user ids have at most 10 digits today; a longer number is a phone.
_MAX_USER_ID_DIGITS = 10
# Telegram's ids fit in 52 bits; anything larger is not one (and not a BIGINT).
MAX_USER_ID = 2**52
# /stuck: up to ten years back.
MAX_STUCK_HOURS = 24 * 3650
_MAX_COUNT_DIGITS = 6


def parse_user_id(text: str) -> int | None:
    """A Telegram user id as support staff type it, or None (R27: odd numbers)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 16:
        return None
    value = int(text)
    return value if 0 < value < MAX_USER_ID else None


def parse_hours(text: str, default: float) -> float | None:
    """Hours for /stuck: finite, above 0, at most ten years; None for anything else
    ("nan", "inf", "1e308", "-5")."""
    text = text.strip()
    if not text:
        return default
    try:
        hours = float(text)
    except ValueError:
        return None
    return hours if 0 < hours <= MAX_STUCK_HOURS else None


def parse_count(text: str) -> int | None:
    """A record count (/logs ... N): plain digits, not too many of them to read."""
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_COUNT_DIGITS:
        return None
    return int(text)


@dataclass(frozen=True)
class Person:
    user_id: int
    account: Account | None
    step: Step
    last_activity: datetime | None


@dataclass(frozen=True)
class PersonCard:
    """What the desk's topic opens with (issue 18): the account as staff need it."""

    person: Person
    at_step_since: datetime | None
    balance: Balance | None
    two_factor_on: bool
    language: str | None


class SupportService:
    def __init__(
        self, *, store: Store, log: ConversationLogRepository, policy: Policy, clock: Clock
    ) -> None:
        self._store = store
        self._log = log
        self._policy = policy
        self._clock = clock

    @property
    def log(self) -> ConversationLogRepository:
        return self._log

    async def find(self, query: str) -> list[Person]:
        """People matching a Telegram user id, an email or a phone number (a number can
        be on two accounts, R7). Empty when nobody matches."""
        text = query.strip()
        accounts: list[Account] = []
        user_ids: list[int] = []
        async with self._store.reading() as tx:
            if "@" in text:
                email = normalise_email(text)
                if email is not None:
                    found = await tx.accounts.by_email_key(email_key(email))
                    accounts = [found] if found else []
            else:
                digits = text.lstrip("+")
                if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_USER_ID_DIGITS:
                    found = await tx.accounts.by_telegram_user(int(digits))
                    if found is not None:
                        accounts = [found]
                    elif await self._log.has_user(int(digits)):
                        user_ids = [int(digits)]  # mid sign-up: no account yet
                if not accounts and not user_ids:
                    phone = (
                        classify_phone(text).e164 or classify_phone(text, from_contact=True).e164
                    )
                    if phone is not None:
                        accounts = await tx.accounts.by_phone(phone)
        people = [await self._person(a.telegram_user_id, a) for a in accounts]
        people += [await self._person(user_id, None) for user_id in user_ids]
        return people

    async def recent(self, user_id: int, limit: int) -> list[LogEntry]:
        return await self._log.latest(user_id, limit)

    async def stuck(self, hours: float) -> list[Person]:
        """Accounts with no step completed for `hours`, not yet activated, oldest first."""
        before = self._clock.now() - timedelta(hours=hours)
        async with self._store.reading() as tx:
            accounts = await tx.accounts.unfinished_since(before)
        return [await self._person(a.telegram_user_id, a) for a in accounts]

    async def journeys(self, since: datetime | None) -> list[Journey]:
        """Every account created since `since`, and everyone who wrote since then
        without creating one (R34: the funnel starts at the first message)."""
        async with self._store.reading() as tx:
            accounts = await tx.accounts.created_since(since)
        seen = await self._log.first_seen(since, PASSWORD_STATE)
        journeys = [
            Journey.of(a, self._policy, seen.pop(a.telegram_user_id, None)) for a in accounts
        ]
        # People with an account created before `since` are not new sign-ups.
        async with self._store.reading() as tx:
            for user_id, first in seen.items():
                if await tx.accounts.by_telegram_user(user_id) is None:
                    journeys.append(Journey.without_account(first))
        return journeys

    async def card(self, user_id: int) -> PersonCard:
        async with self._store.reading() as tx:
            account = await tx.accounts.by_telegram_user(user_id)
            language = await tx.preferences.language(user_id)
            balance = None
            two_factor = False
            if account is not None:
                balance = await tx.ledger.balance(account.id)
                record = await tx.two_factor.get(account.id)
                two_factor = record is not None and record.enabled_at is not None
        person = await self._person(user_id, account)
        return PersonCard(
            person=person,
            at_step_since=last_progress(account) if account is not None else None,
            balance=balance,
            two_factor_on=two_factor,
            language=language,
        )

    async def _person(self, user_id: int, account: Account | None) -> Person:
        return Person(
            user_id=user_id,
            account=account,
            step=next_step(account, self._policy),
            last_activity=await self._log.last_activity(user_id),
        )
