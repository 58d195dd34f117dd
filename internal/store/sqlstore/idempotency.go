package sqlstore

import (
	"context"
	"time"

	"github.com/isogap/isogap/internal/store"
)

func (s *Store) ClaimIdempotencyKey(ctx context.Context, rec store.IdempotencyRecord, since time.Time) (store.IdempotencyRecord, bool, error) {
	claimed := false
	err := s.write(ctx, func(t *Store) error {
		if _, err := t.exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND created_at < ?`, rec.UserID, micros(since)); err != nil {
			return err
		}
		res, err := t.exec(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, location, created_at)
			VALUES (?, ?, ?, 0, ?, '', ?) ON CONFLICT (user_id, key) DO NOTHING`, rec.UserID, rec.Key, rec.RequestHash, []byte{}, micros(rec.CreatedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claimed = true
			return nil
		}
		var created int64
		err = t.queryRowTx(ctx, `SELECT request_hash, status, body, location, created_at FROM idempotency_keys WHERE user_id = ? AND key = ?`,
			rec.UserID, rec.Key).Scan(&rec.RequestHash, &rec.Status, &rec.Body, &rec.Location, &created)
		rec.CreatedAt = fromMicros(created)
		return err
	})
	return rec, claimed, err
}

func (s *Store) FinishIdempotencyKey(ctx context.Context, rec store.IdempotencyRecord) error {
	if rec.Body == nil {
		rec.Body = []byte{} // an answer without a body; a nil slice would be NULL
	}
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE idempotency_keys SET status = ?, body = ?, location = ? WHERE user_id = ? AND key = ?`,
			rec.Status, rec.Body, rec.Location, rec.UserID, rec.Key)
		return affected(res, err, "idempotency key", rec.Key)
	})
}

func (s *Store) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND status = 0`, userID, key)
		return err
	})
}
