"""The dashboard's pages (issue 20): People with its search, filters and pages; a
person's card, masked transcript, live records and reply box; the funnel as a chart,
a table and a CSV file."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re

import pytest

from bot.domain.conversation import MASK, Direction
from bot.domain.dashboard import PAGE_SIZE
from bot.domain.desk import DeskService
from bot.domain.limits import DASHBOARD_REPLIES_PER_HOUR, LimitReached
from bot.domain.steps import Step
from tests.dashboard.conftest import STAFF, Site

ALICE, BOB = 501, 502


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


async def people(site: Site, **query: str) -> str:
    response = await site.client.get("/dashboard/people", params=query)
    assert response.status == 200
    return await response.text()


# -- People -------------------------------------------------------------------------------
async def test_people_are_found_by_email_phone_or_user_id(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example", (Step.EMAIL,))
    await site.add_person(BOB, "bob@acme.example")
    async with site.backend.store.transaction() as tx:
        account = await tx.accounts.by_telegram_user(ALICE)
        assert account is not None
        await tx.accounts.confirm_phone(account.id, "+79161234567", site.clock.now())
    await site.sign_in()

    for query in ("Alice@ACME.example", "+7 916 123-45-67", str(ALICE)):
        found = rows_of(await people(site, q=query))
        assert len(found) == 1, query
        assert "alice@acme.example" in found[0]
    nobody = await people(site, q="carol@acme.example")
    assert rows_of(nobody) == []
    assert "Nobody matches" in nobody


async def test_each_person_shows_step_time_language_reminders_and_request(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example", (Step.EMAIL,))
    async with site.backend.store.transaction() as tx:
        await tx.preferences.set_language(ALICE, "ru")
        await tx.reminders.set_wanted(ALICE, False, blocked=False, at=site.clock.now())
    await DeskService(site.backend.store, site.clock).open(ALICE)
    site.clock.advance(3 * 3600 + 5 * 60)
    await site.sign_in()

    (row,) = rows_of(await people(site))

    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[1:] == [
        "alice@acme.example",
        "phone",
        "3h 05m",
        "ru",
        "off",
        "open since 2026-11-27 12:00 UTC",
    ]


async def test_stuck_and_open_request_filters(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example", (Step.EMAIL,))
    site.clock.advance(30 * 3600)
    await site.add_person(BOB, "bob@acme.example")
    await DeskService(site.backend.store, site.clock).open(BOB)
    await site.sign_in()

    stuck = rows_of(await people(site, stuck="24"))
    open_request = rows_of(await people(site, open="1"))
    both = rows_of(await people(site, stuck="24", open="1"))

    assert [("alice" in r, "bob" in r) for r in stuck] == [(True, False)]
    assert [("alice" in r, "bob" in r) for r in open_request] == [(False, True)]
    assert both == []


@pytest.mark.parametrize("stuck", ["abc", "-5", "nan", "1e308"])
async def test_a_stuck_filter_that_is_not_hours_is_said_and_everyone_shown(
    site: Site, stuck: str
) -> None:
    await site.add_person(ALICE, "alice@acme.example")
    await site.sign_in()

    page = await people(site, stuck=stuck)

    assert "is not a number of hours" in page
    assert len(rows_of(page)) == 1


async def test_people_come_in_pages_of_fifty_newest_first(site: Site) -> None:
    for n in range(PAGE_SIZE * 2 + 20):
        await site.add_person(1000 + n, f"p{n}@acme.example")
    await site.sign_in()

    first = await people(site)
    third = await people(site, page="3")
    beyond = await people(site, page="9")
    odd = await people(site, page="x")

    assert len(rows_of(first)) == PAGE_SIZE
    assert "p119@acme.example" in rows_of(first)[0]
    assert "120 people, page 1 of 3" in first
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    assert len(rows_of(third)) == 20
    assert "p0@acme.example" in rows_of(third)[-1]
    assert 'rel="prev"' in third
    assert 'rel="next"' not in third
    assert rows_of(beyond) == []
    assert "page number was not understood" in odd
    assert len(rows_of(odd)) == PAGE_SIZE


async def test_a_search_keeps_its_filters_across_pages(site: Site) -> None:
    for n in range(PAGE_SIZE + 1):
        await site.add_person(1000 + n, f"p{n}@acme.example")
    site.clock.advance(48 * 3600)
    await site.sign_in()

    first = await people(site, stuck="24")
    following = re.search(r'rel="next" href="([^"]+)"', first)

    assert following is not None
    assert "stuck=24" in following[1].replace("&amp;", "&")


# -- A person -------------------------------------------------------------------------------
async def test_a_person_page_shows_the_card_and_the_masked_transcript(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example", (Step.EMAIL,))
    await site.say(ALICE, "+7 916 123-45-67")
    await site.say(ALICE, f"{MASK} (SMS code)")
    await site.say(ALICE, "<script>alert(1)</script>")
    await site.sign_in()

    response = await site.client.get(f"/dashboard/people/{ALICE}")

    assert response.status == 200
    page = await response.text()
    assert "alice@acme.example" in page
    assert f"{MASK} (SMS code)" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "phone: number" in page  # the step, as `logs` names it


async def test_every_look_at_a_person_is_recorded(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example")
    await site.sign_in()

    await site.client.get(f"/dashboard/people/{ALICE}")
    page = await (await site.client.get(f"/dashboard/people/{ALICE}")).text()

    views = await site.service.views(ALICE)
    assert [(v.staff_user_id, v.user_id) for v in views] == [(STAFF, ALICE)] * 2
    assert f"staff {STAFF} at 2026-11-27 12:00 UTC" in page


@pytest.mark.parametrize("user_id", ["999", "abc", "0", "9" * 30])
async def test_nobody_or_no_number_is_a_plain_page(site: Site, user_id: str) -> None:
    await site.sign_in()

    response = await site.client.get(f"/dashboard/people/{user_id}")

    assert response.status == 404
    assert "No such person" in await response.text()
    assert await site.service.views(999) == []


async def test_new_records_appear_on_the_event_stream(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example")
    await site.say(ALICE, "hello")
    await site.sign_in()
    page = await (await site.client.get(f"/dashboard/people/{ALICE}")).text()
    found = re.search(r'data-events="([^"]+)"', page)
    assert found is not None
    stream = await site.client.get(found[1].replace("&amp;", "&"))
    assert stream.headers["Content-Type"] == "text/event-stream"

    await site.say(BOB, "someone else")
    await site.say(ALICE, "a new message", Direction.IN)

    async def next_event() -> dict[str, str]:
        while True:
            line = (await stream.content.readline()).decode()
            if line.startswith("data: "):
                event: dict[str, str] = json.loads(line[6:])
                return event

    event = await asyncio.wait_for(next_event(), timeout=15)
    stream.close()
    assert event["text"] == "a new message"
    assert event["direction"] == "in"


# -- Replies -----------------------------------------------------------------------------------
def reply_form(page: str, text: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(csrf|reply_key)" value="([^"]+)"', page))
    return {**fields, "text": text}


async def test_a_reply_reaches_the_person_once_and_is_recorded(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example")
    async with site.backend.store.transaction() as tx:
        await tx.preferences.set_language(ALICE, "ru")
    desk = DeskService(site.backend.store, site.clock)
    await desk.open(ALICE)
    await site.sign_in()
    page = await (await site.client.get(f"/dashboard/people/{ALICE}")).text()
    form = reply_form(page, "Проверьте, пожалуйста, папку «Спам».")

    sent = await site.client.post(f"/dashboard/people/{ALICE}/reply", data=form)
    again = await site.client.post(f"/dashboard/people/{ALICE}/reply", data=form)

    assert site.outbox.sent == [
        (ALICE, "Поддержка VK Cloud:\n\nПроверьте, пожалуйста, папку «Спам».")
    ]
    assert "Your reply was sent." in await sent.text()
    assert "it was not sent twice" in await again.text()
    (record,) = [
        e
        for e in await site.backend.conversation_log.latest(ALICE, 10)
        if e.kind == "support reply"
    ]
    assert record.direction is Direction.OUT
    assert "папку «Спам»" in record.text
    request = await desk.request_of(ALICE)
    assert request is not None
    assert request.first_answer_at is not None
    assert site.outbox.topic_notes == [
        (ALICE, f"Answered from the dashboard by {STAFF}:\n\nПроверьте, пожалуйста, папку «Спам».")
    ]


async def test_a_reply_telegram_refused_keeps_the_text_and_can_be_sent_again(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example")
    await site.sign_in()
    page = await (await site.client.get(f"/dashboard/people/{ALICE}")).text()
    form = reply_form(page, "Try again now, please.")
    site.outbox.refuse = "the person has blocked the bot"

    refused = await site.client.post(f"/dashboard/people/{ALICE}/reply", data=form)
    site.outbox.refuse = None
    sent = await site.client.post(f"/dashboard/people/{ALICE}/reply", data=form)

    text = await refused.text()
    assert "the person has blocked the bot" in text
    assert ">Try again now, please.</textarea>" in text
    assert "Your reply was sent." in await sent.text()
    assert len(site.outbox.sent) == 1


@pytest.mark.parametrize(
    ("text", "said"),
    [("   ", "Type a reply first."), ("x" * 4001, "The reply is 4001 characters long")],
)
async def test_an_empty_or_too_long_reply_is_not_sent(site: Site, text: str, said: str) -> None:
    await site.add_person(ALICE, "alice@acme.example")
    await site.sign_in()
    page = await (await site.client.get(f"/dashboard/people/{ALICE}")).text()

    response = await site.client.post(
        f"/dashboard/people/{ALICE}/reply", data=reply_form(page, text)
    )

    assert said in await response.text()
    assert site.outbox.sent == []


async def test_replies_are_limited_per_staff_member_and_hour(site: Site) -> None:
    for n in range(DASHBOARD_REPLIES_PER_HOUR):
        assert await site.service.claim_reply(f"form-{n}", STAFF, ALICE)

    with pytest.raises(LimitReached):
        await site.service.claim_reply("one-more", STAFF, ALICE)
    site.clock.advance(3600)
    assert await site.service.claim_reply("one-more", STAFF, ALICE)


# -- Funnel ------------------------------------------------------------------------------------
async def make_funnel(site: Site) -> None:
    await site.add_person(601, "a@acme.example", (Step.EMAIL, Step.PHONE, Step.CARD))
    await site.add_person(602, "b@acme.example", (Step.EMAIL, Step.PHONE))
    await site.add_person(603, "c@acme.example", (Step.EMAIL,))
    await site.add_person(604, "d@acme.example")


async def test_the_funnel_is_a_chart_and_a_table_of_the_same_numbers(site: Site) -> None:
    await make_funnel(site)
    await site.sign_in()

    page = await (await site.client.get("/dashboard/funnel", params={"since": "all"})).text()

    chart = dict(
        re.findall(
            r'<g class="bar" data-step="(\w+)">.*?class="reached-count"[^>]*>(\d+)<', page, re.S
        )
    )
    table = dict(re.findall(r'<tr data-step="(\w+)"><td>[^<]*</td><td>(\d+)</td>', page))
    assert chart == table
    assert table["email"] == "4"
    assert table["phone"] == "3"
    assert table["card"] == "2"
    assert "<svg" in page
    assert "<script" not in page


async def test_the_funnel_downloads_as_csv(site: Site) -> None:
    await make_funnel(site)
    await site.sign_in()

    response = await site.client.get("/dashboard/funnel.csv", params={"since": "7d"})

    assert response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    by_step = {r["step"]: r for r in rows}
    assert by_step["phone"]["reached"] == "3"
    assert by_step["phone"]["finished"] == "2"
    assert by_step["phone"]["conversion"] == "0.6667"


async def test_a_window_that_is_not_one_is_a_plain_page(site: Site) -> None:
    await site.sign_in()

    response = await site.client.get("/dashboard/funnel", params={"since": "yesterday-ish"})

    assert response.status == 400
    assert "Choose 24h, 7d, 30d or all time" in await response.text()


async def test_live_transcripts_are_capped_per_staff_member(site: Site) -> None:
    from bot.dashboard.app import MAX_STREAMS_PER_STAFF

    await site.add_person(ALICE, "alice@acme.example")
    await site.sign_in()
    path = f"/dashboard/people/{ALICE}/events"
    streams = [await site.client.get(path) for _ in range(MAX_STREAMS_PER_STAFF)]

    one_more = await site.client.get(path)

    assert [s.status for s in streams] == [200] * MAX_STREAMS_PER_STAFF
    assert one_more.status == 429
    for stream in streams:
        stream.close()


async def test_a_live_transcript_ends_with_its_session(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.dashboard.app

    monkeypatch.setattr(bot.dashboard.app, "HEARTBEAT_SECONDS", 0.05)
    await site.add_person(ALICE, "alice@acme.example")
    await site.sign_in()
    stream = await site.client.get(f"/dashboard/people/{ALICE}/events")
    cookie = next(iter(site.client.session.cookie_jar)).value

    await site.service.end(cookie)  # signed out in another tab

    body = await asyncio.wait_for(stream.content.read(), timeout=10)
    assert b"retry: 10000" in body  # read to the end: the server closed it


async def test_a_stopping_server_ends_the_live_transcripts_at_once(site: Site) -> None:
    await site.add_person(ALICE, "alice@acme.example")
    await site.sign_in()
    stream = await site.client.get(f"/dashboard/people/{ALICE}/events")
    await stream.content.readline()  # it is following

    await asyncio.wait_for(site.client.server.close(), timeout=5)

    assert await asyncio.wait_for(stream.content.read(), timeout=5) is not None
