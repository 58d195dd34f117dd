package sqlstore

import (
	"context"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.query(ctx, `SELECT key, value FROM site_settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

func (s *Store) PutSetting(ctx context.Context, key, value, by string, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `INSERT INTO site_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			key, value, micros(at), by)
		return err
	})
}

func (s *Store) AddSecurityEvent(ctx context.Context, e assess.SecurityEvent) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `INSERT INTO security_events (user_id, kind, detail, addr, at) VALUES (?, ?, ?, ?, ?)`,
			e.UserID, e.Kind, e.Detail, e.Addr, micros(e.At))
		return err
	})
}

func (s *Store) SecurityEvents(ctx context.Context, userID, beforeID int64, limit int) ([]assess.SecurityEvent, error) {
	if beforeID <= 0 {
		beforeID = 1 << 62
	}
	rows, err := s.query(ctx, `SELECT id, user_id, kind, detail, addr, at FROM security_events
		WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, userID, beforeID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.SecurityEvent
	for rows.Next() {
		var e assess.SecurityEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.UserID, &e.Kind, &e.Detail, &e.Addr, &at); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
