-- +goose Up
-- An assessment's revision now moves once per write transaction, not once
-- per statement written: the store raises it where every writer of an
-- assessment already goes first, taking the assessment's row lock (one
-- statement, "UPDATE assessments SET revision = revision + 1 ... RETURNING",
-- in place of SELECT ... FOR UPDATE), and the storetest contract checks
-- that every write path does. The statement triggers of 00006 cost an
-- assessment update and a sequence value per statement (an item save
-- wrote the assessment's row four times).
--
-- Revisions stay unique per assessment id across deletions: a new
-- assessment (created, imported or copied) starts at its incarnation
-- times 2^32, the incarnation drawn from the sequence that is now used
-- only when an assessment is created. Values 00006 handed out are all
-- below the sequence's last value, so the first incarnation drawn here
-- starts above all of them.
DROP TRIGGER assessments_revision ON assessments;
DROP TRIGGER items_revision_insert ON items;
DROP TRIGGER items_revision_update ON items;
DROP TRIGGER items_revision_delete ON items;
DROP TRIGGER evidence_revision_insert ON evidence;
DROP TRIGGER evidence_revision_update ON evidence;
DROP TRIGGER evidence_revision_delete ON evidence;
DROP TRIGGER evidence_files_revision_insert ON evidence_files;
DROP TRIGGER evidence_files_revision_update ON evidence_files;
DROP TRIGGER evidence_files_revision_delete ON evidence_files;
DROP TRIGGER history_revision_insert ON history;
DROP TRIGGER history_revision_update ON history;
DROP TRIGGER history_revision_delete ON history;
DROP TRIGGER memberships_revision_insert ON memberships;
DROP TRIGGER memberships_revision_update ON memberships;
DROP TRIGGER memberships_revision_delete ON memberships;
DROP TRIGGER plans_revision_insert ON plans;
DROP TRIGGER plans_revision_update ON plans;
DROP TRIGGER plans_revision_delete ON plans;
DROP TRIGGER snapshots_revision_insert ON snapshots;
DROP TRIGGER snapshots_revision_update ON snapshots;
DROP TRIGGER snapshots_revision_delete ON snapshots;
DROP TRIGGER interviews_revision_insert ON interviews;
DROP TRIGGER interviews_revision_update ON interviews;
DROP TRIGGER interviews_revision_delete ON interviews;
DROP TRIGGER interview_items_revision_insert ON interview_items;
DROP TRIGGER interview_items_revision_update ON interview_items;
DROP TRIGGER interview_items_revision_delete ON interview_items;
DROP TRIGGER interview_answers_revision_insert ON interview_answers;
DROP TRIGGER interview_answers_revision_update ON interview_answers;
DROP TRIGGER interview_answers_revision_delete ON interview_answers;
DROP TRIGGER interview_notes_revision_insert ON interview_notes;
DROP TRIGGER interview_notes_revision_update ON interview_notes;
DROP TRIGGER interview_notes_revision_delete ON interview_notes;
DROP TRIGGER interview_evidence_revision_insert ON interview_evidence;
DROP TRIGGER interview_evidence_revision_update ON interview_evidence;
DROP TRIGGER interview_evidence_revision_delete ON interview_evidence;
DROP TRIGGER interview_evidence_files_revision_insert ON interview_evidence_files;
DROP TRIGGER interview_evidence_files_revision_update ON interview_evidence_files;
DROP TRIGGER interview_evidence_files_revision_delete ON interview_evidence_files;
DROP FUNCTION assessment_revision_own();
DROP FUNCTION assessment_revision_new();
DROP FUNCTION assessment_revision_both();
DROP FUNCTION assessment_revision_old();
SELECT setval('assessment_revisions', ((SELECT last_value FROM assessment_revisions) >> 32) + 1, false);

-- +goose StatementBegin
CREATE FUNCTION assessment_incarnation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.revision := nextval('assessment_revisions') << 32;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER assessments_incarnation BEFORE INSERT ON assessments
    FOR EACH ROW EXECUTE FUNCTION assessment_incarnation();

-- +goose Down
-- Back to one sequence value per statement written: it starts above every
-- revision handed out since (those of deleted incarnations included).
DROP TRIGGER assessments_incarnation ON assessments;
DROP FUNCTION assessment_incarnation();
SELECT setval('assessment_revisions', GREATEST(((SELECT last_value FROM assessment_revisions) + 1) << 32,
    (SELECT COALESCE(MAX(revision), 1) FROM assessments)));
-- The header's own writes; the guard skips the change the triggers make.
-- +goose StatementBegin
CREATE FUNCTION assessment_revision_own() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.revision = OLD.revision THEN
        NEW.revision := nextval('assessment_revisions');
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER assessments_revision BEFORE INSERT OR UPDATE ON assessments
    FOR EACH ROW EXECUTE FUNCTION assessment_revision_own();

-- +goose StatementBegin
CREATE FUNCTION assessment_revision_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assessments SET revision = nextval('assessment_revisions') WHERE id IN (SELECT assessment_id FROM new_rows);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION assessment_revision_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assessments SET revision = nextval('assessment_revisions')
        WHERE id IN (SELECT assessment_id FROM new_rows UNION SELECT assessment_id FROM old_rows);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION assessment_revision_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assessments SET revision = nextval('assessment_revisions') WHERE id IN (SELECT assessment_id FROM old_rows);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER items_revision_insert AFTER INSERT ON items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER items_revision_update AFTER UPDATE ON items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER items_revision_delete AFTER DELETE ON items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER evidence_revision_insert AFTER INSERT ON evidence
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER evidence_revision_update AFTER UPDATE ON evidence
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER evidence_revision_delete AFTER DELETE ON evidence
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER evidence_files_revision_insert AFTER INSERT ON evidence_files
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER evidence_files_revision_update AFTER UPDATE ON evidence_files
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER evidence_files_revision_delete AFTER DELETE ON evidence_files
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER history_revision_insert AFTER INSERT ON history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER history_revision_update AFTER UPDATE ON history
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER history_revision_delete AFTER DELETE ON history
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER memberships_revision_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER memberships_revision_update AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER memberships_revision_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER plans_revision_insert AFTER INSERT ON plans
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER plans_revision_update AFTER UPDATE ON plans
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER plans_revision_delete AFTER DELETE ON plans
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER snapshots_revision_insert AFTER INSERT ON snapshots
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER snapshots_revision_update AFTER UPDATE ON snapshots
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER snapshots_revision_delete AFTER DELETE ON snapshots
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER interviews_revision_insert AFTER INSERT ON interviews
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER interviews_revision_update AFTER UPDATE ON interviews
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER interviews_revision_delete AFTER DELETE ON interviews
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER interview_items_revision_insert AFTER INSERT ON interview_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER interview_items_revision_update AFTER UPDATE ON interview_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER interview_items_revision_delete AFTER DELETE ON interview_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER interview_answers_revision_insert AFTER INSERT ON interview_answers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER interview_answers_revision_update AFTER UPDATE ON interview_answers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER interview_answers_revision_delete AFTER DELETE ON interview_answers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER interview_notes_revision_insert AFTER INSERT ON interview_notes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER interview_notes_revision_update AFTER UPDATE ON interview_notes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER interview_notes_revision_delete AFTER DELETE ON interview_notes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER interview_evidence_revision_insert AFTER INSERT ON interview_evidence
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER interview_evidence_revision_update AFTER UPDATE ON interview_evidence
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER interview_evidence_revision_delete AFTER DELETE ON interview_evidence
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

CREATE TRIGGER interview_evidence_files_revision_insert AFTER INSERT ON interview_evidence_files
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_new();
CREATE TRIGGER interview_evidence_files_revision_update AFTER UPDATE ON interview_evidence_files
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_both();
CREATE TRIGGER interview_evidence_files_revision_delete AFTER DELETE ON interview_evidence_files
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessment_revision_old();

