-- +goose Up
-- What the portfolio shows of each assessment (its name, scope, lead and
-- dates, overall readiness and coverage, audit-ready, blockers), kept with
-- the revision it was taken at: a reader uses it only while the
-- assessment is still at that revision (every write changes it), and
-- computes it again otherwise. Keeping it is not a write of the
-- assessment, so it has no revision trigger.
CREATE TABLE assessment_summaries (
    assessment_id  TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    revision       BIGINT NOT NULL,
    org            TEXT NOT NULL,
    scope          TEXT NOT NULL,
    lead_name      TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    applicable     BIGINT NOT NULL,
    assessed       BIGINT NOT NULL,
    at_target      BIGINT NOT NULL,
    not_applicable BIGINT NOT NULL,
    readiness      DOUBLE PRECISION NOT NULL,
    coverage       DOUBLE PRECISION NOT NULL,
    audit_ready    BOOLEAN NOT NULL,
    blockers       BIGINT NOT NULL
);
-- Every assessment's revision without reading its (wide) row.
CREATE INDEX assessments_revision ON assessments (id, revision);

-- +goose Down
DROP INDEX assessments_revision;
DROP TABLE assessment_summaries;
