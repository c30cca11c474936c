-- The card step (R9), the ledger behind the balance (R9, R11) and autopayment (R10).
-- Money is whole kopecks everywhere.

CREATE TABLE card_checks (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- SHA-256 of the invoice payload: the payload itself is only in the invoice.
    payload_digest      TEXT    NOT NULL UNIQUE CHECK (length(payload_digest) = 64),
    backend             TEXT    NOT NULL CHECK (backend IN ('telegram', 'sandbox')),
    -- R9: never more than 500 rubles.
    amount_kopecks      INTEGER NOT NULL CHECK (amount_kopecks > 0 AND amount_kopecks <= 50000),
    currency            TEXT    NOT NULL CHECK (currency = 'RUB'),
    created_at          TEXT    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'paid', 'declined', 'superseded', 'failed')),
    closed_at           TEXT,
    charge_id           TEXT UNIQUE,
    provider_charge_id  TEXT
);
CREATE INDEX card_checks_by_account ON card_checks (account_id);
-- A fresh invoice supersedes the older one: one payable invoice per account.
CREATE UNIQUE INDEX card_checks_one_pending ON card_checks (account_id) WHERE status = 'pending';

-- Every credit with its reason and what caused it. The balance is the sum; the unique
-- (reason, source_id) is what makes a payment or a bonus count once.
CREATE TABLE ledger (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('money', 'bonus')),
    amount_kopecks  INTEGER NOT NULL CHECK (amount_kopecks > 0),
    reason          TEXT    NOT NULL CHECK (reason IN ('card_check', 'signup_bonus')),
    source_id       TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    UNIQUE (reason, source_id)
);
CREATE INDEX ledger_by_account ON ledger (account_id, kind);

-- R10. enabled = 0 with no numbers: the person skipped the offer.
CREATE TABLE autopay_settings (
    account_id         INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    enabled            INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    amount_kopecks     INTEGER CHECK (amount_kopecks > 0),
    threshold_kopecks  INTEGER CHECK (threshold_kopecks >= 0),
    updated_at         TEXT    NOT NULL,
    CHECK (enabled = 0 OR (amount_kopecks IS NOT NULL AND threshold_kopecks IS NOT NULL))
);
