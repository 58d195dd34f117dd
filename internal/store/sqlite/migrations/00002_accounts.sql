-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- One row once the first administrator was created in the browser, so two
-- browsers racing through the first-run setup cannot both succeed.
CREATE TABLE setup_done (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE memberships (
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('assessor', 'contributor', 'viewer', 'auditor')),
    departments   TEXT NOT NULL DEFAULT '',
    refs          TEXT NOT NULL DEFAULT '',
    expires       TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE memberships;
DROP TABLE sessions;
DROP TABLE setup_done;
DROP TABLE users;
