"""The repositories of bot/domain/ports.py, written once for both engines (storage/sql.py).
A new table gets its repository here (and a migration in each engine's folder)."""

from __future__ import annotations

from storage.repositories.accounts import (
    SqlAccounts,
    SqlEmailTokens,
    SqlExpiredSignups,
    SqlPreferences,
)
from storage.repositories.billing import SqlAutopay, SqlCardChecks, SqlLedger
from storage.repositories.dashboard import SqlDashboard
from storage.repositories.desk import SqlDesk
from storage.repositories.limits import SqlQuotas
from storage.repositories.phone import SqlPhoneConfirmations, SqlSmsCodes
from storage.repositories.reminders import SqlReminders
from storage.repositories.two_factor import SqlBackupCodes, SqlTwoFactor
from storage.sql import Connection


class Repositories:
    """The domain's `Transaction`: every repository on one connection."""

    def __init__(self, db: Connection) -> None:
        self.accounts = SqlAccounts(db)
        self.email_tokens = SqlEmailTokens(db)
        self.preferences = SqlPreferences(db)
        self.sms_codes = SqlSmsCodes(db)
        self.phones = SqlPhoneConfirmations(db)
        self.card_checks = SqlCardChecks(db)
        self.ledger = SqlLedger(db)
        self.autopay = SqlAutopay(db)
        self.two_factor = SqlTwoFactor(db)
        self.backup_codes = SqlBackupCodes(db)
        self.quotas = SqlQuotas(db)
        self.expired_signups = SqlExpiredSignups(db)
        self.desk = SqlDesk(db)
        self.reminders = SqlReminders(db)
        self.dashboard = SqlDashboard(db)
