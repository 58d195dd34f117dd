-- +goose Up
-- Who may start assessments besides the administrators, and memberships
-- that wait for the invited person to accept them: until then they give
-- no access and show nothing.
ALTER TABLE users ADD COLUMN creates_assessments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE memberships DROP COLUMN pending;
ALTER TABLE users DROP COLUMN creates_assessments;
