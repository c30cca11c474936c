-- Issue 16. The ledger gets two kinds: 'simulated' (the sandbox's pretend payments,
-- never money, R21) and 'held' (a payment in another currency than its invoice, kept in
-- that currency for support, R28); SQLite changes a CHECK by rebuilding the table.
-- Sandbox payments credited before this change become 'simulated'.
CREATE TABLE ledger_new (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('money', 'bonus', 'simulated', 'held')),
    amount_kopecks  INTEGER NOT NULL CHECK (amount_kopecks > 0),
    currency        TEXT    NOT NULL DEFAULT 'RUB' CHECK (length(currency) = 3),
    reason          TEXT    NOT NULL CHECK (reason IN ('card_check', 'signup_bonus')),
    source_id       TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    UNIQUE (reason, source_id),
    CHECK (kind = 'held' OR currency = 'RUB')
);
INSERT INTO ledger_new (id, account_id, kind, amount_kopecks, reason, source_id, created_at)
    SELECT id, account_id,
           CASE WHEN reason = 'card_check' AND source_id LIKE 'sandbox-%' THEN 'simulated'
                ELSE kind END,
           amount_kopecks, reason, source_id, created_at
    FROM ledger;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
CREATE INDEX ledger_by_account ON ledger (account_id, kind);

-- R22, R23: what was used of each limit, per window. A conditional upsert takes one
-- unit only while the window has some left, so instances never go past a limit.
CREATE TABLE quotas (
    scope         TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    window_starts_at  TEXT    NOT NULL,
    used          INTEGER NOT NULL CHECK (used >= 0),
    PRIMARY KEY (scope, subject, window_starts_at)
);

-- R24: a sign-up that expired unconfirmed, so its person is told once when they come
-- back. Only the Telegram user id is kept: the account's data is gone.
CREATE TABLE expired_signups (
    telegram_user_id  INTEGER PRIMARY KEY,
    expired_at        TEXT    NOT NULL
);
CREATE INDEX accounts_unconfirmed ON accounts (created_at) WHERE email_confirmed_at IS NULL;

-- R25: the backup codes, encrypted with SECRET_KEY, until the person says they saved them.
ALTER TABLE two_factor ADD COLUMN pending_codes_enc TEXT CHECK (pending_codes_enc LIKE 'gAAAAA%');
