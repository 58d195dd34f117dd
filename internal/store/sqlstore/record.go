package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

func (s *Store) Record(ctx context.Context, aid string) (assess.Record, error) {
	var r assess.Record
	// One transaction gives one consistent view of the assessment.
	err := s.read(ctx, func(t *Store) error {
		var err error
		if r.Assessment, err = t.GetAssessment(ctx, aid); err != nil {
			return err
		}
		if r.Items, err = t.ListItems(ctx, aid); err != nil {
			return err
		}
		if r.History, err = t.History(ctx, aid, store.HistoryQuery{}); err != nil {
			return err
		}
		ps, err := t.PlanSettings(ctx, aid)
		if err != nil {
			return err
		}
		if ps.Version > 0 {
			r.Plan = &ps
		}
		if r.Snapshots, err = t.Snapshots(ctx, aid); err != nil {
			return err
		}
		r.Interviews, err = t.Interviews(ctx, aid)
		return err
	})
	return r, err
}

func (s *Store) EvidenceFiles(ctx context.Context, aid string, fn func(id int64, content []byte) error) error {
	return s.read(ctx, func(t *Store) error {
		// Item and interview evidence share one numbering.
		rows, err := t.query(ctx, `SELECT id, content FROM evidence_files WHERE assessment_id = ?
			UNION ALL SELECT id, content FROM interview_evidence_files WHERE assessment_id = ? ORDER BY id`, aid, aid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var content []byte
			if err := rows.Scan(&id, &content); err != nil {
				return err
			}
			if err := fn(id, content); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

func (s *Store) PutEvidenceFile(ctx context.Context, aid string, id int64, content []byte) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		table := "evidence_files"
		ev, _, err := t.evidence(ctx, aid, id)
		if assess.KindOf(err) == assess.KindNotFound {
			var iev assess.InterviewEvidence
			var a string
			iev.Evidence, err = scanEvidence(t.queryRow(ctx, `SELECT assessment_id, question_id, `+evidenceCols+`
				FROM interview_evidence WHERE assessment_id = ? AND id = ?`, aid, id), &a, &iev.QuestionID)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("evidence", strconv.FormatInt(id, 10))
			}
			ev, table = iev.Evidence, "interview_evidence_files"
		}
		if err != nil {
			return err
		}
		if ev.Kind != assess.EvidenceFile {
			return assess.Errorf(assess.KindInvalid, "evidence %d of %s is not a file", id, aid)
		}
		_, err = t.exec(ctx, `INSERT INTO `+table+` (assessment_id, id, content) VALUES (?, ?, ?)`, aid, id, content)
		return err
	})
}

func (s *Store) LoadRecord(ctx context.Context, r assess.Record) error {
	return s.write(ctx, func(t *Store) error {
		aid := r.Assessment.ID
		if err := t.insertAssessment(ctx, r.Assessment); err != nil {
			return err
		}
		// Many rows to a statement: a record holds hundreds of rows, and
		// bulk creation loads thousands of records.
		var items, evs, files, hist []any
		for i, it := range r.Items {
			items = append(items, aid, i)
			items = append(items, itemArgs(it)...)
			for _, ev := range it.Evidence {
				evs = append(evs, evidenceArgs(aid, it.Ref, ev)...)
				if content := r.Files[ev.ID]; content != nil {
					files = append(files, aid, ev.ID, content)
				}
			}
		}
		for _, c := range r.History {
			c.AssessmentID = aid
			hist = append(hist, changeArgs(c)...)
		}
		for _, b := range []struct {
			table, cols string
			args        []any
		}{
			{"items", "assessment_id, seq, " + itemCols, items},
			{"evidence", "assessment_id, ref, " + evidenceCols, evs},
			{"evidence_files", "assessment_id, id, content", files},
			{"history", historyCols, hist},
		} {
			if err := t.insertRows(ctx, b.table, columns(b.cols), "", b.args); err != nil {
				return err
			}
		}
		if r.Plan != nil {
			ps := *r.Plan
			ps.AssessmentID = aid
			if err := t.insertPlan(ctx, ps); err != nil {
				return err
			}
		}
		for _, iv := range r.Interviews {
			iv.AssessmentID = aid
			if err := t.insertInterview(ctx, iv, r.Files); err != nil {
				return err
			}
		}
		for _, snap := range r.Snapshots {
			snap.AssessmentID, snap.Assessment.ID = aid, aid
			if err := t.insertSnapshot(ctx, snap); err != nil {
				return err
			}
		}
		return nil
	})
}
