-- +goose Up
-- Interviews: a stakeholder answers the questions of their items by a
-- link, in the web app or on paper. Only the link token's hash and the
-- bound browser session's hash are kept.
CREATE TABLE interviews (
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    id            INTEGER NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    department    TEXT NOT NULL DEFAULT '',
    due           TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'in_progress', 'submitted', 'reviewed', 'revoked')),
    confirm_email INTEGER NOT NULL DEFAULT 0,
    token_hash    TEXT NOT NULL DEFAULT '',
    token_expires INTEGER NOT NULL DEFAULT 0,
    session_hash  TEXT NOT NULL DEFAULT '',
    revision      INTEGER NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    sent_at       INTEGER NOT NULL DEFAULT 0,
    submitted_at  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (assessment_id, id)
);
CREATE UNIQUE INDEX interviews_token ON interviews (token_hash) WHERE token_hash <> '';
CREATE UNIQUE INDEX interviews_session ON interviews (session_hash) WHERE session_hash <> '';

-- The items an interview covers, and the assessor's decision on each.
CREATE TABLE interview_items (
    assessment_id TEXT NOT NULL,
    interview_id  INTEGER NOT NULL,
    ref           TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    score         INTEGER NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 5),
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (assessment_id, interview_id, ref),
    FOREIGN KEY (assessment_id, interview_id) REFERENCES interviews (assessment_id, id) ON DELETE CASCADE
);

CREATE TABLE interview_answers (
    assessment_id TEXT NOT NULL,
    interview_id  INTEGER NOT NULL,
    question_id   TEXT NOT NULL,
    ref           TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('', 'yes', 'partly', 'no', 'dont_know', 'not_applicable')),
    comment       TEXT NOT NULL DEFAULT '',
    answered_by   TEXT NOT NULL DEFAULT '',
    answered_at   INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, interview_id, question_id),
    FOREIGN KEY (assessment_id, interview_id) REFERENCES interviews (assessment_id, id) ON DELETE CASCADE
);

CREATE TABLE interview_notes (
    id            INTEGER PRIMARY KEY,
    assessment_id TEXT NOT NULL,
    interview_id  INTEGER NOT NULL,
    question_id   TEXT NOT NULL,
    text          TEXT NOT NULL,
    noted_by      TEXT NOT NULL DEFAULT '',
    noted_at      INTEGER NOT NULL,
    FOREIGN KEY (assessment_id, interview_id) REFERENCES interviews (assessment_id, id) ON DELETE CASCADE
);
CREATE INDEX interview_notes_interview ON interview_notes (assessment_id, interview_id, id);

-- Evidence given with answers; ids share the assessment's evidence numbering.
CREATE TABLE interview_evidence (
    assessment_id TEXT NOT NULL,
    id            INTEGER NOT NULL,
    interview_id  INTEGER NOT NULL,
    question_id   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    text          TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL DEFAULT '',
    file_name     TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0,
    sha256        TEXT NOT NULL DEFAULT '',
    evidence_date TEXT NOT NULL DEFAULT '',
    added_by      TEXT NOT NULL DEFAULT '',
    added_at      INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, id),
    FOREIGN KEY (assessment_id, interview_id) REFERENCES interviews (assessment_id, id) ON DELETE CASCADE
);
CREATE INDEX interview_evidence_interview ON interview_evidence (assessment_id, interview_id);

CREATE TABLE interview_evidence_files (
    assessment_id TEXT NOT NULL,
    id            INTEGER NOT NULL,
    content       BLOB NOT NULL,
    PRIMARY KEY (assessment_id, id),
    FOREIGN KEY (assessment_id, id) REFERENCES interview_evidence (assessment_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE interview_evidence_files;
DROP TABLE interview_evidence;
DROP TABLE interview_notes;
DROP TABLE interview_answers;
DROP TABLE interview_items;
DROP TABLE interviews;
