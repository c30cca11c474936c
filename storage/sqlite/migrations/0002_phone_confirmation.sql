-- Phone confirmation (R6-R8): SMS codes and the places of each confirmed number (R7).

CREATE TABLE sms_codes (
    id                   INTEGER PRIMARY KEY,
    account_id           INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- R6: a Russian number in E.164.
    phone                TEXT    NOT NULL CHECK (phone GLOB '+7[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    -- R8: SHA-256 of a random salt and the code; the code itself is only in the SMS.
    salt                 TEXT    NOT NULL CHECK (length(salt) = 32),
    code_digest          TEXT    NOT NULL CHECK (length(code_digest) = 64),
    created_at           TEXT    NOT NULL,
    expires_at           TEXT    NOT NULL,
    -- Set once the gateway accepted the SMS: an unsent code never starts the resend timer.
    sent_at              TEXT,
    attempts             INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- The message of the last wrong try: the same message delivered again after a
    -- crash (R19) is answered the same way without costing a second try.
    last_attempt_key     INTEGER,
    used_at              TEXT,
    voided_at            TEXT,
    -- The message asking for the code, given the "didn't arrive?" button after the delay.
    prompt_chat_id       INTEGER,
    prompt_message_id    INTEGER,
    prompt_language      TEXT CHECK (prompt_language IN ('ru', 'en')),
    prompt_refreshed_at  TEXT
);
CREATE INDEX sms_codes_by_account ON sms_codes (account_id, sent_at);
-- A new code voids the old one: at most one live code per account.
CREATE UNIQUE INDEX sms_codes_one_live ON sms_codes (account_id)
    WHERE sent_at IS NOT NULL AND used_at IS NULL AND voided_at IS NULL;
CREATE INDEX sms_codes_prompt_due ON sms_codes (sent_at)
    WHERE prompt_message_id IS NOT NULL AND prompt_refreshed_at IS NULL
      AND used_at IS NULL AND voided_at IS NULL;

-- R7: a number confirmed on an account takes one of its places (1..PHONE_MAX_ACCOUNTS).
-- The primary key is what stops two accounts taking the last place at the same moment,
-- in one process or several; an account holds at most one number.
CREATE TABLE phone_confirmations (
    phone         TEXT    NOT NULL,
    place         INTEGER NOT NULL CHECK (place >= 1),
    account_id    INTEGER NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    confirmed_at  TEXT    NOT NULL,
    PRIMARY KEY (phone, place)
);
