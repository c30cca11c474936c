-- Issue 19: reminders for people who stopped half-way (R38-R40). A reminder is a row
-- before it is sent (the primary key: once per person, step and number), so a restart,
-- a kill mid-batch or a second instance never sends it twice.
CREATE TABLE reminders (
    telegram_user_id  INTEGER NOT NULL,
    step              TEXT    NOT NULL,
    number            INTEGER NOT NULL CHECK (number >= 1),
    status            TEXT    NOT NULL
        CHECK (status IN ('claimed', 'sent', 'retry', 'held_out', 'blocked')),
    claimed_at        TEXT    NOT NULL,
    sent_at           TEXT,
    PRIMARY KEY (telegram_user_id, step, number)
);
CREATE INDEX reminders_by_time ON reminders (claimed_at);

-- Who turned reminders off (/reminders off, "Don't remind me"), or blocked the bot.
CREATE TABLE reminder_choices (
    telegram_user_id  INTEGER PRIMARY KEY,
    wanted            INTEGER NOT NULL CHECK (wanted IN (0, 1)),
    blocked           INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    changed_at        TEXT    NOT NULL
);
