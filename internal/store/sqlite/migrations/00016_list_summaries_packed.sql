-- +goose Up
-- A kept summary is one packed value (its format is the store's), in a
-- table without rowid keyed by its assessment: a list of 10,000 reads four
-- columns a row, in one ordered walk of one b-tree, where eighteen columns
-- and a separate key index cost more than the rows themselves.
-- Summaries kept before are dropped and computed again by the next list.
DROP TABLE assessment_summaries;
CREATE TABLE assessment_summaries (
    assessment_id TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    revision      INTEGER NOT NULL,
    summary       BLOB NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE assessment_summaries;
CREATE TABLE assessment_summaries (
    assessment_id   TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    revision        INTEGER NOT NULL,
    org             TEXT NOT NULL,
    scope           TEXT NOT NULL,
    lead_name       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    applicable      INTEGER NOT NULL,
    assessed        INTEGER NOT NULL,
    at_target       INTEGER NOT NULL,
    not_applicable  INTEGER NOT NULL,
    readiness       REAL NOT NULL,
    coverage        REAL NOT NULL,
    audit_ready     INTEGER NOT NULL,
    blockers        INTEGER NOT NULL,
    target_score    INTEGER NOT NULL DEFAULT 0,
    catalog_id      TEXT NOT NULL DEFAULT '',
    catalog_version TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 0
);
