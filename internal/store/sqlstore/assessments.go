package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// Times are kept as microseconds since the Unix epoch in both engines: exact,
// portable and ordered.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (s *Store) PutCatalog(ctx context.Context, id, version string, content []byte) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `INSERT INTO catalogs (id, version, content, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id, version) DO NOTHING`,
			id, version, string(content), micros(t.now()))
		return err
	})
}

func (s *Store) GetCatalog(ctx context.Context, id, version string) ([]byte, error) {
	var content string
	err := s.queryRow(ctx, `SELECT content FROM catalogs WHERE id = ? AND version = ?`, id, version).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("catalog", id+" version "+version)
	}
	return []byte(content), err
}

func (s *Store) Catalogs(ctx context.Context) ([]store.CatalogFile, error) {
	rows, err := s.query(ctx, `SELECT id, version, content FROM catalogs ORDER BY id, created_at, version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CatalogFile
	for rows.Next() {
		var c store.CatalogFile
		var content string
		if err := rows.Scan(&c.ID, &c.Version, &content); err != nil {
			return nil, err
		}
		c.Content = []byte(content)
		out = append(out, c)
	}
	return out, rows.Err()
}

const assessmentCols = `id, org, scope, boundaries, interfaces, exclusions, stakeholders, target_score,
	employees, lead_name, catalog_id, catalog_version, version, created_at, updated_at`

func assessmentArgs(a assess.Assessment) []any {
	return []any{a.ID, a.Org, a.Scope, mustJSON(a.Boundaries), a.Interfaces, mustJSON(orEmpty(a.Exclusions)),
		mustJSON(orEmpty(a.Stakeholders)), a.TargetScore, a.Employees, a.Lead, a.CatalogID, a.CatalogVersion,
		a.Version, micros(a.CreatedAt), micros(a.UpdatedAt)}
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

type scanner interface{ Scan(dest ...any) error }

// rowWith scans a row whose last columns, after those a scan function
// asks for, go to tail: one row read by two scan functions, or one with a
// column more.
type rowWith struct {
	row  scanner
	tail []any
}

func (r rowWith) Scan(dest ...any) error { return r.row.Scan(append(dest, r.tail...)...) }

func scanAssessment(r scanner) (assess.Assessment, error) {
	var a assess.Assessment
	var bounds, excl, stake string
	var created, updated int64
	err := r.Scan(&a.ID, &a.Org, &a.Scope, &bounds, &a.Interfaces, &excl, &stake, &a.TargetScore,
		&a.Employees, &a.Lead, &a.CatalogID, &a.CatalogVersion, &a.Version, &created, &updated)
	if err != nil {
		return a, err
	}
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := errors.Join(json.Unmarshal([]byte(bounds), &a.Boundaries), json.Unmarshal([]byte(excl), &a.Exclusions),
		json.Unmarshal([]byte(stake), &a.Stakeholders)); err != nil {
		return a, fmt.Errorf("assessment %s: stored JSON: %w", a.ID, err)
	}
	return a, nil
}

func (s *Store) CreateAssessment(ctx context.Context, a assess.Assessment, items []assess.Item) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.insertAssessment(ctx, a); err != nil {
			return err
		}
		for i, it := range items {
			if err := t.insertItem(ctx, a.ID, i, it); err != nil {
				return err
			}
		}
		return nil
	})
}

const insertAssessmentSQL = `INSERT INTO assessments (` + assessmentCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (t *Store) insertAssessment(ctx context.Context, a assess.Assessment) error {
	if err := t.absent(ctx, a.ID); err != nil {
		return err
	}
	_, err := t.exec(ctx, insertAssessmentSQL, assessmentArgs(a)...)
	return err
}

// absent fails with kind Conflict if the assessment exists.
func (t *Store) absent(ctx context.Context, id string) error {
	var exists int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM assessments WHERE id = ?`, id).Scan(&exists); err != nil {
		return err
	}
	if exists > 0 {
		return assess.Errorf(assess.KindConflict, "assessment %q already exists", id)
	}
	return nil
}

func (s *Store) GetAssessment(ctx context.Context, id string) (assess.Assessment, error) {
	if a, ok := s.headers[id]; ok {
		return cloneAssessment(a), nil
	}
	a, err := scanAssessment(s.queryRow(ctx, `SELECT `+assessmentCols+` FROM assessments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("assessment", id)
	}
	return a, err
}

func (s *Store) Revision(ctx context.Context, id string) (int64, error) {
	if rev, ok := s.locked[id]; ok {
		// Locked in this transaction: the lock raised it and read it, and
		// nobody else can change it before this transaction ends.
		return rev, nil
	}
	var rev int64
	err := s.queryRow(ctx, `SELECT revision FROM assessments WHERE id = ?`, id).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("assessment", id)
	}
	return rev, err
}

func (s *Store) ListAssessments(ctx context.Context) ([]assess.Assessment, error) {
	rows, err := s.query(ctx, `SELECT `+assessmentCols+` FROM assessments ORDER BY org, created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.Assessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Store) UpdateAssessment(ctx context.Context, a assess.Assessment, baseVersion int, actor string, changes []assess.Change) (assess.Assessment, error) {
	var out assess.Assessment
	err := s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, a.ID); err != nil {
			return err
		}
		delete(t.headers, a.ID)
		now := t.now()
		a.Version = baseVersion + 1
		a.UpdatedAt = now
		res, err := t.exec(ctx, `UPDATE assessments SET org = ?, scope = ?, boundaries = ?, interfaces = ?, exclusions = ?,
			stakeholders = ?, target_score = ?, employees = ?, lead_name = ?, version = ?, updated_at = ?
			WHERE id = ? AND version = ?`,
			a.Org, a.Scope, mustJSON(a.Boundaries), a.Interfaces, mustJSON(orEmpty(a.Exclusions)), mustJSON(orEmpty(a.Stakeholders)),
			a.TargetScore, a.Employees, a.Lead, a.Version, micros(now), a.ID, baseVersion)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			cur, err := t.GetAssessment(ctx, a.ID)
			if err != nil {
				return err
			}
			return assess.Errorf(assess.KindConflict,
				"assessment %s was changed to version %d since version %d that this edit was based on; reload and apply the edit again",
				a.ID, cur.Version, baseVersion)
		}
		for _, c := range changes {
			c.AssessmentID, c.Ref, c.Actor, c.At, c.Version = a.ID, "", actor, now, a.Version
			if err := t.insertChange(ctx, c); err != nil {
				return err
			}
		}
		out = a
		return nil
	})
	return out, err
}

func (s *Store) DeleteAssessment(ctx context.Context, id string) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, id); err != nil {
			return err
		}
		// Children first: the engines need not agree on cascading order.
		for _, table := range []string{"assessment_summaries", "memberships", "interview_evidence_files", "interview_evidence", "interview_notes",
			"interview_answers", "interview_items", "interviews", "evidence_files", "evidence", "history", "items"} {
			if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE assessment_id = ?`, id); err != nil {
				return err
			}
		}
		delete(t.locked, id)
		delete(t.headers, id)
		_, err := t.exec(ctx, `DELETE FROM assessments WHERE id = ?`, id)
		return err
	})
}

// cloneAssessment copies a header with its lists, so a caller that changes
// what it got changes nothing kept.
func cloneAssessment(a assess.Assessment) assess.Assessment {
	b := &a.Boundaries
	b.Units, b.Locations, b.Services, b.Systems = slices.Clone(b.Units), slices.Clone(b.Locations), slices.Clone(b.Services), slices.Clone(b.Systems)
	a.Exclusions, a.Stakeholders = slices.Clone(a.Exclusions), slices.Clone(a.Stakeholders)
	return a
}
