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

// itemWithEvidence reads an item and its evidence in one query: a row per
// piece of evidence, oldest first, or one row without when it has none
// (the last column tells which).
var itemWithEvidence = `SELECT ` + qualified("i", itemCols) + `, ` + evidenceOrZero + `, e.id IS NOT NULL
	FROM items i LEFT JOIN evidence e ON e.assessment_id = i.assessment_id AND e.ref = i.ref
	WHERE i.assessment_id = ? AND i.ref = ? ORDER BY e.id`

// itemAtRevision is itemWithEvidence with the assessment's revision as
// the last column, read by the same statement (so from the same snapshot).
var itemAtRevision = `SELECT ` + qualified("i", itemCols) + `, ` + evidenceOrZero + `, e.id IS NOT NULL, a.revision
	FROM items i JOIN assessments a ON a.id = i.assessment_id
	LEFT JOIN evidence e ON e.assessment_id = i.assessment_id AND e.ref = i.ref
	WHERE i.assessment_id = ? AND i.ref = ? ORDER BY e.id`

// evidenceOrZero are the evidenceCols of e, zero where a LEFT JOIN found none.
var evidenceOrZero = func() string {
	cols := columns(evidenceCols)
	for i, c := range cols {
		zero := "''"
		if c == "id" || c == "size" || c == "added_at" {
			zero = "0"
		}
		cols[i] = "COALESCE(e." + c + ", " + zero + ")"
	}
	return strings.Join(cols, ", ")
}()

func (s *Store) GetItem(ctx context.Context, aid, ref string) (assess.Item, error) {
	return s.getItem(ctx, aid, ref, nil)
}

func (s *Store) GetItemAt(ctx context.Context, aid, ref string) (assess.Item, int64, error) {
	var rev int64
	it, err := s.getItem(ctx, aid, ref, &rev)
	return it, rev, err
}

// getItem reads an item with its evidence and, if rev is not nil, the
// assessment's revision with it.
func (s *Store) getItem(ctx context.Context, aid, ref string, rev *int64) (assess.Item, error) {
	var it assess.Item
	q, tail := itemWithEvidence, []any(nil)
	if rev != nil {
		q, tail = itemAtRevision, []any{rev}
	}
	rows, err := s.query(ctx, q, aid, ref)
	if err != nil {
		return it, err
	}
	defer rows.Close()
	found := false
	var evidence []assess.Evidence
	for rows.Next() {
		var ev assess.Evidence
		var has bool
		dest, finish := evidenceDest(&ev)
		if it, err = scanItem(rowWith{rows, append(append(dest, &has), tail...)}, nil); err != nil {
			return it, err
		}
		found = true
		if has {
			finish()
			evidence = append(evidence, ev)
		}
	}
	if err := rows.Err(); err != nil {
		return it, err
	}
	if !found {
		rows.Close()
		if _, aerr := s.GetAssessment(ctx, aid); aerr != nil {
			return it, aerr
		}
		return it, notFound("item", ref)
	}
	it.Evidence = evidence
	return it, nil
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
		update := `UPDATE items SET score = ?, applicable = ?, justification = ?, inclusion = ?, inclusion_note = ?,
			department = ?, owner = ?, priority = ?, target_date = ?, action = ?, effort_days = ?, notes = ?,
			version = ?, updated_at = ?, updated_by = ?
			WHERE assessment_id = ? AND ref = ? AND version = ? RETURNING ` + itemCols
		args := append(itemArgs(it)[1:], aid, it.Ref, baseVersion)
		together := t.db.Dialect.WritingCTEs
		if together {
			// The update, its history and the touch in one statement; the
			// history and the touch only if the update found the version.
			update, args = updateItemTogether(update, args, aid, it.Ref, it.Version, actor, now, changes)
		}
		stored, err := scanItem(t.queryRowTx(ctx, update, args...), nil)
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
		if together {
			delete(t.headers, aid) // touched
		} else {
			if err := t.recordChanges(ctx, aid, it.Ref, it.Version, actor, now, changes); err != nil {
				return err
			}
			if err := t.touch(ctx, aid, now); err != nil {
				return err
			}
		}
		stored.Evidence = it.Evidence
		out = stored
		return nil
	})
	return out, err
}

// updateItemTogether wraps an item's UPDATE … RETURNING in a statement
// that also records its changes in the history and touches the assessment
// (what recordChanges and touch do), each only when the update changed a
// row: for an engine with WritingCTEs.
func updateItemTogether(update string, args []any, aid, ref string, version int, actor string, now time.Time, changes []assess.Change) (string, []any) {
	var q strings.Builder
	q.WriteString(`WITH u AS (` + update + `)`)
	if len(changes) > 0 {
		q.WriteString(`, h AS (INSERT INTO history (` + historyCols + `) `)
		for i, c := range changes {
			if i > 0 {
				q.WriteString(` UNION ALL `)
			}
			q.WriteString(`SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT) FROM u`)
			c.AssessmentID, c.Ref, c.Version, c.Actor, c.At = aid, ref, version, actor, now
			args = append(args, changeArgs(c)...)
		}
		q.WriteString(`)`)
	}
	q.WriteString(`, a AS (UPDATE assessments SET updated_at = CAST(? AS BIGINT) WHERE id = ? AND updated_at < CAST(? AS BIGINT) AND EXISTS (SELECT 1 FROM u))
		SELECT ` + itemCols + ` FROM u`)
	return q.String(), append(args, micros(now), aid, micros(now))
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
