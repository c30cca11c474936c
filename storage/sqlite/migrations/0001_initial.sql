-- Accounts, confirmation-link tokens, per-person preferences and aiogram's FSM state.
-- Times are UTC text in one fixed format (storage/timefmt.py), so they sort as text.

CREATE TABLE accounts (
    id                  INTEGER PRIMARY KEY,
    telegram_user_id    INTEGER NOT NULL UNIQUE,
    email               TEXT    NOT NULL,
    -- R1: one account per address; decided on the case-folded address.
    email_key           TEXT    NOT NULL UNIQUE,
    -- R3: argon2id encoded hash only; the password itself is never stored.
    password_hash       TEXT    NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at          TEXT    NOT NULL,
    email_confirmed_at  TEXT,
    phone               TEXT,
    phone_confirmed_at  TEXT,
    card_linked_at      TEXT,
    activated_at        TEXT
);

CREATE TABLE email_tokens (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- R5: SHA-256 of the token; the token itself is only in the email.
    token_digest  TEXT    NOT NULL UNIQUE CHECK (length(token_digest) = 64),
    created_at    TEXT    NOT NULL,
    expires_at    TEXT    NOT NULL,
    delivered_at  TEXT,
    used_at       TEXT,
    voided_at     TEXT
);
CREATE INDEX email_tokens_by_account ON email_tokens (account_id, created_at);
-- Single use: at most one used token per account.
CREATE UNIQUE INDEX email_tokens_one_used ON email_tokens (account_id) WHERE used_at IS NOT NULL;

CREATE TABLE preferences (
    telegram_user_id  INTEGER PRIMARY KEY,
    language          TEXT    NOT NULL CHECK (language IN ('ru', 'en'))
);

-- aiogram FSM state; every StorageKey field is part of the key. NULLs are stored as
-- 0 and '' because SQLite treats NULLs in a primary key as distinct.
CREATE TABLE fsm_state (
    bot_id                  INTEGER NOT NULL,
    chat_id                 INTEGER NOT NULL,
    user_id                 INTEGER NOT NULL,
    thread_id               INTEGER NOT NULL DEFAULT 0,
    business_connection_id  TEXT    NOT NULL DEFAULT '',
    destiny                 TEXT    NOT NULL,
    state                   TEXT,
    data                    TEXT    NOT NULL DEFAULT '{}',
    updated_at              TEXT    NOT NULL,
    PRIMARY KEY (bot_id, chat_id, user_id, thread_id, business_connection_id, destiny)
) WITHOUT ROWID;
