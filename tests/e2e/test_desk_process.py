"""Issue 18 through the real `python -m bot`: a person at the card step asks for help,
a staff member answers in the person's topic, the person reads it, carries on and
finishes, and `/close` closes the request. Then the same on two webhook instances on
PostgreSQL and Redis, one of them killed with SIGKILL in the middle."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.ui.keyboards import Autopay, Desk, DeskAction, GetStarted
from tests.e2e.conftest import BotProcess, Person, bot_env
from tests.support.fake_telegram import FakeTelegram
from tests.support.servers import emptied_redis_database, fresh_schema, postgres_url, schema_url
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink, free_port

pytestmark = pytest.mark.e2e

DESK = -1009876543210
STAFF = 777001
AMOUNT = 500_00
SECRET = "desk-cluster-secret-0123456789"


async def help_at_the_card_step(
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    user_id: int,
    in_the_middle: Callable[[], Awaitable[None]],
) -> None:
    person = Person(user_id, telegram, smtp)
    await person.reaches_the_phone_step()
    await person.says("+7 916 123-45-67", "from the SMS sent to")
    code = (await sms_gateway.wait_for_count(1)).code
    mark = len(telegram.calls)
    await person.says(code, "payment card")
    _, invoice = await telegram.wait_for("sendInvoice", after=mark)
    payload = str(invoice.params["payload"])

    # The person asks for help and writes what happened.
    mark = len(telegram.calls)
    await telegram.press(person.id, Desk(action=DeskAction.OPEN).pack())
    await person.reply("Describe what happened", after=mark)
    mark = len(telegram.calls)
    await person.says("The bank declines my card", "request has been received")
    _, topic = await telegram.wait_for("createForumTopic", after=mark)
    assert int(topic.params["chat_id"]) == DESK
    assert str(person.id) in str(topic.params["name"])
    _, copy = await telegram.wait_for(
        "copyMessage", lambda p: int(p["chat_id"]) == DESK, after=mark
    )
    thread = int(copy.params["message_thread_id"])
    assert thread in telegram.topics

    await in_the_middle()

    # Staff answer in the topic; a note among staff never reaches the person.
    mark = len(telegram.calls)
    await telegram.write_in_topic(DESK, thread, STAFF, "! their bank has 3-D Secure issues")
    await telegram.write_in_topic(DESK, thread, STAFF, "Please pay once more: it works now.")
    answer = await person.reply("VK Cloud support", after=mark)
    assert answer == "VK Cloud support:\n\nPlease pay once more: it works now."
    assert not any("3-D Secure issues" in t for t in telegram.texts_to(person.id))

    # The person goes back, pays and finishes the registration.
    mark = len(telegram.calls)
    await telegram.press(person.id, Desk(action=DeskAction.BACK).pack())
    await person.reply("Back to the registration", after=mark)
    query = await telegram.pre_checkout(person.id, payload, AMOUNT)
    await telegram.wait_for(
        "answerPreCheckoutQuery", lambda p: p["pre_checkout_query_id"] == query, after=mark
    )
    mark = len(telegram.calls)
    await telegram.successful_payment(person.id, payload, AMOUNT, f"charge-{person.id}")
    await person.reply("card is linked", after=mark)
    mark = len(telegram.calls)
    await telegram.press(person.id, Autopay(action="skip").pack())
    await person.reply("Get started", after=mark)
    mark = len(telegram.calls)
    await telegram.press(person.id, GetStarted().pack())
    await person.reply("services are active", after=mark)

    # /close in the topic: the person is told, the topic closed.
    mark = len(telegram.calls)
    await telegram.write_in_topic(DESK, thread, STAFF, "/close")
    await person.reply("closed your request", after=mark)
    _, closed = await telegram.wait_for("closeForumTopic", after=mark)
    assert int(closed.params["message_thread_id"]) == thread
    assert len(telegram.topics) == 1


async def test_a_person_gets_help_from_the_desk_and_finishes(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> None:
    env = bot_env(telegram, smtp, sms_gateway, tmp_path)
    env["SUPPORT_CHAT_ID"] = str(DESK)
    process = BotProcess(env, tmp_path)
    await process.start()
    try:

        async def nothing() -> None:
            return None

        await help_at_the_card_step(telegram, smtp, sms_gateway, 9101, nothing)
    finally:
        await process.stop()
    assert "support desk: ready" in process.log()


async def test_the_desk_holds_on_two_instances_with_one_killed(
    telegram: FakeTelegram, smtp: SmtpSink, sms_gateway: SmsSink, tmp_path: Path
) -> None:
    redis_url = await emptied_redis_database(11)  # this test's own
    async with fresh_schema(postgres_url()) as schema:
        database_url = schema_url(postgres_url(), schema)
        ports = [free_port() for _ in range(2)]
        processes = []
        for index, port in enumerate(ports):
            folder = tmp_path / f"instance-{index}"
            folder.mkdir()
            env = bot_env(telegram, smtp, sms_gateway, folder)
            env.update(
                {
                    "SUPPORT_CHAT_ID": str(DESK),
                    "DATABASE_URL": database_url,
                    "REDIS_URL": redis_url,
                    "DATABASE_POOL_SIZE": "4",
                    "WEBHOOK_URL": "https://bot.example/telegram/hook",
                    "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_PORT": str(port),
                    "LOG_LEVEL": "INFO",
                }
            )
            process = BotProcess(env, folder)
            process.mode = ["webhook"]
            processes.append(process)
        mark = len(telegram.calls)
        await asyncio.gather(*(p.start() for p in processes))
        for _ in processes:
            mark = (await telegram.wait_for("setWebhook", after=mark))[0] + 1
        telegram.deliver_in_turn([f"http://127.0.0.1:{p}/telegram/hook" for p in ports], SECRET)
        try:

            async def kill_the_first() -> None:
                await processes[0].kill()

            await help_at_the_card_step(telegram, smtp, sms_gateway, 9201, kill_the_first)
        finally:
            for process in processes[1:]:
                await process.stop()
        # Every copy once: nothing was copied twice, however the updates were delivered.
        copies = [c for c in telegram.calls if c.method == "copyMessage"]
        assert len(copies) == 1
