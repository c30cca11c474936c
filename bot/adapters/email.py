"""Email delivery: printed in place (console) or over SMTP with aiosmtplib."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Literal

import aiosmtplib

from bot.domain.ports import EmailDeliveryError, OutgoingEmail

log = logging.getLogger(__name__)

SENDER_NAME = "VK Cloud"


def build_message(email: OutgoingEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((SENDER_NAME, sender))
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class ConsoleEmailSender:
    """For the console and development: the email is printed, clearly marked, in place.

    It goes to the terminal, not to the logging system, so a log file never holds a link.
    """

    def __init__(self, sender: str, write: Callable[[str], None] = print) -> None:
        self._sender = sender
        self._write = write

    async def send(self, email: OutgoingEmail) -> None:
        bar = "=" * 24
        self._write(
            "\n".join(
                [
                    f"{bar} EMAIL (console backend, not sent) {bar}",
                    f"From: {formataddr((SENDER_NAME, self._sender))}",
                    f"To: {email.to}",
                    f"Subject: {email.subject}",
                    "",
                    email.text,
                    "=" * (len(bar) * 2 + 36),
                ]
            )
        )


class SmtpEmailSender:
    def __init__(
        self,
        *,
        sender: str,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        security: Literal["none", "starttls", "tls"],
        timeout_seconds: float = 30.0,
    ) -> None:
        self._sender = sender
        self._host = host
        self._port = port
        self._username = username
        self._password = password
        self._security = security
        self._timeout = timeout_seconds

    async def send(self, email: OutgoingEmail) -> None:
        message = build_message(email, self._sender)
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                use_tls=self._security == "tls",
                start_tls=self._security == "starttls",
                tls_context=ssl.create_default_context(),
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # The exception's text comes from the server or the socket; the body (and so
            # the link) is never part of it. Only its type and the server's words go on.
            raise EmailDeliveryError(
                f"SMTP {self._host}:{self._port}: {type(exc).__name__}: {exc}"
            ) from None
