"""Support staff in Telegram (R18): /logs, /find, /watch, /unwatch, /stuck, and
/dashboard (issue 20): a sign-in link to the web dashboard.

Only for the user ids in SUPPORT_USER_IDS. For anyone else these commands do not
exist: the filter fails, and the command falls through to "I do not know that
command", exactly like a command that really does not exist.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import LinkPreviewOptions, Message

from bot.domain.dashboard import DashboardService, login_url
from bot.domain.limits import LimitReached, Limits, Quota
from bot.domain.phones import display_phone
from bot.domain.steps import last_progress
from bot.domain.support import (
    Person,
    SupportService,
    parse_count,
    parse_hours,
    parse_user_id,
)
from bot.support.display import format_entry, position_label, utc_minute
from bot.support.masking import sensitive_reply
from bot.support.mirror import WatchMirror
from bot.support.recorder import ConversationRecorder
from bot.ui.texts import Texts
from handlers.filters import Matches

DEFAULT_RECORDS = 30
MAX_RECORDS = 500
DEFAULT_STUCK_HOURS = 24.0
# Telegram's limit is 4096 characters a message; leave room.
_CHUNK = 3800


class IsSupport(Filter):
    async def __call__(self, message: Message, support_user_ids: frozenset[int]) -> bool:
        return message.from_user is not None and message.from_user.id in support_user_ids


async def send_plain(message: Message, lines: list[str]) -> None:
    """Log texts are shown as they are: no markup, split across messages when long."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = line if len(line) <= _CHUNK else line[:_CHUNK] + "…"
        if chunk and size + len(line) + 1 > _CHUNK:
            await message.answer("\n".join(chunk), parse_mode=None)
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        await message.answer("\n".join(chunk), parse_mode=None)


def describe(person: Person, t: Texts) -> str:
    account = person.account
    phone = "-"
    if account is not None and account.phone:
        phone = display_phone(account.phone)
    return t.raw(
        "support.person",
        user_id=person.user_id,
        email=account.email if account else t("support.no_account"),
        phone=phone,
        step=position_label(person.step),
        created=utc_minute(account.created_at if account else None),
        last=utc_minute(person.last_activity),
    )


async def _one_person(
    message: Message, query: str, support: SupportService, t: Texts
) -> Person | None:
    people = await support.find(query)
    if not people:
        await message.answer(t.raw("support.nobody", query=query), parse_mode=None)
        return None
    if len(people) > 1:
        listed = "\n".join(f"{p.user_id} {p.account.email if p.account else ''}" for p in people)
        await message.answer(t.raw("support.several", query=query, people=listed), parse_mode=None)
        return None
    return people[0]


async def logs(
    message: Message,
    command: CommandObject,
    support: SupportService,
    recorder: ConversationRecorder,
    t: Texts,
) -> None:
    args = (command.args or "").split()
    if not args:
        await message.answer(t.raw("support.usage_logs"), parse_mode=None)
        return
    count = DEFAULT_RECORDS
    asked = parse_count(args[-1]) if len(args) > 1 else None
    if asked is not None:
        count = max(1, min(MAX_RECORDS, asked))
        args = args[:-1]
    await recorder.flush()  # what this process has buffered is part of the answer
    person = await _one_person(message, " ".join(args), support, t)
    if person is None:
        return
    entries = await support.recent(person.user_id, count)
    if not entries:
        await message.answer(t.raw("support.no_records", user_id=person.user_id), parse_mode=None)
        return
    header = t.raw("support.logs_header", user_id=person.user_id, count=len(entries))
    await send_plain(message, [header, *(format_entry(e) for e in entries)])


async def find(
    message: Message,
    command: CommandObject,
    support: SupportService,
    recorder: ConversationRecorder,
    t: Texts,
) -> None:
    query = (command.args or "").strip()
    if not query:
        await message.answer(t.raw("support.usage_find"), parse_mode=None)
        return
    await recorder.flush()  # someone who only just wrote is findable
    people = await support.find(query)
    if not people:
        await message.answer(t.raw("support.nobody", query=query), parse_mode=None)
        return
    await send_plain(message, [describe(p, t) + "\n" for p in people])


async def watch(
    message: Message,
    command: CommandObject,
    watches: WatchMirror,
    t: Texts,
) -> None:
    assert message.from_user is not None
    target = parse_user_id(command.args or "")
    if target is None:
        await message.answer(t.raw("support.usage_watch"), parse_mode=None)
        return
    await watches.watch(message.from_user.id, target)
    await message.answer(t.raw("support.watching", user_id=target), parse_mode=None)


async def unwatch(message: Message, watches: WatchMirror, t: Texts) -> None:
    assert message.from_user is not None
    watched = await watches.unwatch(message.from_user.id)
    if watched is None:
        await message.answer(t.raw("support.not_watching"), parse_mode=None)
    else:
        await message.answer(t.raw("support.unwatched", user_id=watched), parse_mode=None)


async def stuck(
    message: Message, command: CommandObject, support: SupportService, t: Texts
) -> None:
    hours = parse_hours(command.args or "", DEFAULT_STUCK_HOURS)
    if hours is None:
        await message.answer(t.raw("support.usage_stuck"), parse_mode=None)
        return
    shown = f"{hours:g}"
    people = await support.stuck(hours)
    if not people:
        await message.answer(t.raw("support.nobody_stuck", hours=shown), parse_mode=None)
        return
    lines = [t.raw("support.stuck_header", hours=shown)]
    for person in people:
        account = person.account
        assert account is not None
        lines.append(
            t.raw(
                "support.stuck_line",
                user_id=person.user_id,
                email=account.email,
                step=position_label(person.step),
                since=utc_minute(last_progress(account)),
            )
        )
    await send_plain(message, lines)


async def dashboard(
    message: Message, dashboard: DashboardService, dashboard_url: str | None, t: Texts
) -> None:
    """A one-time sign-in link (R41). Registered for private chats only: in a group
    every member would see it (there the groups' router answers)."""
    assert message.from_user is not None  # IsSupport
    if dashboard_url is None:
        await message.answer(t.raw("support.dashboard_off"), parse_mode=None)
        return
    try:
        token = await dashboard.issue_link(message.from_user.id)
    except LimitReached as reached:
        policy = dashboard.policy
        await message.answer(
            t.raw(
                "support.dashboard_limit",
                count=Limits(policy).limit(Quota.DASHBOARD_LINKS),
                time=t.moment(reached.retry_at, ZoneInfo(policy.timezone), dashboard.now()),
            ),
            parse_mode=None,
        )
        return
    # The link opens a session: the conversation log keeps a mask of it.
    with sensitive_reply("dashboard sign-in link"):
        await message.answer(
            t.raw("support.dashboard_link", url=login_url(dashboard_url, token)),
            parse_mode=None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )


def router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsSupport())
    router.message.register(logs, Command("logs"))
    router.message.register(find, Command("find"))
    router.message.register(watch, Command("watch"))
    router.message.register(unwatch, Command("unwatch"))
    router.message.register(stuck, Command("stuck"))
    router.message.register(
        dashboard, Command("dashboard"), Matches(F.chat.type == ChatType.PRIVATE)
    )
    return router
