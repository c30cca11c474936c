-- Issue 9: the SQLite schema (storage/migrations 0001-0005) on PostgreSQL, for several
-- instances at once. The same tables, columns and constraints, in PostgreSQL's types:
-- times are timestamptz, flags boolean, ids identities. Everything that must hold
-- across instances (one account per address, the places of a number, a payment or a
-- bonus counted once, single-use tokens and codes) is a constraint here, as there.
-- aiogram's FSM state is not here: it is in Redis (REDIS_URL) or the SQLite file.

CREATE TABLE accounts (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    telegram_user_id       BIGINT      NOT NULL CONSTRAINT accounts_telegram_user_id_key UNIQUE,
    email                  TEXT        NOT NULL,
    -- R1: one account per address; decided on the case-folded address.
    email_key              TEXT        NOT NULL CONSTRAINT accounts_email_key_key UNIQUE,
    -- R3: argon2id encoded hash only; the password itself is never stored.
    password_hash          TEXT        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at             TIMESTAMPTZ NOT NULL,
    email_confirmed_at     TIMESTAMPTZ,
    phone                  TEXT,
    phone_confirmed_at     TIMESTAMPTZ,
    card_linked_at         TIMESTAMPTZ,
    activated_at           TIMESTAMPTZ,
    api_access_enabled_at  TIMESTAMPTZ
);
CREATE INDEX accounts_by_phone ON accounts (phone);

CREATE TABLE email_tokens (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    BIGINT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- R5: SHA-256 of the token; the token itself is only in the email.
    token_digest  TEXT        NOT NULL UNIQUE CHECK (length(token_digest) = 64),
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    delivered_at  TIMESTAMPTZ,
    used_at       TIMESTAMPTZ,
    voided_at     TIMESTAMPTZ
);
CREATE INDEX email_tokens_by_account ON email_tokens (account_id, created_at);
-- Single use: at most one used token per account.
CREATE UNIQUE INDEX email_tokens_one_used ON email_tokens (account_id) WHERE used_at IS NOT NULL;

CREATE TABLE preferences (
    telegram_user_id  BIGINT PRIMARY KEY,
    language          TEXT   NOT NULL CHECK (language IN ('ru', 'en'))
);

-- Phone confirmation (R6-R8).
CREATE TABLE sms_codes (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id           BIGINT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- R6: a Russian number in E.164.
    phone                TEXT        NOT NULL CHECK (phone ~ '^\+7[0-9]{10}$'),
    -- R8: SHA-256 of a random salt and the code; the code itself is only in the SMS.
    salt                 TEXT        NOT NULL CHECK (length(salt) = 32),
    code_digest          TEXT        NOT NULL CHECK (length(code_digest) = 64),
    created_at           TIMESTAMPTZ NOT NULL,
    expires_at           TIMESTAMPTZ NOT NULL,
    sent_at              TIMESTAMPTZ,
    attempts             INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- The message of the last wrong try (R19: the same message again costs no try).
    last_attempt_key     BIGINT,
    used_at              TIMESTAMPTZ,
    voided_at            TIMESTAMPTZ,
    prompt_chat_id       BIGINT,
    prompt_message_id    BIGINT,
    prompt_language      TEXT CHECK (prompt_language IN ('ru', 'en')),
    prompt_refreshed_at  TIMESTAMPTZ
);
CREATE INDEX sms_codes_by_account ON sms_codes (account_id, sent_at);
CREATE INDEX sms_codes_by_phone ON sms_codes (phone);
-- A new code voids the old one: at most one live code per account.
CREATE UNIQUE INDEX sms_codes_one_live ON sms_codes (account_id)
    WHERE sent_at IS NOT NULL AND used_at IS NULL AND voided_at IS NULL;
CREATE INDEX sms_codes_prompt_due ON sms_codes (sent_at)
    WHERE prompt_message_id IS NOT NULL AND prompt_refreshed_at IS NULL
      AND used_at IS NULL AND voided_at IS NULL;

-- R7: the primary key stops two accounts taking the last place of a number at the
-- same moment, whichever instances they are on.
CREATE TABLE phone_confirmations (
    phone         TEXT        NOT NULL,
    place         INTEGER     NOT NULL CHECK (place >= 1),
    account_id    BIGINT      NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    confirmed_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT phone_confirmations_pkey PRIMARY KEY (phone, place)
);

-- The card step (R9), the ledger (R9, R11) and autopayment (R10); whole kopecks.
CREATE TABLE card_checks (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id          BIGINT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    payload_digest      TEXT        NOT NULL UNIQUE CHECK (length(payload_digest) = 64),
    backend             TEXT        NOT NULL CHECK (backend IN ('telegram', 'sandbox')),
    -- R9: never more than 500 rubles.
    amount_kopecks      INTEGER     NOT NULL CHECK (amount_kopecks > 0 AND amount_kopecks <= 50000),
    currency            TEXT        NOT NULL CHECK (currency = 'RUB'),
    created_at          TIMESTAMPTZ NOT NULL,
    status              TEXT        NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'paid', 'declined', 'superseded', 'failed')),
    closed_at           TIMESTAMPTZ,
    charge_id           TEXT UNIQUE,
    provider_charge_id  TEXT
);
CREATE INDEX card_checks_by_account ON card_checks (account_id);
CREATE UNIQUE INDEX card_checks_one_pending ON card_checks (account_id) WHERE status = 'pending';

-- The unique (reason, source_id) makes a payment or a bonus count once.
CREATE TABLE ledger (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      BIGINT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind            TEXT        NOT NULL CHECK (kind IN ('money', 'bonus')),
    amount_kopecks  BIGINT      NOT NULL CHECK (amount_kopecks > 0),
    reason          TEXT        NOT NULL CHECK (reason IN ('card_check', 'signup_bonus')),
    source_id       TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (reason, source_id)
);
CREATE INDEX ledger_by_account ON ledger (account_id, kind);

CREATE TABLE autopay_settings (
    account_id         BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    enabled            BOOLEAN     NOT NULL,
    amount_kopecks     BIGINT CHECK (amount_kopecks > 0),
    threshold_kopecks  BIGINT CHECK (threshold_kopecks >= 0),
    updated_at         TIMESTAMPTZ NOT NULL,
    CHECK (NOT enabled OR (amount_kopecks IS NOT NULL AND threshold_kopecks IS NOT NULL))
);

-- R18: every message in and out, with secrets already masked when written.
CREATE TABLE conversation_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    user_id    BIGINT,
    chat_id    BIGINT,
    direction  TEXT        NOT NULL CHECK (direction IN ('in', 'out')),
    kind       TEXT        NOT NULL,
    step       TEXT,
    text       TEXT        NOT NULL
);
CREATE INDEX conversation_log_by_user ON conversation_log (user_id, id);
CREATE INDEX conversation_log_by_time ON conversation_log (at);

CREATE TABLE support_watches (
    support_user_id  BIGINT PRIMARY KEY,
    watched_user_id  BIGINT NOT NULL
);

-- R13: two-factor authentication.
CREATE TABLE two_factor (
    account_id        BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- Fernet token of the TOTP secret (SECRET_KEY); never the secret in clear.
    secret_enc        TEXT        NOT NULL CHECK (secret_enc LIKE 'gAAAAA%'),
    created_at        TIMESTAMPTZ NOT NULL,
    enabled_at        TIMESTAMPTZ,
    attempts          INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_attempt_key  BIGINT,
    last_used_step    BIGINT,
    locked_until      TIMESTAMPTZ
);

CREATE TABLE backup_codes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  BIGINT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- HMAC-SHA256 keyed from SECRET_KEY; the code itself is shown once and not kept.
    code_mac    TEXT        NOT NULL CHECK (length(code_mac) = 64),
    created_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    UNIQUE (account_id, code_mac)
);
