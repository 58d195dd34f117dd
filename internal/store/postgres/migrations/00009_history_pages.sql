-- +goose Up
-- The history of a whole assessment is read newest first a page at a time
-- (keyset on id), and readiness over time reads the changes after the last
-- one it replayed: both walk this index instead of every row of the
-- assessment. The filter on one item has its own index (history_item).
CREATE INDEX history_assessment ON history (assessment_id, id);

-- +goose Down
DROP INDEX history_assessment;
