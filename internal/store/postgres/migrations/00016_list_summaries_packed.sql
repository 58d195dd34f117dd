-- +goose Up
-- A kept summary is one packed value (its format is the store's): a list
-- of 10,000 reads four columns a row, not twenty.
-- Summaries kept before are dropped and computed again by the next list.
DROP TABLE assessment_summaries;
CREATE TABLE assessment_summaries (
    assessment_id TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    revision      BIGINT NOT NULL,
    summary       BYTEA NOT NULL
);

-- +goose Down
DROP TABLE assessment_summaries;
CREATE TABLE assessment_summaries (
    assessment_id   TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    revision        BIGINT NOT NULL,
    org             TEXT NOT NULL,
    scope           TEXT NOT NULL,
    lead_name       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    applicable      BIGINT NOT NULL,
    assessed        BIGINT NOT NULL,
    at_target       BIGINT NOT NULL,
    not_applicable  BIGINT NOT NULL,
    readiness       DOUBLE PRECISION NOT NULL,
    coverage        DOUBLE PRECISION NOT NULL,
    audit_ready     BOOLEAN NOT NULL,
    blockers        BIGINT NOT NULL,
    target_score    INTEGER NOT NULL DEFAULT 0,
    catalog_id      TEXT NOT NULL DEFAULT '',
    catalog_version TEXT NOT NULL DEFAULT '',
    version         BIGINT NOT NULL DEFAULT 0
);
