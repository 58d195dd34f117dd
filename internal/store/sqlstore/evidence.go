package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/isogap/isogap/internal/assess"
)

const evidenceCols = `id, kind, text, url, file_name, content_type, size, sha256, evidence_date, added_by, added_at`

func scanEvidence(r scanner, aid, ref *string) (assess.Evidence, error) {
	var ev assess.Evidence
	dest, finish := evidenceDest(&ev)
	if aid != nil {
		dest = append([]any{aid, ref}, dest...)
	}
	if err := r.Scan(dest...); err != nil {
		return ev, err
	}
	finish()
	return ev, nil
}

// evidenceDest gives where to scan the evidenceCols of a row into ev, and
// what to run once they are scanned.
func evidenceDest(ev *assess.Evidence) (dest []any, finish func()) {
	var kind, date string
	var added int64
	return []any{&ev.ID, &kind, &ev.Text, &ev.URL, &ev.FileName, &ev.ContentType, &ev.Size, &ev.SHA256, &date, &ev.AddedBy, &added},
		func() {
			ev.Kind = assess.EvidenceKind(kind)
			ev.Date, _ = assess.ParseDate(date)
			ev.AddedAt = fromMicros(added)
		}
}

func (t *Store) insertEvidence(ctx context.Context, aid, ref string, ev assess.Evidence, content []byte) error {
	_, err := t.exec(ctx, `INSERT INTO evidence (assessment_id, ref, `+evidenceCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		evidenceArgs(aid, ref, ev)...)
	if err != nil || content == nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO evidence_files (assessment_id, id, content) VALUES (?, ?, ?)`, aid, ev.ID, content)
	return err
}

func evidenceArgs(aid, ref string, ev assess.Evidence) []any {
	return []any{aid, ref, ev.ID, string(ev.Kind), ev.Text, ev.URL, ev.FileName, ev.ContentType, ev.Size, ev.SHA256,
		ev.Date.String(), ev.AddedBy, micros(ev.AddedAt)}
}

// lockAssessment serialises writers of one assessment, so what a writer
// read (an item's version, the evidence numbers) stays current until it
// commits, and raises the assessment's revision: one statement, the first
// time a transaction writes the assessment. Every write to an assessment's
// rows takes it first: one lock order, the assessment and then its rows,
// so writers wait for each other but never deadlock, and no write leaves
// the revision where it was (storetest checks each write path).
func (t *Store) lockAssessment(ctx context.Context, aid string) error {
	if t.locked == nil {
		return errors.New("sqlstore: an assessment is locked in a write transaction only")
	}
	if _, ok := t.locked[aid]; ok {
		return nil
	}
	// The header and the new revision come back with the lock: the writer
	// reads them next.
	var rev int64
	a, err := scanAssessment(rowWith{t.queryRow(ctx, `UPDATE assessments SET revision = revision + 1 WHERE id = ? RETURNING `+assessmentCols+`, revision`, aid), []any{&rev}})
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("assessment", aid)
	}
	if err != nil {
		return err
	}
	t.locked[aid], t.headers[aid] = rev, a
	return nil
}

func (s *Store) LockAssessment(ctx context.Context, aid string) error {
	if s.tx == nil {
		return errors.New("sqlstore: LockAssessment outside a transaction locks nothing")
	}
	return s.lockAssessment(ctx, aid)
}

func (s *Store) AddEvidence(ctx context.Context, aid, ref string, ev assess.Evidence, content []byte) (assess.Evidence, error) {
	err := s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		now := t.now()
		version, err := t.bumpItem(ctx, aid, ref, ev.AddedBy, now)
		if err != nil {
			return err
		}
		if ev.ID, err = t.nextEvidenceID(ctx, aid); err != nil {
			return err
		}
		if ev.AddedAt.IsZero() {
			ev.AddedAt = now
		}
		if err := t.insertEvidence(ctx, aid, ref, ev, content); err != nil {
			return err
		}
		if err := t.insertChange(ctx, assess.Change{AssessmentID: aid, Ref: ref, Field: "evidence", New: ev.Summary(),
			Actor: ev.AddedBy, At: now, Version: version}); err != nil {
			return err
		}
		return t.touch(ctx, aid, now)
	})
	return ev, err
}

func (s *Store) RemoveEvidence(ctx context.Context, aid string, id int64, actor string) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		ev, ref, err := t.evidence(ctx, aid, id)
		if err != nil {
			return err
		}
		now := t.now()
		version, err := t.bumpItem(ctx, aid, ref, actor, now)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM evidence_files WHERE assessment_id = ? AND id = ?`, aid, id); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM evidence WHERE assessment_id = ? AND id = ?`, aid, id); err != nil {
			return err
		}
		if err := t.insertChange(ctx, assess.Change{AssessmentID: aid, Ref: ref, Field: "evidence", Old: ev.Summary(),
			Actor: actor, At: now, Version: version}); err != nil {
			return err
		}
		return t.touch(ctx, aid, now)
	})
}

func (s *Store) evidence(ctx context.Context, aid string, id int64) (assess.Evidence, string, error) {
	var a, ref string
	ev, err := scanEvidence(s.queryRow(ctx, `SELECT assessment_id, ref, `+evidenceCols+` FROM evidence WHERE assessment_id = ? AND id = ?`, aid, id), &a, &ref)
	if errors.Is(err, sql.ErrNoRows) {
		return ev, "", notFound("evidence", strconv.FormatInt(id, 10))
	}
	return ev, ref, err
}

func (s *Store) EvidenceContent(ctx context.Context, aid string, id int64) (assess.Evidence, []byte, error) {
	ev, _, err := s.evidence(ctx, aid, id)
	if err != nil {
		return ev, nil, err
	}
	var content []byte
	err = s.queryRow(ctx, `SELECT content FROM evidence_files WHERE assessment_id = ? AND id = ?`, aid, id).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return ev, nil, nil
	}
	return ev, content, err
}
