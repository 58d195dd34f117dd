-- +goose Up
-- An assessment's revision now moves once per write transaction, not once
-- per row written: the store raises it where every writer of an
-- assessment already goes first, taking the assessment's lock (one
-- statement, "UPDATE assessments SET revision = revision + 1 ... RETURNING"),
-- and the storetest contract checks that every write path does. The row
-- triggers of 00006 cost a counter update and an assessment update per row
-- written (an item save wrote the assessment's row four times), and on
-- PostgreSQL made writers of every assessment queue behind one counter.
--
-- Revisions stay unique per assessment id across deletions: a new
-- assessment (created, imported or copied) starts at its incarnation
-- times 2^32, the incarnation being drawn from the database-wide counter
-- that is now written only when an assessment is created. Values 00006
-- handed out are all below that counter, so the first incarnation drawn
-- here starts above all of them.
DROP TRIGGER assessments_revision_insert;
DROP TRIGGER assessments_revision;
DROP TRIGGER items_revision_insert;
DROP TRIGGER items_revision_update;
DROP TRIGGER items_revision_delete;
DROP TRIGGER evidence_revision_insert;
DROP TRIGGER evidence_revision_update;
DROP TRIGGER evidence_revision_delete;
DROP TRIGGER evidence_files_revision_insert;
DROP TRIGGER evidence_files_revision_update;
DROP TRIGGER evidence_files_revision_delete;
DROP TRIGGER history_revision_insert;
DROP TRIGGER history_revision_update;
DROP TRIGGER history_revision_delete;
DROP TRIGGER memberships_revision_insert;
DROP TRIGGER memberships_revision_update;
DROP TRIGGER memberships_revision_delete;
DROP TRIGGER plans_revision_insert;
DROP TRIGGER plans_revision_update;
DROP TRIGGER plans_revision_delete;
DROP TRIGGER snapshots_revision_insert;
DROP TRIGGER snapshots_revision_update;
DROP TRIGGER snapshots_revision_delete;
DROP TRIGGER interviews_revision_insert;
DROP TRIGGER interviews_revision_update;
DROP TRIGGER interviews_revision_delete;
DROP TRIGGER interview_items_revision_insert;
DROP TRIGGER interview_items_revision_update;
DROP TRIGGER interview_items_revision_delete;
DROP TRIGGER interview_answers_revision_insert;
DROP TRIGGER interview_answers_revision_update;
DROP TRIGGER interview_answers_revision_delete;
DROP TRIGGER interview_notes_revision_insert;
DROP TRIGGER interview_notes_revision_update;
DROP TRIGGER interview_notes_revision_delete;
DROP TRIGGER interview_evidence_revision_insert;
DROP TRIGGER interview_evidence_revision_update;
DROP TRIGGER interview_evidence_revision_delete;
DROP TRIGGER interview_evidence_files_revision_insert;
DROP TRIGGER interview_evidence_files_revision_update;
DROP TRIGGER interview_evidence_files_revision_delete;
UPDATE revision_counter SET n = n >> 32;

-- +goose StatementBegin
CREATE TRIGGER assessments_incarnation AFTER INSERT ON assessments
BEGIN
    INSERT INTO revision_counter (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = n + 1;
    UPDATE assessments SET revision = (SELECT n FROM revision_counter) << 32 WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
-- Back to one counter for every row written: it starts above every
-- revision handed out since (those of deleted incarnations included).
DROP TRIGGER assessments_incarnation;
INSERT INTO revision_counter (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
UPDATE revision_counter SET n = max((n + 1) << 32, (SELECT COALESCE(MAX(revision), 0) FROM assessments));
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

