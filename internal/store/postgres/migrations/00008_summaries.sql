-- +goose Up
-- What the portfolio shows of each assessment (overall readiness and
-- coverage, audit-ready, blockers), kept with the revision it was computed
-- at: a reader uses it only while the assessment is still at that
-- revision, and computes it again otherwise. Keeping it is not a write of
-- the assessment, so it has no revision trigger.
CREATE TABLE assessment_summaries (
    assessment_id  TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    revision       BIGINT NOT NULL,
    applicable     BIGINT NOT NULL,
    assessed       BIGINT NOT NULL,
    at_target      BIGINT NOT NULL,
    not_applicable BIGINT NOT NULL,
    readiness      DOUBLE PRECISION NOT NULL,
    coverage       DOUBLE PRECISION NOT NULL,
    audit_ready    BOOLEAN NOT NULL,
    blockers       BIGINT NOT NULL
);

-- +goose Down
DROP TABLE assessment_summaries;
