"""/dashboard in Telegram (issue 20, R41): a sign-in link for support staff only, in a
private chat only, masked in the conversation log, and a few an hour."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.types import Chat

from bot.app import Services
from bot.domain.conversation import MASK
from bot.domain.limits import DASHBOARD_LINKS_PER_HOUR
from tests.conftest import SUPPORT
from tests.support.chat import ChatDriver
from tests.support.journey import settle_log

STAFF = next(iter(SUPPORT))
URL = "https://support.example"


async def test_staff_get_a_one_time_link_that_the_log_keeps_masked(
    chat: ChatDriver, dispatcher: Dispatcher, services: Services
) -> None:
    dispatcher["dashboard_url"] = URL
    staff = chat.other_person(STAFF)

    replies = await staff.send("/dashboard")

    (message,) = replies.messages
    link = message.text.split()[-1]
    assert link.startswith(f"{URL}/dashboard/login?token=")
    assert "works once, for 5 minutes" in message.text
    opened = await services.dashboard.open_link(link.split("token=")[1])
    assert isinstance(opened, tuple)
    assert opened[1] == STAFF
    await settle_log(services)
    records = await services.support.recent(STAFF, 5)
    assert any(MASK in r.text and "sign-in link" in r.text for r in records)
    assert not any(link.split("token=")[1] in r.text for r in records)


async def test_the_link_is_only_sent_in_a_private_chat(
    chat: ChatDriver, dispatcher: Dispatcher
) -> None:
    dispatcher["dashboard_url"] = URL
    staff = chat.other_person(STAFF)
    group = Chat(id=-100777, type="supergroup", title="Support")

    replies = await staff.feed_message(text="/dashboard", chat=group)

    assert replies.texts == ["I work in private chats only. Please write to me directly."]
    assert "token=" not in replies.text


async def test_without_a_dashboard_url_staff_are_told_what_to_use(chat: ChatDriver) -> None:
    replies = await chat.other_person(STAFF, "ru").send("/dashboard")

    assert replies.texts == [
        "Панель не настроена: в настройках бота не задан DASHBOARD_URL. Пока её нет,"
        " пользуйтесь здесь командами /logs, /find, /watch и /stuck."
    ]


async def test_dashboard_does_not_exist_for_anyone_else(
    chat: ChatDriver, dispatcher: Dispatcher
) -> None:
    dispatcher["dashboard_url"] = URL
    await chat.send("/start")

    replies = await chat.send("/dashboard")

    assert replies.texts == ["I do not know that command. /help shows what I can do at your step."]


async def test_a_staff_member_gets_ten_links_an_hour_and_is_told_when_the_next(
    chat: ChatDriver, dispatcher: Dispatcher
) -> None:
    dispatcher["dashboard_url"] = URL
    staff = chat.other_person(STAFF)
    for _ in range(DASHBOARD_LINKS_PER_HOUR):
        await staff.send("/dashboard")

    replies = await staff.send("/dashboard")

    assert replies.texts == [
        "You have asked for 10 sign-in links this hour; you can get the next one at 16:00"
        " Moscow time. A link you already have works for 5 minutes after it was sent."
    ]
