package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

const itemCols = `ref, score, applicable, justification, inclusion, inclusion_note, department, owner, priority,
	target_date, action, effort_days, notes, version, updated_at, updated_by`

func itemArgs(it assess.Item) []any {
	var effort any
	if it.EffortDays != nil {
		effort = *it.EffortDays
	}
	return []any{it.Ref, int(it.Score), it.Applicable, it.Justification, strings.Join(it.Inclusion, ";"), it.InclusionNote,
		it.Department, it.Owner, string(it.Priority), it.TargetDate.String(), it.Action, effort, it.Notes,
		it.Version, micros(it.UpdatedAt), it.UpdatedBy}
}

func scanItem(r scanner, aid *string) (assess.Item, error) {
	var it assess.Item
	var score int
	var inclusion, priority, target string
	var effort sql.NullFloat64
	var updated int64
	dest := []any{&it.Ref, &score, &it.Applicable, &it.Justification, &inclusion, &it.InclusionNote,
		&it.Department, &it.Owner, &priority, &target, &it.Action, &effort, &it.Notes, &it.Version, &updated, &it.UpdatedBy}
	if aid != nil {
		dest = append([]any{aid}, dest...)
	}
	if err := r.Scan(dest...); err != nil {
		return it, err
	}
	it.Score = assess.Score(score)
	if inclusion != "" {
		it.Inclusion = strings.Split(inclusion, ";")
	}
	it.Priority = assess.Priority(priority)
	var err error
	if it.TargetDate, err = assess.ParseDate(target); err != nil {
		return it, fmt.Errorf("item %s: stored target date %q: %w", it.Ref, target, err)
	}
	if effort.Valid {
		it.EffortDays = &effort.Float64
	}
	it.UpdatedAt = fromMicros(updated)
	return it, nil
}

func (t *Store) insertItem(ctx context.Context, aid string, seq int, it assess.Item) error {
	_, err := t.exec(ctx, `INSERT INTO items (assessment_id, seq, `+itemCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{aid, seq}, itemArgs(it)...)...)
	return err
}

func (s *Store) ListItems(ctx context.Context, aid string) ([]assess.Item, error) {
	m, err := s.ListItemsOf(ctx, []string{aid})
	if err != nil {
		return nil, err
	}
	items, ok := m[aid]
	if !ok {
		if _, err := s.GetAssessment(ctx, aid); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// inList returns "(?, ?, …)" and the arguments for an IN clause.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}

// chunk bounds the number of parameters of one statement.
const chunk = 500

func (s *Store) ListItemsOf(ctx context.Context, ids []string) (map[string][]assess.Item, error) {
	out := make(map[string][]assess.Item, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		if err := s.listItemsOf(ctx, part, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) listItemsOf(ctx context.Context, ids []string, out map[string][]assess.Item) error {
	in, args := inList(ids)
	rows, err := s.query(ctx, `SELECT assessment_id, `+itemCols+` FROM items WHERE assessment_id IN `+in+` ORDER BY assessment_id, seq`, args...)
	if err != nil {
		return err
	}
	index := map[string]map[string]int{}
	for rows.Next() {
		var aid string
		it, err := scanItem(rows, &aid)
		if err != nil {
			rows.Close()
			return err
		}
		if index[aid] == nil {
			index[aid] = map[string]int{}
		}
		index[aid][it.Ref] = len(out[aid])
		out[aid] = append(out[aid], it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	evs, err := s.query(ctx, `SELECT assessment_id, ref, `+evidenceCols+` FROM evidence WHERE assessment_id IN `+in+` ORDER BY assessment_id, id`, args...)
	if err != nil {
		return err
	}
	defer evs.Close()
	for evs.Next() {
		var aid, ref string
		ev, err := scanEvidence(evs, &aid, &ref)
		if err != nil {
			return err
		}
		if i, ok := index[aid][ref]; ok {
			out[aid][i].Evidence = append(out[aid][i].Evidence, ev)
		}
	}
	return evs.Err()
}

func (s *Store) ScoresOf(ctx context.Context, ids []string) (map[string][]assess.Item, error) {
	out := make(map[string][]assess.Item, len(ids))
	for start := 0; start < len(ids); start += chunk {
		in, args := inList(ids[start:min(start+chunk, len(ids))])
		rows, err := s.query(ctx, `SELECT i.assessment_id, i.ref, i.score, i.applicable, i.justification,
			EXISTS (SELECT 1 FROM evidence e WHERE e.assessment_id = i.assessment_id AND e.ref = i.ref)
			FROM items i WHERE i.assessment_id IN `+in+` ORDER BY i.assessment_id, i.seq`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var aid string
			var it assess.Item
			var score int
			var hasEvidence bool
			if err := rows.Scan(&aid, &it.Ref, &score, &it.Applicable, &it.Justification, &hasEvidence); err != nil {
				rows.Close()
				return nil, err
			}
			it.Score = assess.Score(score)
			if hasEvidence {
				it.Evidence = []assess.Evidence{{}}
			}
			out[aid] = append(out[aid], it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) GetItem(ctx context.Context, aid, ref string) (assess.Item, error) {
	it, err := scanItem(s.queryRow(ctx, `SELECT `+itemCols+` FROM items WHERE assessment_id = ? AND ref = ?`, aid, ref), nil)
	if errors.Is(err, sql.ErrNoRows) {
		if _, aerr := s.GetAssessment(ctx, aid); aerr != nil {
			return it, aerr
		}
		return it, notFound("item", ref)
	}
	if err != nil {
		return it, err
	}
	it.Evidence, err = s.itemEvidence(ctx, aid, ref)
	return it, err
}

// itemEvidence lists an item's evidence, oldest first.
func (s *Store) itemEvidence(ctx context.Context, aid, ref string) ([]assess.Evidence, error) {
	rows, err := s.query(ctx, `SELECT `+evidenceCols+` FROM evidence WHERE assessment_id = ? AND ref = ? ORDER BY id`, aid, ref)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.Evidence
	for rows.Next() {
		ev, err := scanEvidence(rows, nil, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

func (s *Store) UpdateItem(ctx context.Context, aid string, it assess.Item, baseVersion int, actor string, changes []assess.Change) (assess.Item, error) {
	var out assess.Item
	err := s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		now := t.now()
		it.Version, it.UpdatedAt, it.UpdatedBy = baseVersion+1, now, actor
		// The row comes back as stored (RETURNING), not read again; the
		// evidence is the caller's (see store.AssessmentStore.UpdateItem).
		stored, err := scanItem(t.queryRowTx(ctx, `UPDATE items SET score = ?, applicable = ?, justification = ?, inclusion = ?, inclusion_note = ?,
			department = ?, owner = ?, priority = ?, target_date = ?, action = ?, effort_days = ?, notes = ?,
			version = ?, updated_at = ?, updated_by = ?
			WHERE assessment_id = ? AND ref = ? AND version = ? RETURNING `+itemCols,
			append(itemArgs(it)[1:], aid, it.Ref, baseVersion)...), nil)
		if errors.Is(err, sql.ErrNoRows) {
			cur, err := t.GetItem(ctx, aid, it.Ref)
			if err != nil {
				return err
			}
			return &assess.ConflictError{Ref: it.Ref, Current: cur, Attempted: it, BaseVersion: baseVersion}
		}
		if err != nil {
			return err
		}
		if err := t.recordChanges(ctx, aid, it.Ref, it.Version, actor, now, changes); err != nil {
			return err
		}
		if err := t.touch(ctx, aid, now); err != nil {
			return err
		}
		stored.Evidence = it.Evidence
		out = stored
		return nil
	})
	return out, err
}

func (t *Store) recordChanges(ctx context.Context, aid, ref string, version int, actor string, at time.Time, changes []assess.Change) error {
	for _, c := range changes {
		c.AssessmentID, c.Ref, c.Version, c.Actor, c.At = aid, ref, version, actor, at
		if err := t.insertChange(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// touch records that something in an assessment changed.
func (t *Store) touch(ctx context.Context, aid string, now time.Time) error {
	delete(t.headers, aid)
	_, err := t.exec(ctx, `UPDATE assessments SET updated_at = ? WHERE id = ? AND updated_at < ?`, micros(now), aid, micros(now))
	return err
}

const historyCols = `assessment_id, ref, field, old_value, new_value, actor, at, version`

func changeArgs(c assess.Change) []any {
	return []any{c.AssessmentID, c.Ref, c.Field, c.Old, c.New, c.Actor, micros(c.At), c.Version}
}

func (t *Store) insertChange(ctx context.Context, c assess.Change) error {
	_, err := t.exec(ctx, `INSERT INTO history (`+historyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, changeArgs(c)...)
	return err
}

// bumpItem raises an item's version after an evidence change, whatever it was.
func (t *Store) bumpItem(ctx context.Context, aid, ref, actor string, now time.Time) (int, error) {
	var v int
	err := t.queryRow(ctx, `UPDATE items SET version = version + 1, updated_at = ?, updated_by = ?
		WHERE assessment_id = ? AND ref = ? RETURNING version`, micros(now), actor, aid, ref).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		if _, aerr := t.GetAssessment(ctx, aid); aerr != nil {
			return 0, aerr
		}
		return 0, notFound("item", ref)
	}
	return v, err
}

func (s *Store) History(ctx context.Context, aid string, q store.HistoryQuery) ([]assess.Change, error) {
	where := `assessment_id = ?`
	args := []any{aid}
	if q.Ref != "" {
		where += ` AND ref = ?`
		args = append(args, q.Ref)
	}
	if !q.Since.IsZero() {
		where += ` AND at >= ?`
		args = append(args, micros(q.Since))
	}
	if q.AfterID > 0 {
		where += ` AND id > ?`
		args = append(args, q.AfterID)
	}
	if q.BeforeID > 0 {
		where += ` AND id < ?`
		args = append(args, q.BeforeID)
	}
	query := `SELECT id, assessment_id, ref, field, old_value, new_value, actor, at, version FROM history WHERE ` + where + ` ORDER BY id`
	switch {
	case q.Limit > 0 && q.Oldest:
		query += ` LIMIT ` + strconv.Itoa(q.Limit)
	case q.Limit > 0:
		query = `SELECT * FROM (SELECT id, assessment_id, ref, field, old_value, new_value, actor, at, version FROM history WHERE ` +
			where + ` ORDER BY id DESC LIMIT ` + strconv.Itoa(q.Limit) + `) AS newest ORDER BY id`
	}
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.Change
	for rows.Next() {
		var c assess.Change
		var at int64
		if err := rows.Scan(&c.ID, &c.AssessmentID, &c.Ref, &c.Field, &c.Old, &c.New, &c.Actor, &at, &c.Version); err != nil {
			return nil, err
		}
		c.At = fromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
