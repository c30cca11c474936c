"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Inbox:
    def __init__(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[EmailMessage]) -> None:
        self._loop = loop
        self._queue = queue

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        # aiosmtpd runs in its own thread and loop; hand the email to the test's loop.
        self._loop.call_soon_threadsafe(self._queue.put_nowait, message)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self) -> None:
        self.received: asyncio.Queue[EmailMessage] = asyncio.Queue()
        self.port = free_port()
        self._controller = Controller(
            _Inbox(asyncio.get_running_loop(), self.received), hostname="127.0.0.1", port=self.port
        )

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def next_email(self, timeout: float = 30) -> EmailMessage:
        return await asyncio.wait_for(self.received.get(), timeout)
