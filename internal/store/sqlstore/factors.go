package sqlstore

import (
	"context"
	"strconv"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

const factorCols = `id, user_id, kind, name, secret, credential_id, last_step, confirmed, created_at, last_used_at`

func (s *Store) AddFactor(ctx context.Context, f assess.Factor) (assess.Factor, error) {
	err := s.write(ctx, func(t *Store) error {
		return t.queryRowTx(ctx, `INSERT INTO mfa_factors (user_id, kind, name, secret, credential_id, last_step, confirmed, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.UserID, f.Kind, f.Name, f.Secret, f.CredentialID, f.LastStep, f.Confirmed,
			micros(f.CreatedAt)).Scan(&f.ID)
	})
	return f, err
}

func (s *Store) Factors(ctx context.Context, userID int64) ([]assess.Factor, error) {
	rows, err := s.query(ctx, `SELECT `+factorCols+` FROM mfa_factors WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.Factor
	for rows.Next() {
		var f assess.Factor
		var created, used int64
		if err := rows.Scan(&f.ID, &f.UserID, &f.Kind, &f.Name, &f.Secret, &f.CredentialID, &f.LastStep, &f.Confirmed, &created, &used); err != nil {
			return nil, err
		}
		f.CreatedAt, f.LastUsedAt = fromMicros(created), fromMicros(used)
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *Store) ConfirmFactor(ctx context.Context, userID, id int64, name string, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE mfa_factors SET confirmed = ?, name = ?, last_used_at = ? WHERE id = ? AND user_id = ?`,
			true, name, micros(at), id, userID)
		return affected(res, err, "second factor", strconv.FormatInt(id, 10))
	})
}

func (s *Store) UseFactorStep(ctx context.Context, id, step int64, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE mfa_factors SET last_step = ?, last_used_at = ? WHERE id = ? AND last_step < ?`, step, micros(at), id, step)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return assess.Errorf(assess.KindUnauthenticated, "this code was already used: wait for the next one")
		}
		return nil
	})
}

func (s *Store) UpdateFactorSecret(ctx context.Context, id int64, secret string, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE mfa_factors SET secret = ?, last_used_at = ? WHERE id = ?`, secret, micros(at), id)
		return affected(res, err, "second factor", strconv.FormatInt(id, 10))
	})
}

func (s *Store) DeleteFactor(ctx context.Context, userID, id int64) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `DELETE FROM mfa_factors WHERE id = ? AND user_id = ?`, id, userID)
		return affected(res, err, "second factor", strconv.FormatInt(id, 10))
	})
}

func (s *Store) DeleteFactors(ctx context.Context, userID int64) error {
	return s.write(ctx, func(t *Store) error {
		if _, err := t.exec(ctx, `DELETE FROM mfa_factors WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID)
		return err
	})
}

func (s *Store) FactorCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := s.query(ctx, `SELECT user_id, COUNT(*) FROM mfa_factors WHERE confirmed = ? GROUP BY user_id`, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

func (s *Store) SetRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	return s.write(ctx, func(t *Store) error {
		if _, err := t.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := t.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at = 0`, micros(at), userID, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return assess.Errorf(assess.KindUnauthenticated, "wrong or already used recovery code")
		}
		return nil
	})
}

func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at = 0`, userID).Scan(&n)
	return n, err
}
