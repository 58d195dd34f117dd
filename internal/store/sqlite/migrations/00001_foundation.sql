-- +goose Up
CREATE TABLE catalogs (
    id         TEXT NOT NULL,
    version    TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE assessments (
    id              TEXT PRIMARY KEY,
    org             TEXT NOT NULL,
    scope           TEXT NOT NULL DEFAULT '',
    boundaries      TEXT NOT NULL DEFAULT '{}',
    interfaces      TEXT NOT NULL DEFAULT '',
    exclusions      TEXT NOT NULL DEFAULT '[]',
    stakeholders    TEXT NOT NULL DEFAULT '[]',
    target_score    INTEGER NOT NULL DEFAULT 4 CHECK (target_score BETWEEN 1 AND 5),
    employees       INTEGER NOT NULL DEFAULT 0,
    lead_name       TEXT NOT NULL DEFAULT '',
    catalog_id      TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    version         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE items (
    assessment_id  TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    ref            TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    score          INTEGER NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 5),
    applicable     INTEGER NOT NULL DEFAULT 1,
    justification  TEXT NOT NULL DEFAULT '',
    inclusion      TEXT NOT NULL DEFAULT '',
    inclusion_note TEXT NOT NULL DEFAULT '',
    department     TEXT NOT NULL DEFAULT '',
    owner          TEXT NOT NULL DEFAULT '',
    priority       TEXT NOT NULL DEFAULT '',
    target_date    TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL DEFAULT '',
    effort_days    REAL,
    notes          TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_by     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, ref)
);

CREATE TABLE evidence (
    assessment_id TEXT NOT NULL,
    id            INTEGER NOT NULL,
    ref           TEXT NOT NULL,
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
    FOREIGN KEY (assessment_id, ref) REFERENCES items (assessment_id, ref) ON DELETE CASCADE
);
CREATE INDEX evidence_item ON evidence (assessment_id, ref);

CREATE TABLE evidence_files (
    assessment_id TEXT NOT NULL,
    id            INTEGER NOT NULL,
    content       BLOB NOT NULL,
    PRIMARY KEY (assessment_id, id),
    FOREIGN KEY (assessment_id, id) REFERENCES evidence (assessment_id, id) ON DELETE CASCADE
);

CREATE TABLE history (
    id            INTEGER PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    ref           TEXT NOT NULL DEFAULT '',
    field         TEXT NOT NULL,
    old_value     TEXT NOT NULL DEFAULT '',
    new_value     TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL DEFAULT '',
    at            INTEGER NOT NULL,
    version       INTEGER NOT NULL
);
CREATE INDEX history_item ON history (assessment_id, ref, id);

-- +goose Down
DROP TABLE history;
DROP TABLE evidence_files;
DROP TABLE evidence;
DROP TABLE items;
DROP TABLE assessments;
DROP TABLE catalogs;
