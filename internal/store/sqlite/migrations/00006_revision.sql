-- +goose Up
-- An assessment's revision: a value that every write of the assessment or
-- of any row that belongs to it changes, in the same transaction, by the
-- triggers below (so no write path can forget it). Pages derive their ETag
-- from it, and one cheap query tells whether anything changed since a page
-- was sent, across every instance of isogap on the database. Revisions
-- come from one counter for the whole database, so an assessment deleted
-- and imported again under its id never shows a revision it had before.
ALTER TABLE assessments ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
-- The counter's row appears with the first write (a database nobody used
-- holds nothing); assessments from before start at 1, below its first value.
CREATE TABLE revision_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER assessments_revision_insert AFTER INSERT ON assessments
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- The header's own writes; the guard skips the change the triggers make.
-- +goose StatementBegin
CREATE TRIGGER assessments_revision AFTER UPDATE ON assessments
WHEN NEW.revision = OLD.revision
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER items_revision_insert AFTER INSERT ON items
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER items_revision_update AFTER UPDATE ON items
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER items_revision_delete AFTER DELETE ON items
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER evidence_revision_insert AFTER INSERT ON evidence
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER evidence_revision_update AFTER UPDATE ON evidence
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER evidence_revision_delete AFTER DELETE ON evidence
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER evidence_files_revision_insert AFTER INSERT ON evidence_files
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER evidence_files_revision_update AFTER UPDATE ON evidence_files
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER evidence_files_revision_delete AFTER DELETE ON evidence_files
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER history_revision_insert AFTER INSERT ON history
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER history_revision_update AFTER UPDATE ON history
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER history_revision_delete AFTER DELETE ON history
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER memberships_revision_insert AFTER INSERT ON memberships
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER memberships_revision_update AFTER UPDATE ON memberships
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER memberships_revision_delete AFTER DELETE ON memberships
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER plans_revision_insert AFTER INSERT ON plans
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plans_revision_update AFTER UPDATE ON plans
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plans_revision_delete AFTER DELETE ON plans
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER snapshots_revision_insert AFTER INSERT ON snapshots
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshots_revision_update AFTER UPDATE ON snapshots
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshots_revision_delete AFTER DELETE ON snapshots
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER interviews_revision_insert AFTER INSERT ON interviews
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interviews_revision_update AFTER UPDATE ON interviews
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interviews_revision_delete AFTER DELETE ON interviews
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER interview_items_revision_insert AFTER INSERT ON interview_items
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_items_revision_update AFTER UPDATE ON interview_items
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_items_revision_delete AFTER DELETE ON interview_items
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER interview_answers_revision_insert AFTER INSERT ON interview_answers
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_answers_revision_update AFTER UPDATE ON interview_answers
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_answers_revision_delete AFTER DELETE ON interview_answers
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER interview_notes_revision_insert AFTER INSERT ON interview_notes
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_notes_revision_update AFTER UPDATE ON interview_notes
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_notes_revision_delete AFTER DELETE ON interview_notes
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER interview_evidence_revision_insert AFTER INSERT ON interview_evidence
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_evidence_revision_update AFTER UPDATE ON interview_evidence
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_evidence_revision_delete AFTER DELETE ON interview_evidence
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER interview_evidence_files_revision_insert AFTER INSERT ON interview_evidence_files
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_evidence_files_revision_update AFTER UPDATE ON interview_evidence_files
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id, NEW.assessment_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interview_evidence_files_revision_delete AFTER DELETE ON interview_evidence_files
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) WHERE id IN (OLD.assessment_id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER interview_evidence_files_revision_delete;
DROP TRIGGER interview_evidence_files_revision_update;
DROP TRIGGER interview_evidence_files_revision_insert;
DROP TRIGGER interview_evidence_revision_delete;
DROP TRIGGER interview_evidence_revision_update;
DROP TRIGGER interview_evidence_revision_insert;
DROP TRIGGER interview_notes_revision_delete;
DROP TRIGGER interview_notes_revision_update;
DROP TRIGGER interview_notes_revision_insert;
DROP TRIGGER interview_answers_revision_delete;
DROP TRIGGER interview_answers_revision_update;
DROP TRIGGER interview_answers_revision_insert;
DROP TRIGGER interview_items_revision_delete;
DROP TRIGGER interview_items_revision_update;
DROP TRIGGER interview_items_revision_insert;
DROP TRIGGER interviews_revision_delete;
DROP TRIGGER interviews_revision_update;
DROP TRIGGER interviews_revision_insert;
DROP TRIGGER snapshots_revision_delete;
DROP TRIGGER snapshots_revision_update;
DROP TRIGGER snapshots_revision_insert;
DROP TRIGGER plans_revision_delete;
DROP TRIGGER plans_revision_update;
DROP TRIGGER plans_revision_insert;
DROP TRIGGER memberships_revision_delete;
DROP TRIGGER memberships_revision_update;
DROP TRIGGER memberships_revision_insert;
DROP TRIGGER history_revision_delete;
DROP TRIGGER history_revision_update;
DROP TRIGGER history_revision_insert;
DROP TRIGGER evidence_files_revision_delete;
DROP TRIGGER evidence_files_revision_update;
DROP TRIGGER evidence_files_revision_insert;
DROP TRIGGER evidence_revision_delete;
DROP TRIGGER evidence_revision_update;
DROP TRIGGER evidence_revision_insert;
DROP TRIGGER items_revision_delete;
DROP TRIGGER items_revision_update;
DROP TRIGGER items_revision_insert;
DROP TRIGGER assessments_revision;
DROP TRIGGER assessments_revision_insert;
DROP TABLE revision_counter;
ALTER TABLE assessments DROP COLUMN revision;
