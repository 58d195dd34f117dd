package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

const userCols = `id, login, name, email, admin, creates_assessments, disabled, created_at`

func scanUser(r scanner, extra ...any) (assess.User, error) {
	var u assess.User
	var created int64
	if err := r.Scan(append([]any{&u.ID, &u.Login, &u.Name, &u.Email, &u.Admin, &u.CreatesAssessments, &u.Disabled, &created}, extra...)...); err != nil {
		return u, err
	}
	u.CreatedAt = fromMicros(created)
	return u, nil
}

func (s *Store) CreateUser(ctx context.Context, u assess.User, hash string, onlyIfNoUsers bool) (assess.User, error) {
	err := s.write(ctx, func(t *Store) error {
		if onlyIfNoUsers {
			n, err := t.CountUsers(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return assess.Errorf(assess.KindConflict, "the first administrator was already created")
			}
			if _, err := t.exec(ctx, `INSERT INTO setup_done (id) VALUES (1)`); err != nil {
				return assess.Wrap(assess.KindConflict, err, "the first administrator was already created")
			}
		}
		if _, _, err := t.UserByLogin(ctx, u.Login); err == nil {
			return assess.Errorf(assess.KindConflict, "the login %q is taken", u.Login)
		}
		if u.CreatedAt.IsZero() {
			u.CreatedAt = t.now()
		}
		err := t.queryRowTx(ctx, `INSERT INTO users (login, name, email, password_hash, admin, creates_assessments, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, u.Login, u.Name, u.Email, hash, u.Admin, u.CreatesAssessments, u.Disabled, micros(u.CreatedAt)).Scan(&u.ID)
		if err != nil {
			// Two instances creating the same login at once: one wins.
			if _, _, e2 := s.UserByLogin(ctx, u.Login); e2 == nil {
				return assess.Errorf(assess.KindConflict, "the login %q is taken", u.Login)
			}
		}
		return err
	})
	return u, err
}

// queryRowTx runs a statement that writes and returns a row.
func (t *Store) queryRowTx(ctx context.Context, query string, args ...any) *sql.Row {
	if t.tx == nil {
		panic("sqlstore: write outside a transaction")
	}
	query = t.q(query)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (s *Store) GetUser(ctx context.Context, id int64) (assess.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("user", strconv.FormatInt(id, 10))
	}
	return u, err
}

func (s *Store) UserByLogin(ctx context.Context, login string) (assess.User, string, error) {
	var hash string
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+`, password_hash FROM users WHERE login = ?`, login), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", notFound("user", login)
	}
	return u, hash, err
}

func (s *Store) ListUsers(ctx context.Context) ([]assess.User, error) {
	rows, err := s.query(ctx, `SELECT `+userCols+` FROM users ORDER BY login`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

func (s *Store) UpdateUser(ctx context.Context, u assess.User) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE users SET name = ?, email = ?, admin = ?, creates_assessments = ?, disabled = ? WHERE id = ?`,
			u.Name, u.Email, u.Admin, u.CreatesAssessments, u.Disabled, u.ID)
		return affected(res, err, "user", strconv.FormatInt(u.ID, 10))
	})
}

// affected turns "no row changed" into kind NotFound.
func affected(res sql.Result, err error, what, id string) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(what, id)
	}
	return nil
}

func (s *Store) SetPassword(ctx context.Context, id int64, hash string) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
		return affected(res, err, "user", strconv.FormatInt(id, 10))
	})
}

func (s *Store) CreateSession(ctx context.Context, ss assess.Session) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_used_at, addr, agent, stage)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			ss.TokenHash, ss.UserID, micros(ss.CreatedAt), micros(ss.ExpiresAt), micros(ss.CreatedAt), ss.Addr, ss.Agent, ss.Stage)
		return err
	})
}

const sessionCols = `s.token_hash, s.user_id, s.created_at, s.expires_at, s.last_used_at, s.addr, s.agent, s.stage, s.ceremony`

func scanSession(r scanner, extra ...any) (assess.Session, error) {
	var ss assess.Session
	var created, expires, used int64
	err := r.Scan(append([]any{&ss.TokenHash, &ss.UserID, &created, &expires, &used, &ss.Addr, &ss.Agent, &ss.Stage, &ss.Ceremony}, extra...)...)
	ss.CreatedAt, ss.ExpiresAt, ss.LastUsedAt = fromMicros(created), fromMicros(expires), fromMicros(used)
	return ss, err
}

func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (assess.Session, assess.User, error) {
	return s.sessionOf(ctx, tokenHash, now, `s.stage = ''`)
}

func (s *Store) StepSession(ctx context.Context, tokenHash string, now time.Time) (assess.Session, assess.User, error) {
	return s.sessionOf(ctx, tokenHash, now, `s.stage <> ''`)
}

func (s *Store) sessionOf(ctx context.Context, tokenHash string, now time.Time, stage string) (assess.Session, assess.User, error) {
	var u assess.User
	var ucreated int64
	ss, err := scanSession(s.queryRow(ctx, `SELECT `+sessionCols+`, u.id, u.login, u.name, u.email, u.admin, u.creates_assessments, u.disabled, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND `+stage, tokenHash, micros(now)),
		&u.ID, &u.Login, &u.Name, &u.Email, &u.Admin, &u.CreatesAssessments, &u.Disabled, &ucreated)
	if errors.Is(err, sql.ErrNoRows) {
		return assess.Session{TokenHash: tokenHash}, u, assess.Errorf(assess.KindUnauthenticated, "no such session, or it expired")
	}
	u.CreatedAt = fromMicros(ucreated)
	return ss, u, err
}

func (s *Store) TakeSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return assess.Errorf(assess.KindUnauthenticated, "this sign-in was already used or has ended: sign in again")
		}
		return nil
	})
}

func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `UPDATE sessions SET last_used_at = ? WHERE token_hash = ? AND last_used_at < ?`, micros(at), tokenHash, micros(at))
		return err
	})
}

func (s *Store) SetCeremony(ctx context.Context, tokenHash, ceremony string) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `UPDATE sessions SET ceremony = ? WHERE token_hash = ?`, ceremony, tokenHash)
		return affected(res, err, "session", "")
	})
}

func (s *Store) UserSessions(ctx context.Context, userID int64, now time.Time) ([]assess.Session, error) {
	rows, err := s.query(ctx, `SELECT `+sessionCols+` FROM sessions s WHERE s.user_id = ? AND s.stage = '' AND s.expires_at > ?
		ORDER BY s.last_used_at DESC, s.token_hash`, userID, micros(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.Session
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

func (s *Store) DeleteSessionByID(ctx context.Context, userID int64, id string) error {
	return s.write(ctx, func(t *Store) error {
		if len(id) != assess.SessionIDLen {
			return notFound("session", id)
		}
		res, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND stage = '' AND substr(token_hash, 1, ?) = ?`, userID, assess.SessionIDLen, id)
		return affected(res, err, "session", id)
	})
}

func (s *Store) DeleteOtherSessions(ctx context.Context, userID int64, keepHash string) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keepHash)
		return err
	})
}

func (s *Store) ExtendSession(ctx context.Context, tokenHash string, expiresAt time.Time) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, micros(expiresAt), tokenHash)
		return err
	})
}

func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}

func (s *Store) DeleteSessions(ctx context.Context, userID int64) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	})
}

func (s *Store) DeleteExpired(ctx context.Context, now, failuresBefore time.Time) error {
	return s.write(ctx, func(t *Store) error {
		if _, err := t.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, micros(now)); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM sso_states WHERE expires_at <= ?`, micros(now)); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM login_failures WHERE at < ?`, micros(failuresBefore))
		return err
	})
}

const membershipCols = `m.assessment_id, m.user_id, m.role, m.departments, m.refs, m.expires, m.pending, m.created_at`

func scanMembership(r scanner, withUser bool) (assess.Membership, error) {
	var m assess.Membership
	var role, depts, refs, expires string
	var created, ucreated int64
	dest := []any{&m.AssessmentID, &m.UserID, &role, &depts, &refs, &expires, &m.Pending, &created}
	if withUser {
		u := &m.User
		dest = append(dest, &u.ID, &u.Login, &u.Name, &u.Email, &u.Admin, &u.CreatesAssessments, &u.Disabled, &ucreated)
	}
	if err := r.Scan(dest...); err != nil {
		return m, err
	}
	m.Role = assess.Role(role)
	m.Departments, m.Refs = splitList(depts), splitList(refs)
	m.Expires, _ = assess.ParseDate(expires)
	m.CreatedAt, m.User.CreatedAt = fromMicros(created), fromMicros(ucreated)
	return m, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

func (s *Store) PutMembership(ctx context.Context, m assess.Membership) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, m.AssessmentID); err != nil {
			return err
		}
		if _, err := t.GetUser(ctx, m.UserID); err != nil {
			return err
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = t.now()
		}
		_, err := t.exec(ctx, `INSERT INTO memberships (assessment_id, user_id, role, departments, refs, expires, pending, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (assessment_id, user_id) DO UPDATE SET role = excluded.role, departments = excluded.departments,
			refs = excluded.refs, expires = excluded.expires, pending = excluded.pending`,
			m.AssessmentID, m.UserID, string(m.Role), strings.Join(m.Departments, ";"), strings.Join(m.Refs, ";"),
			m.Expires.String(), m.Pending, micros(m.CreatedAt))
		return err
	})
}

func (s *Store) DeleteMembership(ctx context.Context, aid string, userID int64) error {
	return s.write(ctx, func(t *Store) error {
		if err := t.lockAssessment(ctx, aid); err != nil {
			return err
		}
		res, err := t.exec(ctx, `DELETE FROM memberships WHERE assessment_id = ? AND user_id = ?`, aid, userID)
		return affected(res, err, "membership", strconv.FormatInt(userID, 10))
	})
}

func (s *Store) Membership(ctx context.Context, aid string, userID int64) (assess.Membership, error) {
	m, err := scanMembership(s.queryRow(ctx, `SELECT `+membershipCols+` FROM memberships m WHERE m.assessment_id = ? AND m.user_id = ?`, aid, userID), false)
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("membership", strconv.FormatInt(userID, 10))
	}
	return m, err
}

func (s *Store) listMemberships(ctx context.Context, where string, arg any) ([]assess.Membership, error) {
	rows, err := s.query(ctx, `SELECT `+membershipCols+`, u.id, u.login, u.name, u.email, u.admin, u.creates_assessments, u.disabled, u.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE `+where+` ORDER BY u.name, u.login, m.assessment_id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.Membership
	for rows.Next() {
		m, err := scanMembership(rows, true)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) Members(ctx context.Context, aid string) ([]assess.Membership, error) {
	return s.listMemberships(ctx, `m.assessment_id = ?`, aid)
}

func (s *Store) MembershipsOf(ctx context.Context, userID int64) ([]assess.Membership, error) {
	return s.listMemberships(ctx, `m.user_id = ?`, userID)
}

func (s *Store) RecordLoginFailure(ctx context.Context, key string, at time.Time) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, key, micros(at))
		return err
	})
}

func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?`, key, micros(since)).Scan(&n)
	return n, err
}

func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
		return err
	})
}
