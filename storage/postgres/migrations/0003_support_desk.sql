-- Issue 18 (storage/sqlite/migrations/0007_support_desk.sql, in PostgreSQL's types).
CREATE TABLE desk_topics (
    telegram_user_id  BIGINT      PRIMARY KEY,
    thread_id         BIGINT      UNIQUE,
    card_message_id   BIGINT,
    reserved_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE support_requests (
    id                BIGSERIAL   PRIMARY KEY,
    telegram_user_id  BIGINT      NOT NULL,
    opened_at         TIMESTAMPTZ NOT NULL,
    first_answer_at   TIMESTAMPTZ,
    closed_at         TIMESTAMPTZ,
    talking           BOOLEAN     NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX support_requests_one_open ON support_requests (telegram_user_id)
    WHERE closed_at IS NULL;
CREATE INDEX support_requests_by_time ON support_requests (opened_at);

CREATE TABLE desk_copies (
    source_chat_id     BIGINT      NOT NULL,
    source_message_id  BIGINT      NOT NULL,
    target_chat_id     BIGINT      NOT NULL,
    copy_message_id    BIGINT,
    to_person          BOOLEAN     NOT NULL,
    claimed_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source_chat_id, source_message_id)
);
CREATE INDEX desk_copies_pending ON desk_copies (claimed_at) WHERE copy_message_id IS NULL;
