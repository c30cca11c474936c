-- Issue 18: the support desk in a forum group. One topic per person (R35): the row is
-- reserved before the topic is created, so two instances never create two.
CREATE TABLE desk_topics (
    telegram_user_id  INTEGER PRIMARY KEY,
    thread_id         INTEGER UNIQUE,
    card_message_id   INTEGER,
    reserved_at       TEXT    NOT NULL
);

-- One open request per person; first_answer_at is the first reply from the desk.
CREATE TABLE support_requests (
    id                INTEGER PRIMARY KEY,
    telegram_user_id  INTEGER NOT NULL,
    opened_at         TEXT    NOT NULL,
    first_answer_at   TEXT,
    closed_at         TEXT,
    talking           INTEGER NOT NULL DEFAULT 1 CHECK (talking IN (0, 1))
);
CREATE UNIQUE INDEX support_requests_one_open ON support_requests (telegram_user_id)
    WHERE closed_at IS NULL;
CREATE INDEX support_requests_by_time ON support_requests (opened_at);

-- Every message copied between a person and their topic, keyed by where it came from:
-- a redelivered update finds its row and copies nothing again (R19). A row without
-- copy_message_id is still to be delivered (the desk was down): the desk job retries.
CREATE TABLE desk_copies (
    source_chat_id     INTEGER NOT NULL,
    source_message_id  INTEGER NOT NULL,
    target_chat_id     INTEGER NOT NULL,
    copy_message_id    INTEGER,
    to_person          INTEGER NOT NULL CHECK (to_person IN (0, 1)),
    claimed_at         TEXT    NOT NULL,
    PRIMARY KEY (source_chat_id, source_message_id)
);
CREATE INDEX desk_copies_pending ON desk_copies (claimed_at) WHERE copy_message_id IS NULL;
