-- +goose Up
-- What the portfolio shows of each assessment (overall readiness and
-- coverage, audit-ready, blockers), kept with the revision it was computed
-- at: a reader uses it only while the assessment is still at that
-- revision, and computes it again otherwise. Keeping it is not a write of
-- the assessment, so it has no revision trigger.
CREATE TABLE assessment_summaries (
    assessment_id  TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    revision       INTEGER NOT NULL,
    applicable     INTEGER NOT NULL,
    assessed       INTEGER NOT NULL,
    at_target      INTEGER NOT NULL,
    not_applicable INTEGER NOT NULL,
    readiness      REAL NOT NULL,
    coverage       REAL NOT NULL,
    audit_ready    INTEGER NOT NULL,
    blockers       INTEGER NOT NULL
);

-- +goose Down
DROP TABLE assessment_summaries;
