-- +goose Up
-- The first answer to each create sent to the API with an Idempotency-Key,
-- per user, kept a day so a retried request replays it. status 0 marks a
-- create still under way; times are microseconds since the epoch.
CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    body         BLOB NOT NULL,
    location     TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
