"""What is removed as time passes (R24): sign-ups left unconfirmed too long, the
windows of the limits that have ended, and the notes of expired sign-ups nobody came
back for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.clock import Clock
from bot.domain.ports import Store
from bot.domain.signup import SignupService

# A day's window is over after a day; two are kept so a window is never pruned early.
WINDOWS_KEPT = timedelta(days=2)
# Someone whose sign-up expired is told if they come back within this long.
EXPIRY_NOTES_KEPT = timedelta(days=90)


@dataclass(frozen=True)
class Swept:
    accounts: int
    windows: int
    notes: int


class Housekeeping:
    def __init__(self, *, store: Store, signup: SignupService, clock: Clock) -> None:
        self._store = store
        self._signup = signup
        self._clock = clock

    async def sweep(self) -> Swept:
        accounts = await self._signup.expire_unconfirmed()
        now = self._clock.now()
        async with self._store.transaction() as tx:
            windows = await tx.quotas.prune(now - WINDOWS_KEPT)
            notes = await tx.expired_signups.prune(now - EXPIRY_NOTES_KEPT)
        return Swept(accounts, windows, notes)
