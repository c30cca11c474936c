"""The two-factor QR code as a photo to send (R13), made here: no network, no image
service. It keeps the otpauth:// URI it shows, so that a screen other than Telegram's
(the console) can draw the same code its own way."""

from __future__ import annotations

import io

import segno
from aiogram.types import BufferedInputFile


def qr_png(uri: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


class QrPhoto(BufferedInputFile):
    """A PNG of `uri`. The URI holds the TOTP secret: it is never logged or shown in a
    repr, and the caption sent with it is masked in the conversation log."""

    def __init__(self, uri: str, filename: str = "vkcloud-2fa.png") -> None:
        super().__init__(qr_png(uri), filename=filename)
        self._uri = uri

    @property
    def uri(self) -> str:
        return self._uri

    def __repr__(self) -> str:
        return f"QrPhoto(filename={self.filename!r})"
