"""Issue 9: three webhook instances of the real `python -m bot` process share one
Redis and one PostgreSQL. Fifty people register at once, each person's updates going
to the instances in turn; one instance is killed with SIGKILL in the middle. Every
registration completes, with nothing lost and nothing counted twice."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.ui.keyboards import Autopay, GetStarted
from tests.e2e.conftest import PASSWORD, BotProcess, bot_env
from tests.support.fake_telegram import CUT_OFF, FakeTelegram
from tests.support.servers import emptied_redis_database, fresh_schema, postgres_url, schema_url
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink, free_port

pytestmark = pytest.mark.e2e

PEOPLE = 50
INSTANCES = 3
AMOUNT = 500_00
WEBHOOK_SECRET = "cluster-secret-0123456789"
# R29: an update cut off by the kill is served by another instance within this long of
# its redelivery (the lease the dead instance left in Redis runs out in 5 s, the default;
# a person's other cut-off updates then wait their turn behind it). Measured on the
# 2-core machine, before and after the changes of the same day: 3.8 to 9.3 s in seven
# runs alone, 10.5 s once inside the whole suite, so 10 s failed by chance.
REDELIVERY_SERVED_WITHIN = 15.0


@pytest.fixture
async def cluster_redis_url() -> str:
    return await emptied_redis_database(13)  # this test's own


@pytest.fixture
async def cluster(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    tmp_path: Path,
    cluster_redis_url: str,
) -> AsyncIterator[tuple[list[BotProcess], str]]:
    """Three webhook instances; yields them and the PostgreSQL URL they use."""
    async with fresh_schema(postgres_url()) as schema:
        database_url = schema_url(postgres_url(), schema)
        ports = [free_port() for _ in range(INSTANCES)]
        processes = []
        for index, port in enumerate(ports):
            folder = tmp_path / f"instance-{index}"
            folder.mkdir()
            env = bot_env(telegram, smtp, sms_gateway, folder)
            env.update(
                {
                    "DATABASE_URL": database_url,
                    "REDIS_URL": cluster_redis_url,
                    "DATABASE_POOL_SIZE": "4",
                    # Behind one load balancer: the same public URL for all three.
                    "WEBHOOK_URL": "https://bot.example/telegram/hook",
                    "WEBHOOK_SECRET": WEBHOOK_SECRET,
                    "WEBHOOK_PORT": str(port),
                    # The cost of a hash is not what this test is about.
                    "PASSWORD_HASH_TIME_COST": "1",
                    "PASSWORD_HASH_MEMORY_KIB": "8192",
                    "LOG_LEVEL": "INFO",
                }
            )
            process = BotProcess(env, folder)
            process.mode = ["webhook"]
            processes.append(process)
        mark = len(telegram.calls)
        await asyncio.gather(*(p.start() for p in processes))
        for _ in processes:  # each one says where it listens once it is ready
            mark = (await telegram.wait_for("setWebhook", after=mark))[0] + 1
        telegram.deliver_in_turn(
            [f"http://127.0.0.1:{port}/telegram/hook" for port in ports], WEBHOOK_SECRET
        )
        try:
            yield processes, database_url
        finally:
            for process in processes:
                if process.process is not None and process.process.returncode is None:
                    await process.stop()


class Client:
    """A person who reads the bot's last message and does what it asks, as people do.

    An update is answered by the webhook only after it was processed, so when an
    action returns, everything the bot said in reply is on record. Whatever an
    instance that died mid-update left half done, the person follows what the bot
    says now, and never repeats a payment on their own."""

    def __init__(self, user_id: int, telegram: FakeTelegram, smtp: SmtpSink, sms: SmsSink) -> None:
        self.id = user_id
        self.telegram = telegram
        self.smtp = smtp
        self.sms = sms
        self.email = f"user{user_id}@corp.example"
        self.phone = f"+7916{1_000_000 + user_id}"
        self.paid = False
        self.actions: list[str] = []

    def last_message(self) -> tuple[str, dict[str, Any]]:
        for call in reversed(self.telegram.calls):
            if (
                call.method in ("sendMessage", "sendInvoice")
                and int(call.params["chat_id"]) == self.id
            ):
                return call.method, call.params
        return "", {}

    async def register(self) -> None:
        await self.send("/start")
        for _ in range(40):
            method, params = self.last_message()
            text = re.sub(r"<[^>]+>", "", str(params.get("text", "")))  # as shown
            buttons = _buttons(params)
            if "services are active" in text:
                return
            if method == "sendInvoice" and not self.paid:
                await self.pay(str(params["payload"]))
            elif GetStarted().pack() in buttons:
                await self.press(GetStarted().pack())
            elif Autopay(action="skip").pack() in buttons:
                await self.press(Autopay(action="skip").pack())
            elif "confirm your email" in text or "account has been created" in text:
                body = (await self.smtp.latest_to(self.email)).get_body(("plain",))
                assert body is not None
                token = re.search(r"\?start=([A-Za-z0-9_-]+)", body.get_content())
                assert token
                await self.send(f"/start {token[1]}")
            elif "from the SMS sent to" in text:
                await self.send((await self.sms.latest_to(self.phone)).code)
            elif "phone number" in text:  # (it asks too: "an SMS with a code to it")
                await self.send(self.phone)
            elif "code" in text:
                await self.send((await self.sms.latest_to(self.phone)).code)
            elif "password" in text:
                await self.send(PASSWORD)
            elif "work email" in text:
                await self.send(self.email)
            else:
                await self.send("/start")  # wherever the registration stands
        raise AssertionError(f"{self.id} did not finish: {self.actions}")

    async def send(self, text: str) -> None:
        self.actions.append(text)
        await self.telegram.send_text(self.id, text)

    async def press(self, data: str) -> None:
        self.actions.append(f"[{data}]")
        await self.telegram.press(self.id, data)

    async def pay(self, payload: str) -> None:
        self.actions.append("[pay]")
        mark = len(self.telegram.calls)
        query = await self.telegram.pre_checkout(self.id, payload, AMOUNT)
        _, answer = await self.telegram.wait_for(
            "answerPreCheckoutQuery", lambda p: p["pre_checkout_query_id"] == query, after=mark
        )
        if str(answer.params["ok"]).lower() != "true":
            await self.send("/card")  # Telegram charges nothing; ask for a fresh invoice
            return
        self.paid = True
        await self.telegram.successful_payment(self.id, payload, AMOUNT, f"charge-{self.id}")


def _buttons(params: dict[str, Any]) -> set[str]:
    markup = params.get("reply_markup") or {}
    return {
        str(button.get("callback_data"))
        for row in markup.get("inline_keyboard", [])
        for button in row
    }


async def test_fifty_registrations_on_three_instances_survive_one_being_killed(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    cluster: tuple[list[BotProcess], str],
) -> None:
    processes, database_url = cluster
    people = [Client(1000 + n, telegram, smtp, sms_gateway) for n in range(PEOPLE)]
    registrations = [asyncio.create_task(person.register()) for person in people]

    # In the middle: a third of the people have had their SMS.
    await sms_gateway.wait_for_count(PEOPLE // 3, timeout=120)
    victim = processes[1]
    await victim.kill()

    await asyncio.wait_for(asyncio.gather(*registrations), 300)

    # Every person finished; each got one account, one payment, one bonus, one place.
    connection = await asyncpg.connect(database_url)
    try:
        accounts = await connection.fetch(
            "SELECT id, telegram_user_id, activated_at FROM accounts ORDER BY telegram_user_id"
        )
        credits = await connection.fetch(
            "SELECT account_id, reason, count(*) AS n, sum(amount_kopecks) AS total"
            " FROM ledger GROUP BY account_id, reason"
        )
        places = await connection.fetchval("SELECT count(*) FROM phone_confirmations")
        paid_checks = await connection.fetchval(
            "SELECT count(*) FROM card_checks WHERE status = 'paid'"
        )
    finally:
        await connection.close()
    assert [a["telegram_user_id"] for a in accounts] == [p.id for p in people]
    assert all(a["activated_at"] is not None for a in accounts)
    assert sorted((c["reason"], c["n"], c["total"]) for c in credits) == sorted(
        [("card_check", 1, AMOUNT)] * PEOPLE + [("signup_bonus", 1, 3000_00)] * PEOPLE
    )
    assert places == PEOPLE
    assert paid_checks == PEOPLE

    # The killed instance died with updates in hand, which the others then served;
    # every update was acknowledged in the end, and every instance served some.
    victim_url = telegram.instances[1]
    cut_off = {
        u for u, url, status in telegram.deliveries if url == victim_url and status == CUT_OFF
    }
    assert cut_off
    assert all(
        any(u == update and status == 200 for u, _, status in telegram.deliveries)
        for update in cut_off
    )
    waits = {u: telegram.answered_at[u] - telegram.cut_off_at[u] for u in cut_off}
    assert max(waits.values()) < REDELIVERY_SERVED_WITHIN, waits
    assert set(telegram.webhook_statuses) == {200}
    served = {url for _, url, status in telegram.deliveries if status == 200}
    assert served == set(telegram.instances)
    for survivor in (processes[0], processes[2]):
        assert await survivor.stop() == 0
