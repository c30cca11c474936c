"""SMS delivery (interfaces.md): printed in place (console) or POSTed to an HTTP gateway."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp

from bot.domain.ports import OutgoingSms, SmsDeliveryError

log = logging.getLogger(__name__)


class ConsoleSmsSender:
    """For the console and development: the SMS is printed, clearly marked, in place.

    Like the console email, it goes to the terminal and never to the logging system,
    so a log file never holds a code.
    """

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self._write = write

    async def send(self, sms: OutgoingSms) -> None:
        self._write(f"---- SMS to {sms.phone} (console backend, not sent) ----\n{sms.text}\n----")

    async def close(self) -> None:
        return None


class HttpSmsSender:
    """POST `{"phone": ..., "text": ...}` as JSON, with `Authorization: Bearer <token>`
    when a token is set. Any 2xx is success; any other answer, a timeout or a network
    error is a delivery failure the person is told about."""

    def __init__(self, url: str, token: str | None, timeout_seconds: float = 10.0) -> None:
        self._url = url
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        # Only scheme, host and port go into error texts: a URL may carry a key.
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
        self._where = f"{parts.scheme}://{parts.hostname}{port}"

    async def send(self, sms: OutgoingSms) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            async with self._session.post(
                self._url, json={"phone": sms.phone, "text": sms.text}, headers=headers
            ) as response:
                status = response.status
                await response.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            # The exception's text is about the connection; it never holds the body.
            raise SmsDeliveryError(f"SMS gateway {self._where}: {type(exc).__name__}") from None
        if not 200 <= status < 300:
            raise SmsDeliveryError(f"SMS gateway {self._where}: HTTP {status}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
