-- +goose Up
-- What the portfolio shows of each assessment (its name, scope, lead and
-- dates, overall readiness and coverage, audit-ready, blockers), kept with
-- the revision it was taken at: a reader uses it only while the
-- assessment is still at that revision (every write changes it), and
-- computes it again otherwise. Keeping it is not a write of the
-- assessment, so it has no revision trigger.
CREATE TABLE assessment_summaries (
    assessment_id  TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    revision       INTEGER NOT NULL,
    org            TEXT NOT NULL,
    scope          TEXT NOT NULL,
    lead_name      TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    applicable     INTEGER NOT NULL,
    assessed       INTEGER NOT NULL,
    at_target      INTEGER NOT NULL,
    not_applicable INTEGER NOT NULL,
    readiness      REAL NOT NULL,
    coverage       REAL NOT NULL,
    audit_ready    INTEGER NOT NULL,
    blockers       INTEGER NOT NULL
);
-- Every assessment's revision without reading its (wide) row.
CREATE INDEX assessments_revision ON assessments (id, revision);

-- +goose Down
DROP INDEX assessments_revision;
DROP TABLE assessment_summaries;
