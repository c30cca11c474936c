-- Issue 20 (storage/sqlite/migrations/0009_dashboard.sql, in PostgreSQL's types).
CREATE TABLE dashboard_links (
    digest            TEXT        PRIMARY KEY,
    staff_user_id     BIGINT      NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL,
    used_at           TIMESTAMPTZ
);
CREATE INDEX dashboard_links_by_time ON dashboard_links (expires_at);

CREATE TABLE dashboard_sessions (
    digest            TEXT        PRIMARY KEY,
    staff_user_id     BIGINT      NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX dashboard_sessions_by_time ON dashboard_sessions (expires_at);

CREATE TABLE dashboard_views (
    id                BIGSERIAL   PRIMARY KEY,
    staff_user_id     BIGINT      NOT NULL,
    telegram_user_id  BIGINT      NOT NULL,
    at                TIMESTAMPTZ NOT NULL
);
CREATE INDEX dashboard_views_by_person ON dashboard_views (telegram_user_id, id);

CREATE TABLE dashboard_replies (
    reply_key         TEXT        PRIMARY KEY,
    staff_user_id     BIGINT      NOT NULL,
    telegram_user_id  BIGINT      NOT NULL,
    at                TIMESTAMPTZ NOT NULL,
    message_id        BIGINT
);
