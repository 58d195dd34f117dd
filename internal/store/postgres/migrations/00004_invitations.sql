-- +goose Up
-- Who may start assessments besides the administrators, and memberships
-- that wait for the invited person to accept them: until then they give
-- no access and show nothing.
ALTER TABLE users ADD COLUMN creates_assessments BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE memberships ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE memberships DROP COLUMN pending;
ALTER TABLE users DROP COLUMN creates_assessments;
