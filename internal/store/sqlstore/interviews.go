package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/isogap/isogap/internal/assess"
)

const interviewCols = `assessment_id, id, name, email, department, due, state, confirm_email, token_hash, token_expires,
	session_hash, revision, created_by, created_at, updated_at, sent_at, submitted_at`

func scanInterview(r scanner) (assess.Interview, error) {
	var iv assess.Interview
	var due string
	var expires, created, updated, sent, submitted int64
	err := r.Scan(&iv.AssessmentID, &iv.ID, &iv.Name, &iv.Email, &iv.Department, &due, &iv.State, &iv.ConfirmEmail,
		&iv.TokenHash, &expires, &iv.SessionHash, &iv.Revision, &iv.CreatedBy, &created, &updated, &sent, &submitted)
	if err != nil {
		return iv, err
	}
	iv.Due, _ = assess.ParseDate(due)
	iv.TokenExpires, iv.CreatedAt, iv.UpdatedAt = fromMicros(expires), fromMicros(created), fromMicros(updated)
	iv.SentAt, iv.SubmittedAt = fromMicros(sent), fromMicros(submitted)
	return iv, nil
}

func interviewArgs(iv assess.Interview) []any {
	return []any{iv.AssessmentID, iv.ID, iv.Name, iv.Email, iv.Department, iv.Due.String(), iv.State, iv.ConfirmEmail,
		iv.TokenHash, micros(iv.TokenExpires), iv.SessionHash, iv.Revision, iv.CreatedBy, micros(iv.CreatedAt),
		micros(iv.UpdatedAt), micros(iv.SentAt), micros(iv.SubmittedAt)}
}

func interviewNotFound(aid string, id int64) error {
	return assess.Errorf(assess.KindNotFound, "interview %d of assessment %s not found", id, aid)
}

// insertInterview writes an interview and everything it holds, as it is.
func (t *Store) insertInterview(ctx context.Context, iv assess.Interview, files map[int64][]byte) error {
	if _, err := t.exec(ctx, `INSERT INTO interviews (`+interviewCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		interviewArgs(iv)...); err != nil {
		return err
	}
	if err := t.writeInterviewItems(ctx, iv); err != nil {
		return err
	}
	for _, a := range iv.Answers {
		if err := t.insertAnswer(ctx, iv.AssessmentID, iv.ID, a); err != nil {
			return err
		}
	}
	for _, n := range iv.Notes {
		if err := t.insertNote(ctx, iv.AssessmentID, iv.ID, n); err != nil {
			return err
		}
	}
	for _, ev := range iv.Evidence {
		if err := t.insertInterviewEvidence(ctx, iv.AssessmentID, iv.ID, ev, files[ev.ID]); err != nil {
			return err
		}
	}
	return nil
}

// writeInterviewItems replaces an interview's refs and decisions.
func (t *Store) writeInterviewItems(ctx context.Context, iv assess.Interview) error {
	if _, err := t.exec(ctx, `DELETE FROM interview_items WHERE assessment_id = ? AND interview_id = ?`, iv.AssessmentID, iv.ID); err != nil {
		return err
	}
	decided := map[string]assess.InterviewDecision{}
	for _, d := range iv.Decisions {
		decided[d.Ref] = d
	}
	for i, ref := range iv.Refs {
		d := decided[ref]
		if _, err := t.exec(ctx, `INSERT INTO interview_items (assessment_id, interview_id, ref, seq, score, decided_by, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, iv.AssessmentID, iv.ID, ref, i, int(d.Score), d.By, micros(d.At)); err != nil {
			return err
		}
		delete(decided, ref)
	}
	for ref := range decided {
		return assess.Errorf(assess.KindInvalid, "interview %d: a decision on %s, which the interview does not cover", iv.ID, ref)
	}
	return nil
}

func (t *Store) insertAnswer(ctx context.Context, aid string, id int64, a assess.InterviewAnswer) error {
	_, err := t.exec(ctx, `INSERT INTO interview_answers (assessment_id, interview_id, question_id, ref, kind, comment, answered_by, answered_at, revision)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, aid, id, a.QuestionID, a.Ref, a.Kind, a.Comment, a.By, micros(a.At), a.Revision)
	return err
}

func (t *Store) insertNote(ctx context.Context, aid string, id int64, n assess.InterviewNote) error {
	_, err := t.exec(ctx, `INSERT INTO interview_notes (assessment_id, interview_id, question_id, text, noted_by, noted_at)
		VALUES (?, ?, ?, ?, ?, ?)`, aid, id, n.QuestionID, n.Text, n.By, micros(n.At))
	return err
}

func (t *Store) insertInterviewEvidence(ctx context.Context, aid string, id int64, ev assess.InterviewEvidence, content []byte) error {
	_, err := t.exec(ctx, `INSERT INTO interview_evidence (assessment_id, interview_id, question_id, `+evidenceCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		aid, id, ev.QuestionID, ev.ID, string(ev.Kind), ev.Text, ev.URL, ev.FileName, ev.ContentType, ev.Size, ev.SHA256,
		ev.Date.String(), ev.AddedBy, micros(ev.AddedAt))
	if err != nil || content == nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO interview_evidence_files (assessment_id, id, content) VALUES (?, ?, ?)`, aid, ev.ID, content)
	return err
}

// nextEvidenceID is the next number of the assessment's evidence, item
// and interview evidence alike.
func (t *Store) nextEvidenceID(ctx context.Context, aid string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM (
		SELECT id FROM evidence WHERE assessment_id = ? UNION ALL SELECT id FROM interview_evidence WHERE assessment_id = ?) ids`,
		aid, aid).Scan(&id)
	return id, err
}

func (s *Store) CreateInterview(ctx context.Context, iv assess.Interview) (assess.Interview, error) {
	err := s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, iv.AssessmentID); err != nil {
			return err
		}
		if err := t.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM interviews WHERE assessment_id = ?`, iv.AssessmentID).Scan(&iv.ID); err != nil {
			return err
		}
		now := t.now()
		iv.Revision, iv.CreatedAt, iv.UpdatedAt = 1, now, now
		iv.Answers, iv.Notes, iv.Evidence = nil, nil, nil
		return t.insertInterview(ctx, iv, nil)
	})
	return iv, err
}

func (s *Store) Interview(ctx context.Context, aid string, id int64) (assess.Interview, error) {
	var iv assess.Interview
	err := s.read(ctx, func(t *Store) error {
		var err error
		iv, err = scanInterview(t.queryRow(ctx, `SELECT `+interviewCols+` FROM interviews WHERE assessment_id = ? AND id = ?`, aid, id))
		if errors.Is(err, sql.ErrNoRows) {
			return interviewNotFound(aid, id)
		}
		if err != nil {
			return err
		}
		return t.fillInterviews(ctx, aid, []*assess.Interview{&iv})
	})
	return iv, err
}

func (s *Store) Interviews(ctx context.Context, aid string) ([]assess.Interview, error) {
	var out []assess.Interview
	err := s.read(ctx, func(t *Store) error {
		rows, err := t.query(ctx, `SELECT `+interviewCols+` FROM interviews WHERE assessment_id = ? ORDER BY id`, aid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			iv, err := scanInterview(rows)
			if err != nil {
				return err
			}
			out = append(out, iv)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		ptrs := make([]*assess.Interview, len(out))
		for i := range out {
			ptrs[i] = &out[i]
		}
		return t.fillInterviews(ctx, aid, ptrs)
	})
	return out, err
}

// fillInterviews reads the refs, decisions, answers, notes and evidence of
// an assessment's interviews.
func (t *Store) fillInterviews(ctx context.Context, aid string, ivs []*assess.Interview) error {
	if len(ivs) == 0 {
		return nil
	}
	byID := map[int64]*assess.Interview{}
	for _, iv := range ivs {
		byID[iv.ID] = iv
	}
	rows, err := t.query(ctx, `SELECT interview_id, ref, score, decided_by, decided_at FROM interview_items
		WHERE assessment_id = ? ORDER BY interview_id, seq`, aid)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var d assess.InterviewDecision
		var at int64
		if err := rows.Scan(&id, &d.Ref, &d.Score, &d.By, &at); err != nil {
			rows.Close()
			return err
		}
		iv := byID[id]
		if iv == nil {
			continue
		}
		iv.Refs = append(iv.Refs, d.Ref)
		if d.By != "" {
			d.At = fromMicros(at)
			iv.Decisions = append(iv.Decisions, d)
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	rows, err = t.query(ctx, `SELECT interview_id, question_id, ref, kind, comment, answered_by, answered_at, revision
		FROM interview_answers WHERE assessment_id = ? ORDER BY interview_id, question_id`, aid)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, at int64
		var a assess.InterviewAnswer
		if err := rows.Scan(&id, &a.QuestionID, &a.Ref, &a.Kind, &a.Comment, &a.By, &at, &a.Revision); err != nil {
			rows.Close()
			return err
		}
		a.At = fromMicros(at)
		if iv := byID[id]; iv != nil {
			iv.Answers = append(iv.Answers, a)
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	rows, err = t.query(ctx, `SELECT interview_id, question_id, text, noted_by, noted_at
		FROM interview_notes WHERE assessment_id = ? ORDER BY interview_id, id`, aid)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, at int64
		var n assess.InterviewNote
		if err := rows.Scan(&id, &n.QuestionID, &n.Text, &n.By, &at); err != nil {
			rows.Close()
			return err
		}
		n.At = fromMicros(at)
		if iv := byID[id]; iv != nil {
			iv.Notes = append(iv.Notes, n)
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	rows, err = t.query(ctx, `SELECT interview_id, question_id, `+evidenceCols+`
		FROM interview_evidence WHERE assessment_id = ? ORDER BY interview_id, id`, aid)
	if err != nil {
		return err
	}
	for rows.Next() {
		var idText string
		var ev assess.InterviewEvidence
		ev.Evidence, err = scanEvidence(rows, &idText, &ev.QuestionID)
		if err != nil {
			rows.Close()
			return err
		}
		id, _ := strconv.ParseInt(idText, 10, 64)
		if iv := byID[id]; iv != nil {
			iv.Evidence = append(iv.Evidence, ev)
		}
	}
	return closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	return errors.Join(err, rows.Close())
}

func (s *Store) interviewBy(ctx context.Context, column, hash string) (assess.Interview, error) {
	if hash == "" {
		return assess.Interview{}, assess.Errorf(assess.KindNotFound, "interview not found")
	}
	var iv assess.Interview
	err := s.read(ctx, func(t *Store) error {
		var err error
		iv, err = scanInterview(t.queryRow(ctx, `SELECT `+interviewCols+` FROM interviews WHERE `+column+` = ?`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			return assess.Errorf(assess.KindNotFound, "interview not found")
		}
		if err != nil {
			return err
		}
		return t.fillInterviews(ctx, iv.AssessmentID, []*assess.Interview{&iv})
	})
	return iv, err
}

func (s *Store) InterviewByToken(ctx context.Context, tokenHash string) (assess.Interview, error) {
	return s.interviewBy(ctx, "token_hash", tokenHash)
}

func (s *Store) InterviewBySession(ctx context.Context, sessionHash string) (assess.Interview, error) {
	return s.interviewBy(ctx, "session_hash", sessionHash)
}

// bumpInterview raises an interview's revision, if it is base (any when
// base is 0), and returns the new one.
func (t *Store) bumpInterview(ctx context.Context, aid string, id int64, base int) (int, error) {
	var rev int
	err := t.queryRow(ctx, `UPDATE interviews SET revision = revision + 1, updated_at = ?
		WHERE assessment_id = ? AND id = ? AND (? = 0 OR revision = ?) RETURNING revision`,
		micros(t.now()), aid, id, base, base).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		var cur int
		if err := t.queryRow(ctx, `SELECT revision FROM interviews WHERE assessment_id = ? AND id = ?`, aid, id).Scan(&cur); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return 0, interviewNotFound(aid, id)
			}
			return 0, err
		}
		return 0, assess.Errorf(assess.KindConflict,
			"interview %d was changed by someone else since you opened it (revision %d, now %d): reload it and make your change again", id, base, cur)
	}
	return rev, err
}

func (s *Store) UpdateInterview(ctx context.Context, iv assess.Interview, base int) (assess.Interview, error) {
	var out assess.Interview
	err := s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, iv.AssessmentID); err != nil {
			return err
		}
		rev, err := t.bumpInterview(ctx, iv.AssessmentID, iv.ID, base)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE interviews SET name = ?, email = ?, department = ?, due = ?, state = ?, confirm_email = ?,
			token_hash = ?, token_expires = ?, session_hash = ?, sent_at = ?, submitted_at = ?
			WHERE assessment_id = ? AND id = ?`,
			iv.Name, iv.Email, iv.Department, iv.Due.String(), iv.State, iv.ConfirmEmail, iv.TokenHash, micros(iv.TokenExpires),
			iv.SessionHash, micros(iv.SentAt), micros(iv.SubmittedAt), iv.AssessmentID, iv.ID)
		if err != nil {
			return err
		}
		if err := t.writeInterviewItems(ctx, iv); err != nil {
			return err
		}
		if err := t.touch(ctx, iv.AssessmentID, t.now()); err != nil {
			return err
		}
		out, err = t.Interview(ctx, iv.AssessmentID, iv.ID)
		if err == nil && out.Revision != rev {
			err = fmt.Errorf("interview %d: revision %d after the update, want %d", iv.ID, out.Revision, rev)
		}
		return err
	})
	return out, err
}

// answerSummary is how the history shows an answer.
func answerSummary(id int64, a assess.InterviewAnswer) string {
	if a.Kind == "" && a.Comment == "" {
		return ""
	}
	s := "interview " + strconv.FormatInt(id, 10) + ", " + a.QuestionID + ": " + a.Kind
	if a.Comment != "" {
		s += " — " + a.Comment
	}
	return s
}

func (s *Store) PutInterviewAnswer(ctx context.Context, aid string, id int64, a assess.InterviewAnswer, base int) (assess.InterviewAnswer, error) {
	err := s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		if _, err := t.bumpInterview(ctx, aid, id, 0); err != nil {
			return err
		}
		var old assess.InterviewAnswer
		var at int64
		err := t.queryRow(ctx, `SELECT question_id, ref, kind, comment, answered_by, answered_at, revision FROM interview_answers
			WHERE assessment_id = ? AND interview_id = ? AND question_id = ?`, aid, id, a.QuestionID).
			Scan(&old.QuestionID, &old.Ref, &old.Kind, &old.Comment, &old.By, &at, &old.Revision)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		}
		old.At = fromMicros(at)
		if old.Revision != base {
			who := old.By
			if who == "" {
				who = "someone"
			}
			return assess.Errorf(assess.KindConflict,
				"question %s was answered meanwhile by %s (%s, revision %d; you saw revision %d): reload it and answer again",
				a.QuestionID, who, answerSummary(id, old), old.Revision, base)
		}
		now := t.now()
		a.Revision, a.At = base+1, now
		if base == 0 {
			err = t.insertAnswer(ctx, aid, id, a)
		} else {
			_, err = t.exec(ctx, `UPDATE interview_answers SET kind = ?, comment = ?, answered_by = ?, answered_at = ?, revision = ?
				WHERE assessment_id = ? AND interview_id = ? AND question_id = ?`,
				a.Kind, a.Comment, a.By, micros(a.At), a.Revision, aid, id, a.QuestionID)
		}
		if err != nil {
			return err
		}
		var version int
		if err := t.queryRow(ctx, `SELECT version FROM items WHERE assessment_id = ? AND ref = ?`, aid, a.Ref).Scan(&version); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("item", a.Ref)
			}
			return err
		}
		// The answer shows in the item's history under the person's name;
		// it does not change the item, so its version stays.
		if err := t.insertChange(ctx, assess.Change{AssessmentID: aid, Ref: a.Ref, Field: "interview",
			Old: answerSummary(id, old), New: answerSummary(id, a), Actor: a.By, At: now, Version: version}); err != nil {
			return err
		}
		return t.touch(ctx, aid, now)
	})
	return a, err
}

func (s *Store) AddInterviewNote(ctx context.Context, aid string, id int64, n assess.InterviewNote) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		if _, err := t.bumpInterview(ctx, aid, id, 0); err != nil {
			return err
		}
		if n.At.IsZero() {
			n.At = t.now()
		}
		return t.insertNote(ctx, aid, id, n)
	})
}

func (s *Store) AddInterviewEvidence(ctx context.Context, aid string, id int64, ev assess.InterviewEvidence, content []byte) (assess.InterviewEvidence, error) {
	err := s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		if _, err := t.bumpInterview(ctx, aid, id, 0); err != nil {
			return err
		}
		var err error
		if ev.ID, err = t.nextEvidenceID(ctx, aid); err != nil {
			return err
		}
		if ev.AddedAt.IsZero() {
			ev.AddedAt = t.now()
		}
		return t.insertInterviewEvidence(ctx, aid, id, ev, content)
	})
	return ev, err
}

func (s *Store) InterviewEvidenceContent(ctx context.Context, aid string, id, evID int64) (assess.InterviewEvidence, []byte, error) {
	var ev assess.InterviewEvidence
	var content []byte
	err := s.read(ctx, func(t *Store) error {
		var a, ref string
		var err error
		ev.Evidence, err = scanEvidence(t.queryRow(ctx, `SELECT assessment_id, question_id, `+evidenceCols+`
			FROM interview_evidence WHERE assessment_id = ? AND interview_id = ? AND id = ?`, aid, id, evID), &a, &ref)
		if errors.Is(err, sql.ErrNoRows) {
			return assess.Errorf(assess.KindNotFound, "evidence %d of interview %d not found", evID, id)
		}
		if err != nil {
			return err
		}
		ev.QuestionID = ref
		err = t.queryRow(ctx, `SELECT content FROM interview_evidence_files WHERE assessment_id = ? AND id = ?`, aid, evID).Scan(&content)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return ev, content, err
}
