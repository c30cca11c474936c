-- R13: two-factor authentication and API access.

ALTER TABLE accounts ADD COLUMN api_access_enabled_at TEXT;

CREATE TABLE two_factor (
    account_id        INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- Fernet token of the TOTP secret (SECRET_KEY); the secret is never stored in clear.
    secret_enc        TEXT    NOT NULL CHECK (secret_enc LIKE 'gAAAAA%'),
    created_at        TEXT    NOT NULL,
    enabled_at        TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_attempt_key  INTEGER,
    -- The time step of the last accepted code: an older or equal one is a replay.
    last_used_step    INTEGER,
    locked_until      TEXT
);

CREATE TABLE backup_codes (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- HMAC-SHA256 keyed from SECRET_KEY; the code itself is shown once and not kept.
    code_mac    TEXT    NOT NULL CHECK (length(code_mac) = 64),
    created_at  TEXT    NOT NULL,
    used_at     TEXT,
    UNIQUE (account_id, code_mac)
);
