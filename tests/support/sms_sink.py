"""A local HTTP SMS gateway on 127.0.0.1, as interfaces.md describes the `http` backend:
it records each POST of `{"phone", "text"}` and answers with a chosen status."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from aiohttp import web


@dataclass(frozen=True)
class ReceivedSms:
    phone: str
    text: str
    authorization: str | None

    @property
    def code(self) -> str:
        found = re.search(r"\b(\d{4,10})\b", self.text)
        assert found, "the SMS holds a code"
        return found[1]


class SmsSink:
    def __init__(self) -> None:
        self.received: list[ReceivedSms] = []
        self.status = 200  # what the next requests are answered with
        self.failed_requests = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/sms", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/sms"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        async with self._changed:
            if self.status >= 300:
                self.failed_requests += 1
                self._changed.notify_all()
                return web.json_response({"error": "unavailable"}, status=self.status)
            self.received.append(
                ReceivedSms(body["phone"], body["text"], request.headers.get("Authorization"))
            )
            self._changed.notify_all()
        return web.json_response({"id": len(self.received)})

    async def wait_for_count(self, count: int, timeout: float = 30) -> ReceivedSms:
        """Waits until `count` SMS have been accepted; returns the last one."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.received) >= count), timeout
            )
            return self.received[count - 1]

    async def wait_for_failures(self, count: int, timeout: float = 30) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.failed_requests >= count), timeout
            )

    async def latest_to(self, phone: str, timeout: float = 30) -> ReceivedSms:
        """The newest SMS to `phone` (E.164), waiting for the first one."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: any(s.phone == phone for s in self.received)),
                timeout,
            )
            return [s for s in self.received if s.phone == phone][-1]
