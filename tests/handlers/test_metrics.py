"""/metrics (issue 20): the counters move with what happens, in Prometheus' text
format, and no label holds a person's id, email or phone."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Services
from bot.runtime.metrics_server import add_metrics_route
from tests.support.chat import ChatDriver
from tests.support.fakes import EmailOutbox, SmsOutbox
from tests.support.journey import at_code_step


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(services: Services) -> str:
    app = web.Application()
    add_metrics_route(app, services.metrics)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return await response.text()


async def test_updates_emails_sms_and_the_funnel_are_counted(
    chat: ChatDriver, services: Services, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)
    await chat.send_sticker()

    text = await scrape(services)
    found = samples(text)

    assert found[("bot_updates_total", (("kind", "message"), ("outcome", "handled")))] >= 6
    assert found[("bot_emails_total", (("result", "sent"),))] == 1
    assert found[("bot_sms_total", (("result", "sent"),))] == 1
    assert found[("bot_registration_steps_done", (("step", "email"),))] == 1
    assert found[("bot_registration_steps_done", (("step", "phone"),))] == 0
    assert found[("bot_update_handling_seconds_count", (("kind", "message"),))] >= 6
    assert ("bot_support_requests_open", ()) in found
    assert ("bot_send_queue_length", ()) in found


async def test_no_label_holds_a_persons_id_email_or_phone(
    chat: ChatDriver, services: Services, outbox: EmailOutbox, sms: SmsOutbox
) -> None:
    await at_code_step(chat, outbox, sms)

    text = await scrape(services)

    # The labels only: a sample's value (a duration, say) may hold any digits.
    labels = [value for (_, pairs) in samples(text) for _, value in pairs]
    assert labels  # the labels were really read
    for secretish in (str(chat.user.id), "alice", "corp.example", "916", "4567"):
        assert [value for value in labels if secretish in value] == [], secretish
