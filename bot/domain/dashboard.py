"""The support staff's web dashboard (issue 20, R41-R44): who may open it and for how
long, what a page of people is, and what is kept of every look at a person.

A login link is one random token, sent by the bot to a member of SUPPORT_USER_IDS in
Telegram (/dashboard). It opens one session, once, within five minutes. The session is
another random token in an HttpOnly cookie. Both are kept as digests only, so a copy
of the database opens nothing; membership of SUPPORT_USER_IDS is checked again on
every request, so someone removed from it is out at once.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.limits import Limits, Quota
from bot.domain.policy import Policy
from bot.domain.ports import Store
from bot.domain.records import ListedAccount, View
from bot.domain.steps import Step, last_progress, next_step
from bot.domain.support import SupportService, parse_hours, parse_user_id
from bot.domain.tokens import new_link_token, token_digest

log = logging.getLogger(__name__)

# R41: a login link lasts five minutes and opens one session.
LINK_SECONDS = 300
# One page of the People list.
PAGE_SIZE = 50
# A reply goes out as "VK Cloud support:\n\n" and the text: within Telegram's 4096.
MAX_REPLY = 4000
_TOKEN_BYTES = 32


def login_url(dashboard_url: str, token: str) -> str:
    """The link the bot sends: DASHBOARD_URL's pages are under /dashboard/."""
    return f"{dashboard_url.rstrip('/')}/dashboard/login?token={token}"


class Refusal(enum.Enum):
    """Why a login link opened nothing; the page says which."""

    UNKNOWN = "unknown"  # never issued, mistyped or forged
    USED = "used"
    EXPIRED = "expired"
    NOT_STAFF = "not_staff"  # issued to someone no longer in SUPPORT_USER_IDS


@dataclass(frozen=True)
class PersonRow:
    user_id: int
    email: str | None
    step: Step
    at_step_since: datetime | None
    language: str | None
    reminders_wanted: bool
    reminders_sent: int
    open_request_since: datetime | None


@dataclass(frozen=True)
class PeopleFilter:
    query: str = ""
    stuck_hours: float | None = None
    open_request: bool = False
    page: int = 1

    @classmethod
    def parse(
        cls, query: str, stuck: str, open_request: str, page: str
    ) -> tuple[PeopleFilter, list[str]]:
        """The filter as typed in the page's form, and what was not understood (by
        field name: the page says it and keeps the rest)."""
        problems: list[str] = []
        hours: float | None = None
        if stuck.strip():
            hours = parse_hours(stuck, 0)
            if hours is None:
                problems.append("stuck")
        number = parse_user_id(page) if page.strip() else 1
        if number is None:
            problems.append("page")
            number = 1
        return cls(query.strip()[:200], hours, open_request in ("1", "on", "yes"), number), problems


@dataclass(frozen=True)
class PeoplePage:
    rows: list[PersonRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


class DashboardService:
    def __init__(
        self,
        *,
        store: Store,
        support: SupportService,
        policy: Policy,
        clock: Clock,
        staff: frozenset[int],
        session_hours: float,
    ) -> None:
        self._store = store
        self._support = support
        self._policy = policy
        self._clock = clock
        self._staff = staff
        self._session = timedelta(hours=session_hours)
        self._limits = Limits(policy)

    @property
    def policy(self) -> Policy:
        return self._policy

    def now(self) -> datetime:
        return self._clock.now()

    def is_staff(self, user_id: int) -> bool:
        return user_id in self._staff

    # -- R41: links and sessions --------------------------------------------------------
    async def issue_link(self, staff_user_id: int) -> str:
        """A new login link's token for a member of SUPPORT_USER_IDS; LimitReached when
        they asked for DASHBOARD_LINKS_PER_HOUR already (R43)."""
        if not self.is_staff(staff_user_id):
            raise PermissionError("not a member of SUPPORT_USER_IDS")
        token = new_link_token(_TOKEN_BYTES)
        now = self._clock.now()
        async with self._store.transaction() as tx:
            await self._limits.take(tx, Quota.DASHBOARD_LINKS, str(staff_user_id), now)
            await tx.dashboard.prune(now - timedelta(days=1))
            await tx.dashboard.add_link(
                token_digest(token), staff_user_id, now, now + timedelta(seconds=LINK_SECONDS)
            )
        return token

    async def open_link(self, token: str) -> tuple[str, int] | Refusal:
        """The new session's token and whose it is, or why not."""
        now = self._clock.now()
        digest = token_digest(token)
        async with self._store.transaction() as tx:
            link = await tx.dashboard.link(digest)
            if link is None:
                return Refusal.UNKNOWN
            if link.used_at is not None:
                return Refusal.USED
            if link.expires_at <= now:
                return Refusal.EXPIRED
            if not self.is_staff(link.staff_user_id):
                return Refusal.NOT_STAFF
            # The update decides, not the read above: of two opening it at once, one wins.
            if not await tx.dashboard.use_link(digest, now):
                return Refusal.USED
            session = new_link_token(_TOKEN_BYTES)
            await tx.dashboard.add_session(
                token_digest(session), link.staff_user_id, now, now + self._session
            )
        log.info("dashboard: staff %s signed in", link.staff_user_id)
        return session, link.staff_user_id

    async def session(self, token: str) -> int | None:
        """Whose session the cookie is, while it lasts and they are still staff."""
        if not token or len(token) > 64:
            return None
        async with self._store.reading() as tx:
            record = await tx.dashboard.session(token_digest(token))
        if record is None or record.expires_at <= self._clock.now():
            return None
        return record.staff_user_id if self.is_staff(record.staff_user_id) else None

    async def end(self, token: str) -> None:
        async with self._store.transaction() as tx:
            await tx.dashboard.end_session(token_digest(token))

    @staticmethod
    def csrf_token(session_token: str) -> str:
        """R42: the token every form carries, derived from the session: a page of
        another site can neither read the cookie nor compute this from it."""
        return hashlib.sha256(f"csrf:{session_token}".encode()).hexdigest()

    @classmethod
    def csrf_matches(cls, session_token: str, given: str) -> bool:
        return hmac.compare_digest(cls.csrf_token(session_token).encode(), given.encode())

    # -- R44: every look at a person is kept --------------------------------------------
    async def viewed(self, staff_user_id: int, user_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.dashboard.add_view(staff_user_id, user_id, self._clock.now())
        log.info("dashboard: staff %s viewed person %s", staff_user_id, user_id)

    async def views(self, user_id: int, limit: int = 10) -> list[View]:
        async with self._store.reading() as tx:
            return await tx.dashboard.views(user_id, limit)

    # -- replies --------------------------------------------------------------------------
    async def claim_reply(self, key: str, staff_user_id: int, user_id: int) -> bool:
        """True once per form: the reply is to be sent. LimitReached past
        DASHBOARD_REPLIES_PER_HOUR (R43)."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            if not await tx.dashboard.claim_reply(token_digest(key), staff_user_id, user_id, now):
                return False
            await self._limits.take(tx, Quota.DASHBOARD_REPLIES, str(staff_user_id), now)
        return True

    async def reply_sent(self, key: str, message_id: int) -> None:
        async with self._store.transaction() as tx:
            await tx.dashboard.reply_sent(token_digest(key), message_id)

    async def reply_failed(self, key: str) -> None:
        """Telegram did not take it: the same form may be sent again."""
        async with self._store.transaction() as tx:
            await tx.dashboard.forget_reply(token_digest(key))

    # -- the People list -----------------------------------------------------------------
    async def people(self, wanted: PeopleFilter) -> PeoplePage:
        now = self._clock.now()
        stuck_before = (
            None if wanted.stuck_hours is None else now - timedelta(hours=wanted.stuck_hours)
        )
        user_ids: list[int] | None = None
        without_account: list[int] = []
        if wanted.query:
            found = await self._support.find(wanted.query)
            user_ids = [p.user_id for p in found if p.account is not None]
            without_account = [p.user_id for p in found if p.account is None]
        offset = (wanted.page - 1) * PAGE_SIZE
        async with self._store.reading() as tx:
            listed, total = await tx.dashboard.accounts_page(
                user_ids, stuck_before, wanted.open_request, offset, PAGE_SIZE
            )
        rows = [self._row(item) for item in listed]
        if without_account and stuck_before is None and not wanted.open_request:
            # Mid sign-up (no account yet): found by their user id only.
            for user_id in without_account:
                rows.append(PersonRow(user_id, None, Step.SIGN_UP, None, None, True, 0, None))
                total += 1
        return PeoplePage(rows, total, wanted.page)

    def _row(self, item: ListedAccount) -> PersonRow:
        account = item.account
        return PersonRow(
            user_id=account.telegram_user_id,
            email=account.email,
            step=next_step(account, self._policy),
            at_step_since=last_progress(account),
            language=item.language,
            reminders_wanted=item.reminders_wanted,
            reminders_sent=item.reminders_sent,
            open_request_since=item.open_request_since,
        )
