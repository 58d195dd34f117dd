package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

const ssoProviderCols = `name, display_name, issuer, client_id, client_secret, scopes, allowed_domains, jit, group_claim,
	admin_groups, creator_groups, enabled, updated_at, updated_by`

// Lists of a provider (scopes, domains, groups) are kept one per line: a
// group's name may hold spaces or semicolons.
func joinLines(l []string) string { return strings.Join(l, "\n") }

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func scanSSOProvider(r scanner) (assess.SSOProvider, error) {
	var p assess.SSOProvider
	var scopes, domains, admins, creators string
	var updated int64
	err := r.Scan(&p.Name, &p.DisplayName, &p.Issuer, &p.ClientID, &p.ClientSecret, &scopes, &domains, &p.JIT, &p.GroupClaim,
		&admins, &creators, &p.Enabled, &updated, &p.UpdatedBy)
	p.Scopes, p.AllowedDomains, p.AdminGroups, p.CreatorGroups = splitLines(scopes), splitLines(domains), splitLines(admins), splitLines(creators)
	p.UpdatedAt, p.SecretSet = fromMicros(updated), p.ClientSecret != ""
	return p, err
}

func (s *Store) SSOProviders(ctx context.Context) ([]assess.SSOProvider, error) {
	rows, err := s.query(ctx, `SELECT `+ssoProviderCols+` FROM sso_providers ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.SSOProvider
	for rows.Next() {
		p, err := scanSSOProvider(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) SSOProvider(ctx context.Context, name string) (assess.SSOProvider, error) {
	p, err := scanSSOProvider(s.queryRow(ctx, `SELECT `+ssoProviderCols+` FROM sso_providers WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("single sign-on provider", name)
	}
	return p, err
}

func (s *Store) PutSSOProvider(ctx context.Context, p assess.SSOProvider) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `INSERT INTO sso_providers (`+ssoProviderCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET display_name = excluded.display_name, issuer = excluded.issuer,
			client_id = excluded.client_id, client_secret = excluded.client_secret, scopes = excluded.scopes,
			allowed_domains = excluded.allowed_domains, jit = excluded.jit, group_claim = excluded.group_claim,
			admin_groups = excluded.admin_groups, creator_groups = excluded.creator_groups, enabled = excluded.enabled,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			p.Name, p.DisplayName, p.Issuer, p.ClientID, p.ClientSecret, joinLines(p.Scopes), joinLines(p.AllowedDomains), p.JIT,
			p.GroupClaim, joinLines(p.AdminGroups), joinLines(p.CreatorGroups), p.Enabled, micros(p.UpdatedAt), p.UpdatedBy)
		return err
	})
}

func (s *Store) DeleteSSOProvider(ctx context.Context, name string) error {
	return s.write(ctx, func(t *Store) error {
		// Not every engine cascades without the pragma: remove the links first.
		if _, err := t.exec(ctx, `DELETE FROM sso_identities WHERE provider = ?`, name); err != nil {
			return err
		}
		res, err := t.exec(ctx, `DELETE FROM sso_providers WHERE name = ?`, name)
		return affected(res, err, "single sign-on provider", name)
	})
}

func (s *Store) IdentityUser(ctx context.Context, provider, subject string) (assess.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+prefixed("u.", userCols)+` FROM sso_identities i JOIN users u ON u.id = i.user_id
		WHERE i.provider = ? AND i.subject = ?`, provider, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("identity", provider+" "+subject)
	}
	return u, err
}

// prefixed qualifies each of a list of columns with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

func (s *Store) Identities(ctx context.Context, userID int64) ([]assess.Identity, error) {
	rows, err := s.query(ctx, `SELECT provider, subject, user_id, email, linked_at FROM sso_identities WHERE user_id = ? ORDER BY provider`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assess.Identity
	for rows.Next() {
		var id assess.Identity
		var at int64
		if err := rows.Scan(&id.Provider, &id.Subject, &id.UserID, &id.Email, &at); err != nil {
			return nil, err
		}
		id.LinkedAt = fromMicros(at)
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *Store) LinkIdentity(ctx context.Context, id assess.Identity) error {
	return s.write(ctx, func(t *Store) error {
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM sso_identities WHERE (provider = ? AND subject = ?) OR (provider = ? AND user_id = ?)`,
			id.Provider, id.Subject, id.Provider, id.UserID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return assess.Errorf(assess.KindConflict, "this %s identity, or this account's link to %s, exists already", id.Provider, id.Provider)
		}
		_, err := t.exec(ctx, `INSERT INTO sso_identities (provider, subject, user_id, email, linked_at) VALUES (?, ?, ?, ?, ?)`,
			id.Provider, id.Subject, id.UserID, id.Email, micros(id.LinkedAt))
		if err != nil {
			// Two instances linking at once: the key decides.
			return assess.Wrap(assess.KindConflict, err, "this "+id.Provider+" identity is linked already")
		}
		return nil
	})
}

func (s *Store) UnlinkIdentity(ctx context.Context, userID int64, provider string) error {
	return s.write(ctx, func(t *Store) error {
		res, err := t.exec(ctx, `DELETE FROM sso_identities WHERE user_id = ? AND provider = ?`, userID, provider)
		return affected(res, err, "link to", provider)
	})
}

func (s *Store) PutSSOState(ctx context.Context, st assess.SSOState) error {
	return s.write(ctx, func(t *Store) error {
		_, err := t.exec(ctx, `INSERT INTO sso_states (state_hash, provider, nonce, verifier, link_user_id, next, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, st.StateHash, st.Provider, st.Nonce, st.Verifier, st.LinkUserID, st.Next, micros(st.ExpiresAt))
		return err
	})
}

func (s *Store) TakeSSOState(ctx context.Context, hash string, now time.Time) (assess.SSOState, error) {
	var st assess.SSOState
	err := s.write(ctx, func(t *Store) error {
		var expires int64
		// DELETE … RETURNING: of two instances taking one state, one gets it.
		err := t.queryRowTx(ctx, `DELETE FROM sso_states WHERE state_hash = ?
			RETURNING state_hash, provider, nonce, verifier, link_user_id, next, expires_at`, hash).
			Scan(&st.StateHash, &st.Provider, &st.Nonce, &st.Verifier, &st.LinkUserID, &st.Next, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("sign-in", "state")
		}
		st.ExpiresAt = fromMicros(expires)
		if err == nil && !now.Before(st.ExpiresAt) {
			// The delete stays: an expired state is of no further use.
			return nil
		}
		return err
	})
	if err == nil && !now.Before(st.ExpiresAt) {
		return assess.SSOState{}, assess.Errorf(assess.KindNotFound, "the sign-in took too long")
	}
	return st, err
}
