-- R18: every message in and out, with secrets already masked when written.

CREATE TABLE conversation_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    user_id    INTEGER,
    chat_id    INTEGER,
    direction  TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    kind       TEXT    NOT NULL,
    step       TEXT,
    text       TEXT    NOT NULL
);
CREATE INDEX conversation_log_by_user ON conversation_log (user_id, id);
CREATE INDEX conversation_log_by_time ON conversation_log (at);

-- Support staff watching a person (/watch): kept here so a restart keeps it.
CREATE TABLE support_watches (
    support_user_id  INTEGER PRIMARY KEY,
    watched_user_id  INTEGER NOT NULL
);

CREATE INDEX accounts_by_phone ON accounts (phone);
CREATE INDEX sms_codes_by_phone ON sms_codes (phone);
