-- Issue 19 (storage/sqlite/migrations/0008_reminders.sql, in PostgreSQL's types).
CREATE TABLE reminders (
    telegram_user_id  BIGINT      NOT NULL,
    step              TEXT        NOT NULL,
    number            INTEGER     NOT NULL CHECK (number >= 1),
    status            TEXT        NOT NULL
        CHECK (status IN ('claimed', 'sent', 'retry', 'held_out', 'blocked')),
    claimed_at        TIMESTAMPTZ NOT NULL,
    sent_at           TIMESTAMPTZ,
    PRIMARY KEY (telegram_user_id, step, number)
);
CREATE INDEX reminders_by_time ON reminders (claimed_at);

CREATE TABLE reminder_choices (
    telegram_user_id  BIGINT      PRIMARY KEY,
    wanted            BOOLEAN     NOT NULL,
    blocked           BOOLEAN     NOT NULL DEFAULT FALSE,
    changed_at        TIMESTAMPTZ NOT NULL
);
