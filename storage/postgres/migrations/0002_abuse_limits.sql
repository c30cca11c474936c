-- Issue 16 (storage/sqlite/migrations/0006_abuse_limits.sql, in PostgreSQL's types).
ALTER TABLE ledger DROP CONSTRAINT ledger_kind_check;
ALTER TABLE ledger ADD CONSTRAINT ledger_kind_check
    CHECK (kind IN ('money', 'bonus', 'simulated', 'held'));
ALTER TABLE ledger ADD COLUMN currency TEXT NOT NULL DEFAULT 'RUB'
    CHECK (length(currency) = 3);
ALTER TABLE ledger ADD CONSTRAINT ledger_held_currency_check
    CHECK (kind = 'held' OR currency = 'RUB');
UPDATE ledger SET kind = 'simulated' WHERE reason = 'card_check' AND source_id LIKE 'sandbox-%';

CREATE TABLE quotas (
    scope         TEXT        NOT NULL,
    subject       TEXT        NOT NULL,
    window_starts_at  TIMESTAMPTZ NOT NULL,
    used          INTEGER     NOT NULL CHECK (used >= 0),
    PRIMARY KEY (scope, subject, window_starts_at)
);

CREATE TABLE expired_signups (
    telegram_user_id  BIGINT      PRIMARY KEY,
    expired_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX accounts_unconfirmed ON accounts (created_at) WHERE email_confirmed_at IS NULL;

ALTER TABLE two_factor ADD COLUMN pending_codes_enc TEXT CHECK (pending_codes_enc LIKE 'gAAAAA%');
