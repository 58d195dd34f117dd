package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

func (s *Store) PlanSettings(ctx context.Context, aid string) (store.PlanSettings, error) {
	ps := store.PlanSettings{AssessmentID: aid, Values: map[string]string{}}
	var settings string
	var updated int64
	err := s.queryRow(ctx, `SELECT settings, version, updated_at, updated_by FROM plans WHERE assessment_id = ?`, aid).
		Scan(&settings, &ps.Version, &updated, &ps.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.GetAssessment(ctx, aid); err != nil {
			return ps, err
		}
		return ps, nil
	}
	if err != nil {
		return ps, err
	}
	ps.UpdatedAt = fromMicros(updated)
	if err := json.Unmarshal([]byte(settings), &ps.Values); err != nil {
		return ps, fmt.Errorf("plan settings of %s: stored JSON: %w", aid, err)
	}
	return ps, nil
}

func (s *Store) PutPlanSettings(ctx context.Context, aid string, values map[string]string, baseVersion int, actor string, changes []assess.Change) (store.PlanSettings, error) {
	var out store.PlanSettings
	err := s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		cur, err := t.PlanSettings(ctx, aid)
		if err != nil {
			return err
		}
		if cur.Version != baseVersion {
			return assess.Errorf(assess.KindConflict,
				"the assumptions of %s were changed to version %d (by %s) since version %d that this edit was based on; reload and apply the edit again",
				aid, cur.Version, cur.UpdatedBy, baseVersion)
		}
		now := t.now()
		if values == nil {
			values = map[string]string{}
		}
		out = store.PlanSettings{AssessmentID: aid, Values: values, Version: baseVersion + 1, UpdatedAt: now, UpdatedBy: actor}
		if baseVersion == 0 {
			_, err = t.exec(ctx, `INSERT INTO plans (assessment_id, settings, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)`,
				aid, mustJSON(values), out.Version, micros(now), actor)
		} else {
			_, err = t.exec(ctx, `UPDATE plans SET settings = ?, version = ?, updated_at = ?, updated_by = ? WHERE assessment_id = ?`,
				mustJSON(values), out.Version, micros(now), actor, aid)
		}
		if err != nil {
			return err
		}
		for _, c := range changes {
			c.AssessmentID, c.Ref, c.Actor, c.At, c.Version = aid, "", actor, now, out.Version
			if err := t.insertChange(ctx, c); err != nil {
				return err
			}
		}
		return t.touch(ctx, aid, now)
	})
	return out, err
}

type snapshotContent struct {
	Assessment assess.Assessment `json:"assessment"`
	Items      []assess.Item     `json:"items"`
}

func (s *Store) CreateSnapshot(ctx context.Context, snap store.Snapshot) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, snap.AssessmentID); err != nil {
			return err
		}
		if _, err := t.GetAssessment(ctx, snap.AssessmentID); err != nil {
			return err
		}
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM snapshots WHERE assessment_id = ? AND name = ?`, snap.AssessmentID, snap.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return assess.Errorf(assess.KindConflict, "assessment %s already has a snapshot named %q: choose another name", snap.AssessmentID, snap.Name)
		}
		return t.insertSnapshot(ctx, snap)
	})
}

func (t *Store) insertSnapshot(ctx context.Context, snap store.Snapshot) error {
	_, err := t.exec(ctx, `INSERT INTO snapshots (assessment_id, name, content, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		snap.AssessmentID, snap.Name, mustJSON(snapshotContent{snap.Assessment, orEmpty(snap.Items)}), micros(snap.CreatedAt), snap.CreatedBy)
	return err
}

// insertPlan writes stored settings as they are (a load, not an edit).
func (t *Store) insertPlan(ctx context.Context, ps store.PlanSettings) error {
	_, err := t.exec(ctx, `INSERT INTO plans (assessment_id, settings, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)`,
		ps.AssessmentID, mustJSON(ps.Values), ps.Version, micros(ps.UpdatedAt), ps.UpdatedBy)
	return err
}

const snapshotCols = `assessment_id, name, content, created_at, created_by`

func scanSnapshot(r scanner) (store.Snapshot, error) {
	var snap store.Snapshot
	var content string
	var created int64
	if err := r.Scan(&snap.AssessmentID, &snap.Name, &content, &created, &snap.CreatedBy); err != nil {
		return snap, err
	}
	snap.CreatedAt = fromMicros(created)
	var c snapshotContent
	if err := json.Unmarshal([]byte(content), &c); err != nil {
		return snap, fmt.Errorf("snapshot %q of %s: stored JSON: %w", snap.Name, snap.AssessmentID, err)
	}
	snap.Assessment, snap.Items = c.Assessment, c.Items
	return snap, nil
}

func (s *Store) Snapshot(ctx context.Context, aid, name string) (store.Snapshot, error) {
	snap, err := scanSnapshot(s.queryRow(ctx, `SELECT `+snapshotCols+` FROM snapshots WHERE assessment_id = ? AND name = ?`, aid, name))
	if errors.Is(err, sql.ErrNoRows) {
		if _, aerr := s.GetAssessment(ctx, aid); aerr != nil {
			return snap, aerr
		}
		return snap, notFound("snapshot", aid+"@"+name)
	}
	return snap, err
}

func (s *Store) Snapshots(ctx context.Context, aid string) ([]store.Snapshot, error) {
	if _, err := s.GetAssessment(ctx, aid); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT `+snapshotCols+` FROM snapshots WHERE assessment_id = ? ORDER BY created_at, name`, aid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Snapshot
	for rows.Next() {
		snap, err := scanSnapshot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, snap)
	}
	return out, rows.Err()
}

func (s *Store) DeleteSnapshot(ctx context.Context, aid, name string) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		res, err := t.exec(ctx, `DELETE FROM snapshots WHERE assessment_id = ? AND name = ?`, aid, name)
		return affected(res, err, "snapshot", aid+"@"+name)
	})
}
