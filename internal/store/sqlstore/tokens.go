package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

const tokenCols = `t.id, t.user_id, t.name, t.prefix, t.token_hash, t.read_only, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(r scanner, extra ...any) (assess.APIToken, error) {
	var t assess.APIToken
	var created, expires, used, revoked int64
	err := r.Scan(append([]any{&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.TokenHash, &t.ReadOnly, &created, &expires, &used, &revoked}, extra...)...)
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromMicros(created), fromMicros(expires), fromMicros(used), fromMicros(revoked)
	return t, err
}

func (s *Store) CreateToken(ctx context.Context, tok assess.APIToken) (assess.APIToken, error) {
	err := s.write(ctx, func(t *Store) error {
		return t.queryRowTx(ctx, `INSERT INTO api_tokens (user_id, name, prefix, token_hash, read_only, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, tok.UserID, tok.Name, tok.Prefix, tok.TokenHash, tok.ReadOnly,
			micros(tok.CreatedAt), micros(tok.ExpiresAt)).Scan(&tok.ID)
	})
	return tok, err
}

func (s *Store) Tokens(ctx context.Context, userID int64) ([]assess.APIToken, error) {
	rows, err := s.query(ctx, `SELECT `+tokenCols+` FROM api_tokens t WHERE t.user_id = ? ORDER BY t.created_at DESC, t.id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Store) TokenByHash(ctx context.Context, hash string) (assess.APIToken, assess.User, error) {
	var u assess.User
	var ucreated int64
	tok, err := scanToken(s.queryRow(ctx, `SELECT `+tokenCols+`, u.id, u.login, u.name, u.email, u.admin, u.creates_assessments, u.disabled, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash),
		&u.ID, &u.Login, &u.Name, &u.Email, &u.Admin, &u.CreatesAssessments, &u.Disabled, &ucreated)
	if errors.Is(err, sql.ErrNoRows) {
		return tok, u, assess.Errorf(assess.KindUnauthenticated, "no such access token")
	}
	u.CreatedAt = fromMicros(ucreated)
	return tok, u, err
}

func (s *Store) RevokeToken(ctx context.Context, userID, id int64, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE api_tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END
			WHERE id = ? AND user_id = ?`, micros(at), id, userID)
		return affected(res, err, "access token", strconv.FormatInt(id, 10))
	})
}

func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?`, micros(at), id, micros(at))
		return err
	})
}
