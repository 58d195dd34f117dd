-- +goose Up
-- Site-wide settings an administrator changes at run time (password
-- sign-in on or off, who must use two factors), by key.
CREATE TABLE site_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- Each account's security history: sign-ins, failures, factors, tokens.
CREATE TABLE security_events (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '',
    addr    TEXT NOT NULL DEFAULT '',
    at      INTEGER NOT NULL
);
CREATE INDEX security_events_user ON security_events (user_id, id);

-- +goose Down
DROP TABLE security_events;
DROP TABLE site_settings;
