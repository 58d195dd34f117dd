-- +goose Up
-- Forecast assumptions an assessment's users set (key → value text, the
-- rest are isogap's defaults), versioned so concurrent edits are detected.
CREATE TABLE plans (
    assessment_id TEXT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    settings      TEXT NOT NULL DEFAULT '{}',
    version       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    updated_by    TEXT NOT NULL DEFAULT ''
);

-- Named snapshots (baselines) of an assessment: its header and items as JSON.
CREATE TABLE snapshots (
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    content       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, name)
);

-- +goose Down
DROP TABLE snapshots;
DROP TABLE plans;
