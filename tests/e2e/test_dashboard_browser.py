"""Issue 20 in a real browser: Debian's chromium, driven by Playwright with its
`executable_path` (Playwright never downloads a browser here). The real `python -m bot`
(polling the fake Telegram) and `python -m bot dashboard` run on one database; a staff
member gets a sign-in link from the bot, searches a person, opens the transcript, sees
the person's new message arrive without a reload, answers from the reply box, and reads
the funnel chart's numbers. A screenshot of each page is saved in TEST_ARTIFACTS
(test-artifacts/dashboard/ by default).

Where no browser can be started the test is skipped with the reason; in CI
(REQUIRE_SERVICES=1) it fails instead."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.conftest import SUPPORT_ID, BotProcess, Person, bot_env
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As the machine's notes say: without the background-networking flags chromium keeps
# trying Google's hosts, which a closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PERSON = 50501


def artifacts() -> Path:
    folder = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts")) / "dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def no_browser(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if shutil.which(CHROMIUM) is None:
        no_browser(f"no chromium at {CHROMIUM} (.ci/services installs Debian's chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        no_browser("playwright is not installed (pip install -e '.[test]')")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()


async def until_serving(url: str, process: BotProcess) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            assert process.process is not None
            assert process.process.returncode is None, process.log()
            try:
                async with session.get(url) as response:
                    if response.status == 401:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the dashboard did not start:\n{process.log()}")


async def test_staff_sign_in_find_a_person_watch_them_write_answer_and_read_the_funnel(
    browser: Any,
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**bot_env(telegram, smtp, sms_gateway, tmp_path), "DASHBOARD_URL": url}
    bot = BotProcess(env, tmp_path)
    await bot.start()
    dashboard = BotProcess({**env, "DASHBOARD_PORT": str(port)}, tmp_path)
    dashboard.mode = ["dashboard"]
    dashboard.log_path = tmp_path / "dashboard.log"
    shots = artifacts()
    try:
        person = Person(PERSON, telegram, smtp)
        await person.reaches_the_phone_step()
        await dashboard.start()
        await until_serving(f"{url}/dashboard/people", dashboard)

        # The link comes from the bot, in the staff member's private chat.
        staff = Person(SUPPORT_ID, telegram, smtp)
        text = await staff.says("/dashboard", "sign-in link")
        found = re.search(r"http://\S+/dashboard/login\?token=[A-Za-z0-9_-]+", text)
        assert found, text

        page = await browser.new_page()
        await page.goto(found[0])
        await page.wait_for_url(re.compile(r".*/dashboard/people$"))
        await page.screenshot(path=shots / "1-people.png", full_page=True)

        # Search by email, open the person.
        await page.fill("input[name=q]", f"user{PERSON}@corp.example")
        await page.click("button:has-text('Show')")
        rows = page.locator("#people tbody tr")
        assert await rows.count() == 1
        assert "phone" in await rows.first.inner_text()
        await page.screenshot(path=shots / "2-search.png", full_page=True)
        await page.click(f"a:has-text('{PERSON}')")
        await page.wait_for_selector("#live[data-state=live]")
        assert "password" in await page.inner_text("#transcript")
        assert "Correct-Horse-42" not in await page.content()  # masked, as in `logs`

        # The person writes; the transcript grows without a reload.
        await telegram.send_text(PERSON, "I did not get the SMS, can you help?")
        await page.wait_for_selector("#transcript li:has-text('I did not get the SMS')")
        await page.screenshot(path=shots / "3-person-live.png", full_page=True)

        # An answer from the reply box reaches the person through the bot.
        mark = len(telegram.calls)
        await page.fill("#reply-text", "Please check that the number is right.")
        await page.click("button:has-text('Send to the person')")
        await page.wait_for_selector("#notice:has-text('Your reply was sent.')")
        reply = await person.reply("Please check that the number is right.", after=mark)
        assert reply.startswith("VK Cloud support:")
        assert "staff 900" in await page.inner_text("#views")

        # The funnel: the chart's numbers are the table's.
        await page.click("nav a:has-text('Funnel')")
        await page.wait_for_selector("#chart")
        await page.screenshot(path=shots / "4-funnel.png", full_page=True)
        chart = {
            await g.get_attribute("data-step"): await g.locator(".reached-count").text_content()
            for g in await page.locator("#chart g.bar").all()
        }
        table = {
            await tr.get_attribute("data-step"): await tr.locator("td").nth(1).inner_text()
            for tr in await page.locator("#funnel tbody tr").all()
        }
        assert chart == table
        assert table["email"] == "1"
        assert table["phone"] == "1"
        assert table["card"] == "0"

        # Signed out, the pages are closed again.
        await page.click("button:has-text('Sign out')")
        await page.wait_for_selector("text=Signed out")
        await page.goto(f"{url}/dashboard/people")
        assert "Not signed in" in await page.content()
    finally:
        await dashboard.stop() if dashboard.process is not None else None
        await bot.stop()
    assert found[0].split("token=")[1] not in dashboard.log()  # no token in a log
    assert found[0].split("token=")[1] not in bot.log()
