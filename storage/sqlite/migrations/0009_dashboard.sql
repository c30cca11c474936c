-- Issue 20: the support staff's web dashboard. Login links and sessions are kept by
-- their SHA-256 digest, never in clear: a copy of the database opens no session.
-- A link is used once (used_at), and only before expires_at (five minutes).
CREATE TABLE dashboard_links (
    digest            TEXT    PRIMARY KEY,
    staff_user_id     INTEGER NOT NULL,
    created_at        TEXT    NOT NULL,
    expires_at        TEXT    NOT NULL,
    used_at           TEXT
);
CREATE INDEX dashboard_links_by_time ON dashboard_links (expires_at);

CREATE TABLE dashboard_sessions (
    digest            TEXT    PRIMARY KEY,
    staff_user_id     INTEGER NOT NULL,
    created_at        TEXT    NOT NULL,
    expires_at        TEXT    NOT NULL
);
CREATE INDEX dashboard_sessions_by_time ON dashboard_sessions (expires_at);

-- Every look at a person's page: who looked at whom, when.
CREATE TABLE dashboard_views (
    id                INTEGER PRIMARY KEY,
    staff_user_id     INTEGER NOT NULL,
    telegram_user_id  INTEGER NOT NULL,
    at                TEXT    NOT NULL
);
CREATE INDEX dashboard_views_by_person ON dashboard_views (telegram_user_id, id);

-- A reply from the dashboard, keyed by the form it was typed in: a form sent twice
-- (a double click, a reload) reaches the person once.
CREATE TABLE dashboard_replies (
    reply_key         TEXT    PRIMARY KEY,
    staff_user_id     INTEGER NOT NULL,
    telegram_user_id  INTEGER NOT NULL,
    at                TEXT    NOT NULL,
    message_id        INTEGER
);
