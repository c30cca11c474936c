"""Chaos (R12, R19, R20): twelve people, arriving ten seconds apart, register while the
real process is killed with SIGKILL again and again, 1.5 to 4 seconds into each uptime
(at least 30 times), once while a payment's reply is on its way, and always while what
people typed meanwhile waits as a backlog. Everyone finishes, each paid account holds
exactly the 500 ₽ check and the 3,000-point bonus, and nobody who wrote during a
restart is told they are too fast.

A person here acts as a person would when the bot is silent: they wait, and after a
while send the same thing again; the bot answers a repeat with the step it is at
(docs/rules.md, R12), so a repeat never leads them astray.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.ui.keyboards import Autopay, GetStarted
from tests.e2e.conftest import PASSWORD, BotProcess, bot_env
from tests.support.fake_telegram import Call, FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.e2e

PEOPLE = 12
AMOUNT = 500_00
QUIET_SECONDS = 15.0  # how long a person waits for an answer before saying it again
THINK = (1.0, 2.5)  # seconds a person takes to read a reply and type the next thing
ARRIVALS = 10.0  # seconds between one person's /start and the next one's
KILL_EVERY = (1.5, 4.0)  # seconds of uptime between kills
KILLS_AT_LEAST = 30

Expect = Callable[[dict[str, Any]], bool]


def mentions(*fragments: str) -> Expect:
    """A message to the person holding any of the fragments."""
    return lambda p: any(f in str(p.get("text", "")) for f in fragments)


def button(prefix: str) -> Expect:
    return lambda p: prefix in str(p.get("reply_markup", ""))


class Person:
    def __init__(self, user_id: int, telegram: FakeTelegram, smtp: SmtpSink, sms: SmsSink):
        self.id = user_id
        self.telegram = telegram
        self.smtp = smtp
        self.sms = sms
        self.email = f"chaos{user_id}@corp.example"
        self.phone = f"+7916{user_id:07d}"
        self.repeats = 0
        self.stage = "start"
        self.chance = random.Random(user_id)

    async def thinks(self) -> None:
        """A person's pace: people read and type (R20 counts 5 messages in 2 s as a
        flood, and a test person typing at once would be one)."""
        await asyncio.sleep(self.chance.uniform(*THINK))

    def _to_me(self, expect: Expect) -> Expect:
        return lambda p: str(p.get("chat_id")) == str(self.id) and expect(p)

    async def until(
        self, act: Callable[[], Awaitable[object]], expect: Expect, method: str = "sendMessage"
    ) -> Call:
        """Does `act`, and again after each quiet spell, until the bot answers."""
        self.stage = getattr(act, "__name__", "?")
        while True:
            await self.thinks()
            mark = len(self.telegram.calls)
            await act()
            try:
                _, call = await self.telegram.wait_for(
                    method, self._to_me(expect), after=mark, timeout=QUIET_SECONDS
                )
                return call
            except TimeoutError:
                self.repeats += 1

    async def says(self, text: str, expect: Expect) -> Call:
        return await self.until(lambda: self.telegram.send_text(self.id, text), expect)

    async def presses(self, data: str, expect: Expect) -> Call:
        return await self.until(lambda: self.telegram.press(self.id, data), expect)

    async def register(self) -> None:
        await self.says("/start", mentions("work email"))
        await self.says(self.email, mentions("password"))
        await self.says(PASSWORD, mentions("confirm your email"))
        await self.opens_the_link()
        await self.says(self.phone, mentions("SMS"))
        await self.sends_the_code()
        await self.pays()
        await self.presses(Autopay(action="skip").pack(), button(GetStarted.__prefix__))
        await self.presses(GetStarted().pack(), mentions("services are active"))

    async def opens_the_link(self) -> None:
        async def open_the_newest() -> None:
            email = await self.smtp.latest_to(self.email, timeout=120)
            body = email.get_body(preferencelist=("plain",))
            assert body is not None
            token = re.search(r"\?start=([A-Za-z0-9_-]+)", body.get_content())
            assert token
            await self.telegram.send_text(self.id, f"/start {token[1]}")

        await self.until(open_the_newest, mentions("phone number"))

    async def sends_the_code(self) -> None:
        async def the_newest_code() -> None:
            sms = await self.sms.latest_to(self.phone, timeout=120)
            await self.telegram.send_text(self.id, sms.code)

        await self.until(the_newest_code, mentions("payment card", "payment form"))

    async def first_of(self, expected: dict[str, Expect], after: int) -> Call | None:
        """The first call to this person, after `after`, of any method with its test;
        None after a quiet spell."""
        waits = [
            asyncio.ensure_future(
                self.telegram.wait_for(
                    method, self._to_me(expect), after=after, timeout=QUIET_SECONDS
                )
            )
            for method, expect in expected.items()
        ]
        finished, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in pending:
            wait.cancel()
        for wait in finished:
            if wait.exception() is None:
                return wait.result()[1]
        return None

    async def pays(self) -> None:
        """The newest form: Telegram's pre-checkout question, then the payment, as
        Telegram does. A refused form is followed by a newer one in the chat."""
        while True:
            await self.thinks()
            mark = len(self.telegram.calls)
            await self.telegram.send_text(self.id, "/card")
            found = await self.first_of(
                {"sendInvoice": lambda p: True, "sendMessage": mentions("already linked")}, mark
            )
            self.stage = f"pays: {found.method if found else None}"
            if found is None:
                self.repeats += 1
                continue
            if found.method == "sendMessage":
                return  # linked by an earlier payment whose answer was lost in a kill
            payload = str(found.params["payload"])
            await self.thinks()
            mark = len(self.telegram.calls)
            query = await self.telegram.pre_checkout(self.id, payload, AMOUNT)

            def this_query(p: dict[str, Any], query: str = query) -> bool:
                return p.get("pre_checkout_query_id") == query

            try:
                _, answer = await self.telegram.wait_for(
                    "answerPreCheckoutQuery", this_query, after=mark, timeout=QUIET_SECONDS
                )
            except TimeoutError:
                continue  # never answered: Telegram shows a failure, nothing is charged
            self.stage = f"pays: pre-checkout {answer.params}"
            if str(answer.params.get("ok")).lower() != "true":
                if "already" in str(answer.params.get("error_message", "")):
                    return  # linked by an earlier form of theirs
                continue

            # One charge, told again while unanswered, as Telegram redelivers it.
            async def the_payment(payload: str = payload) -> None:
                charge = f"chaos-charge-{self.id}"
                await self.telegram.successful_payment(self.id, payload, AMOUNT, charge)

            await self.until(
                the_payment, mentions("card is linked", "autopayment", "already linked")
            )
            return


class Killer:
    """SIGKILLs the process 1.5-4 s into each uptime, counted from its first poll after
    the restart; the first payment recorded is killed while its answer is on its way
    (held at the fake Bot API server), whatever the timer says."""

    def __init__(self, bot: BotProcess, telegram: FakeTelegram, seed: int) -> None:
        self.bot = bot
        self.telegram = telegram
        self.chance = random.Random(seed)
        self.kills = 0
        self.during_payment = 0
        self.payment = telegram.hold("sendMessage", mentions("card is linked"))

    async def run(self, done: asyncio.Event) -> None:
        while not done.is_set():
            mark = len(self.telegram.calls)
            await self.telegram.wait_for("getUpdates", after=mark, timeout=120)
            uptime = self.chance.uniform(*KILL_EVERY)
            events = [done.wait()]
            if not self.payment.released.is_set():
                events.append(self.payment.arrived.wait())
            waits = [asyncio.ensure_future(e) for e in events]
            _, pending = await asyncio.wait(
                waits, timeout=uptime, return_when=asyncio.FIRST_COMPLETED
            )
            for wait in pending:
                wait.cancel()
            if done.is_set():
                return
            await self.bot.kill()
            self.kills += 1
            if self.payment.arrived.is_set() and not self.payment.released.is_set():
                self.during_payment += 1
                self.payment.released.set()  # the answer goes to a process now dead
            await self.bot.start()


@pytest.fixture
async def bot_process(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """The bot with flood control as in production (R20: 5 in 2 s), so that a backlog
    counted as a flood would show."""
    env = bot_env(telegram, smtp, sms_gateway, tmp_path) | {"FLOOD_MAX_EVENTS": "5"}
    process = BotProcess(env, tmp_path)
    await process.start()
    yield process
    await process.stop()


async def test_twelve_people_finish_through_thirty_kills_with_money_exactly_once(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    bot_process: BotProcess,
) -> None:
    people = [Person(7000 + n, telegram, smtp, sms_gateway) for n in range(PEOPLE)]
    killer = Killer(bot_process, telegram, seed=27)
    done = asyncio.Event()

    async def arrives(n: int, person: Person) -> None:
        await asyncio.sleep(n * ARRIVALS)  # people come one after another, as they do
        await person.register()

    killing = asyncio.create_task(killer.run(done))
    try:
        await asyncio.wait_for(
            asyncio.gather(*(arrives(n, p) for n, p in enumerate(people))), timeout=420
        )
    except TimeoutError:
        print("stuck:", {p.id: p.stage for p in people}, "\nlog:", bot_process.log()[-6000:])
        raise
    finally:
        done.set()
    await asyncio.wait_for(killing, timeout=120)
    repeats = sum(p.repeats for p in people)
    print(f"chaos: {killer.kills} kills while people registered, {repeats} repeats")

    for person in people:
        balance = await person.says("/balance", mentions("Total"))
        assert "Total: 3,500\u00a0₽" in str(balance.params["text"]), person.id  # 500 + 3000
    assert killer.kills >= KILLS_AT_LEAST
    assert killer.during_payment == 1
    too_fast = [c for c in telegram.calls if mentions("very fast")(c.params)]
    assert too_fast == []
    assert await bot_process.stop() == 0
