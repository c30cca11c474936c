"""SIGKILL at several points of the registration (R12, R19): each time the restarted
process resumes at the right step and the registration finishes with one payment
and one bonus."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest

from bot.ui.keyboards import Autopay, GetStarted
from tests.e2e.conftest import BotProcess, Person
from tests.support.fake_telegram import FakeTelegram
from tests.support.sms_sink import SmsSink
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.e2e

AMOUNT = 500_00


class Flow:
    def __init__(self, person: Person, telegram: FakeTelegram, sms: SmsSink) -> None:
        self.person = person
        self.telegram = telegram
        self.sms = sms
        self.invoice_mark = 0  # invoices sent after this call index are current

    async def sign_up(self) -> None:
        await self.person.says("/start", "work email")
        await self.person.says(f"user{self.person.id}@corp.example", "password")
        await self.person.says("Correct-Horse-42", "account has been created")

    async def open_link(self) -> None:
        body = (await self.person.smtp.next_email()).get_body(preferencelist=("plain",))
        assert body is not None
        token = re.search(r"\?start=([A-Za-z0-9_-]+)", body.get_content())
        assert token
        await self.person.says(f"/start {token[1]}", "phone number")

    async def confirm_phone(self) -> None:
        await self.person.says("+7 916 222-33-44", "from the SMS sent to")
        code = self.sms.received[-1].code
        self.invoice_mark = len(self.telegram.calls)
        await self.person.says(code, "payment card")

    async def pay(self) -> None:
        _, invoice = await self.telegram.wait_for(
            "sendInvoice",
            lambda p: int(p["chat_id"]) == self.person.id,
            after=self.invoice_mark,
        )
        payload = str(invoice.params["payload"])
        mark = len(self.telegram.calls)
        await self.telegram.successful_payment(
            self.person.id, payload, AMOUNT, f"charge-{self.person.id}"
        )
        await self.person.reply("card is linked", after=mark)

    async def finish(self) -> None:
        mark = len(self.telegram.calls)
        await self.telegram.press(self.person.id, Autopay(action="skip").pack())
        await self.telegram.press(self.person.id, GetStarted().pack())
        await self.person.reply("services are active", after=mark)


Stage = Callable[[Flow], Awaitable[None]]
STAGES: list[tuple[str, Stage, str]] = [
    ("after sign-up", Flow.sign_up, "confirm your email"),
    ("after the link", Flow.open_link, "phone number"),
    ("after the phone", Flow.confirm_phone, "payment card"),
    ("after the payment", Flow.pay, "autopayment"),
]


@pytest.mark.parametrize("kill_after", range(len(STAGES)), ids=[s[0] for s in STAGES])
async def test_a_kill_at_any_step_loses_nothing(
    kill_after: int,
    telegram: FakeTelegram,
    smtp: SmtpSink,
    sms_gateway: SmsSink,
    bot_process: BotProcess,
) -> None:
    flow = Flow(Person(1100 + kill_after, telegram, smtp), telegram, sms_gateway)
    for _, stage, _ in STAGES[: kill_after + 1]:
        await stage(flow)

    await bot_process.kill()
    await bot_process.start()

    flow.invoice_mark = len(telegram.calls)  # a resumed card step sends a fresh invoice
    resumed = await flow.person.says("/start", STAGES[kill_after][2])
    assert resumed
    for _, stage, _ in STAGES[kill_after + 1 :]:
        await stage(flow)
    await flow.finish()
    balance = await flow.person.says("/balance", "Total")
    assert "Total: 3,500\u00a0₽" in balance  # one payment, one bonus
    assert await bot_process.stop() == 0
