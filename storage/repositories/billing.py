"""The card checks (R9), the ledger behind the balance (R9, R11) and autopayment (R10).
Money is whole kopecks everywhere."""

from __future__ import annotations

from datetime import datetime

from bot.domain.money import Balance, Credit, LedgerKind
from bot.domain.records import AutopaySettings, CardCheck, CheckStatus
from storage.sql import Connection


class SqlCardChecks:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def add(
        self,
        account_id: int,
        payload_digest: str,
        backend: str,
        amount_kopecks: int,
        currency: str,
        created_at: datetime,
    ) -> int:
        # One pending check per account is a constraint: the older one goes first.
        await self._db.execute(
            "UPDATE card_checks SET status = 'superseded', closed_at = ?"
            " WHERE account_id = ? AND status = 'pending'",
            created_at,
            account_id,
        )
        check_id = await self._db.fetchval(
            "INSERT INTO card_checks (account_id, payload_digest, backend, amount_kopecks,"
            " currency, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            account_id,
            payload_digest,
            backend,
            amount_kopecks,
            currency,
            created_at,
        )
        return int(check_id)

    async def by_payload(self, payload_digest: str) -> CardCheck | None:
        row = await self._db.fetchrow(
            "SELECT id, account_id, backend, amount_kopecks, currency, created_at, status,"
            " charge_id FROM card_checks WHERE payload_digest = ?",
            payload_digest,
        )
        if row is None:
            return None
        return CardCheck(
            id=int(row["id"]),
            account_id=int(row["account_id"]),
            backend=row["backend"],
            amount_kopecks=int(row["amount_kopecks"]),
            currency=row["currency"],
            created_at=self._db.time(row["created_at"]),
            status=CheckStatus(row["status"]),
            charge_id=row["charge_id"],
        )

    async def close(self, check_id: int, status: CheckStatus, at: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE card_checks SET status = ?, closed_at = ? WHERE id = ? AND status = 'pending'",
            status.value,
            at,
            check_id,
        )
        return changed == 1

    async def mark_paid(
        self, check_id: int, charge_id: str, provider_charge_id: str | None, at: datetime
    ) -> bool:
        changed = await self._db.execute(
            "UPDATE card_checks SET status = 'paid', closed_at = ?, charge_id = ?,"
            " provider_charge_id = ? WHERE id = ? AND charge_id IS NULL",
            at,
            charge_id,
            provider_charge_id,
            check_id,
        )
        return changed == 1


class SqlLedger:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def credit(self, credit: Credit, at: datetime) -> bool:
        # ON CONFLICT DO NOTHING waits for a competing insert of the same (reason,
        # source_id), on another instance too, then does nothing: the credit counts once.
        changed = await self._db.execute(
            "INSERT INTO ledger (account_id, kind, amount_kopecks, currency, reason, source_id,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (reason, source_id) DO NOTHING",
            credit.account_id,
            credit.kind.value,
            credit.amount_kopecks,
            credit.currency,
            credit.reason.value,
            credit.source_id,
            at,
        )
        return changed == 1

    async def balance(self, account_id: int) -> Balance:
        rows = await self._db.fetch(
            "SELECT kind, currency, sum(amount_kopecks) AS total FROM ledger"
            " WHERE account_id = ? GROUP BY kind, currency ORDER BY kind, currency",
            account_id,
        )
        sums = {
            LedgerKind(row["kind"]): int(row["total"])
            for row in rows
            if row["kind"] != LedgerKind.HELD.value
        }
        held = tuple(
            (str(row["currency"]), int(row["total"]))
            for row in rows
            if row["kind"] == LedgerKind.HELD.value
        )
        return Balance(
            money_kopecks=sums.get(LedgerKind.MONEY, 0),
            bonus_kopecks=sums.get(LedgerKind.BONUS, 0),
            simulated_kopecks=sums.get(LedgerKind.SIMULATED, 0),
            held=held,
        )


class SqlAutopay:
    def __init__(self, db: Connection) -> None:
        self._db = db

    async def get(self, account_id: int) -> AutopaySettings | None:
        row = await self._db.fetchrow(
            "SELECT enabled, amount_kopecks, threshold_kopecks, updated_at"
            " FROM autopay_settings WHERE account_id = ?",
            account_id,
        )
        if row is None:
            return None
        return AutopaySettings(
            enabled=bool(row["enabled"]),
            amount_kopecks=row["amount_kopecks"],
            threshold_kopecks=row["threshold_kopecks"],
            updated_at=self._db.time(row["updated_at"]),
        )

    async def put(self, account_id: int, settings: AutopaySettings) -> None:
        await self._db.execute(
            "INSERT INTO autopay_settings (account_id, enabled, amount_kopecks,"
            " threshold_kopecks, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled,"
            " amount_kopecks = excluded.amount_kopecks,"
            " threshold_kopecks = excluded.threshold_kopecks, updated_at = excluded.updated_at",
            account_id,
            settings.enabled,
            settings.amount_kopecks,
            settings.threshold_kopecks,
            settings.updated_at,
        )
