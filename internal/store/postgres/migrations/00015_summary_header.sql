-- +goose Up
-- A kept summary carries the whole header a list shows (target score,
-- catalog and version too), so no list reads the assessment's row for
-- them. Summaries kept before lack them: they are dropped and computed
-- again by the next list.
DELETE FROM assessment_summaries;
ALTER TABLE assessment_summaries ADD COLUMN target_score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assessment_summaries ADD COLUMN catalog_id TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment_summaries ADD COLUMN catalog_version TEXT NOT NULL DEFAULT '';
ALTER TABLE assessment_summaries ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
DELETE FROM assessment_summaries;
ALTER TABLE assessment_summaries DROP COLUMN version;
ALTER TABLE assessment_summaries DROP COLUMN catalog_version;
ALTER TABLE assessment_summaries DROP COLUMN catalog_id;
ALTER TABLE assessment_summaries DROP COLUMN target_score;
