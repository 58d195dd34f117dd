-- +goose Up
-- What a session recorded at sign-in (address, browser), when it was last
-- used, and its stage: '' a session, 'second-step' or 'enrol' the short
-- half-way state between the password and the second factor, which opens
-- nothing but that step. ceremony holds a passkey ceremony in progress.
ALTER TABLE sessions ADD COLUMN addr TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ceremony TEXT NOT NULL DEFAULT '';
UPDATE sessions SET last_used_at = created_at;

-- Second factors: TOTP authenticators (secret, the last time step used, so
-- a code is never accepted twice) and passkeys (the credential, found by
-- its id). A TOTP factor is unconfirmed until its first code is given.
CREATE TABLE mfa_factors (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('totp', 'passkey')),
    name          TEXT NOT NULL DEFAULT '',
    secret        TEXT NOT NULL DEFAULT '',
    credential_id TEXT NOT NULL DEFAULT '',
    last_step     INTEGER NOT NULL DEFAULT 0,
    confirmed     INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mfa_factors_user ON mfa_factors (user_id);
CREATE INDEX mfa_factors_credential ON mfa_factors (credential_id);

-- Single-use recovery codes, kept as hashes only.
CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id, code_hash);

-- +goose Down
DROP TABLE recovery_codes;
DROP TABLE mfa_factors;
ALTER TABLE sessions DROP COLUMN ceremony;
ALTER TABLE sessions DROP COLUMN stage;
ALTER TABLE sessions DROP COLUMN last_used_at;
ALTER TABLE sessions DROP COLUMN agent;
ALTER TABLE sessions DROP COLUMN addr;
