"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Inbox:
    def __init__(
        self, loop: asyncio.AbstractEventLoop, deliver: Callable[[EmailMessage], None]
    ) -> None:
        self._loop = loop
        self._deliver = deliver

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        # aiosmtpd runs in its own thread and loop; hand the email to the test's loop.
        self._loop.call_soon_threadsafe(self._deliver, message)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self) -> None:
        self.received: asyncio.Queue[EmailMessage] = asyncio.Queue()
        self.all: list[EmailMessage] = []
        self._arrived = asyncio.Event()
        self.port = free_port()
        self._controller = Controller(
            _Inbox(asyncio.get_running_loop(), self._deliver), hostname="127.0.0.1", port=self.port
        )

    def _deliver(self, message: EmailMessage) -> None:
        self.received.put_nowait(message)
        self.all.append(message)
        self._arrived.set()

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def next_email(self, timeout: float = 30) -> EmailMessage:
        return await asyncio.wait_for(self.received.get(), timeout)

    async def latest_to(self, address: str, timeout: float = 30) -> EmailMessage:
        """The newest email to `address`, waiting for the first one (for tests with many
        people at once, where `next_email` could be anyone's)."""
        async with asyncio.timeout(timeout):
            while True:
                mine = [m for m in self.all if m["To"] == address]
                if mine:
                    return mine[-1]
                self._arrived.clear()
                await self._arrived.wait()
