package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// Personal access tokens: what a script or another tool presents to the
// REST API ("Authorization: Bearer isg_…"). A token acts as its owner, with
// the owner's rights as they are at each request, never more; a read-only
// token writes nothing (requireWriter). Only the secret's hash is stored.

// TokenPrefix starts every token secret, so a leaked one is recognisable
// (secret scanners, logs) and a session cookie is never mistaken for one.
const TokenPrefix = "isg_"

const (
	// MaxTokenLifetime bounds a token's expiry: a token that never ends
	// is a password nobody rotates.
	MaxTokenLifetime = 366 * 24 * time.Hour
	// maxActiveTokens bounds a user's tokens that still work.
	maxActiveTokens = 50
	maxTokenName    = 80
	// tokenTouchEvery is how stale "last used" may get: recording every
	// request would make each read a write.
	tokenTouchEvery = time.Minute
)

// NewToken is a token to make.
type NewToken struct {
	Name     string
	Expires  time.Time
	ReadOnly bool
	// User is the login of the token's owner: only the command line makes
	// tokens for another account; a signed-in person makes their own.
	User string
}

// CreatedToken is a new token with its secret, shown this once.
type CreatedToken struct {
	Token  assess.APIToken
	Secret string
}

// CreateToken makes a personal access token. A token cannot make another
// (a leaked token must not be able to outlive its revocation).
func (s *Service) CreateToken(ctx context.Context, p Principal, in NewToken) (CreatedToken, error) {
	owner, err := s.tokenOwner(ctx, p, in.User, "make access tokens")
	if err != nil {
		return CreatedToken{}, err
	}
	now := s.now()
	in.Name = strings.TrimSpace(in.Name)
	errs := &assess.FieldErrors{Context: "access token"}
	if assess.CheckRequired(errs, "name", in.Name, "is empty", `a name that says where the token is used, such as "ci" or "ticket-sync"`) {
		assess.CheckText(errs, "name", in.Name, maxTokenName, false)
	}
	switch {
	case in.Expires.IsZero():
		errs.Add("expires", "", "is missing", "an expiry, at most a year away (such as 90 days)")
	case !in.Expires.After(now):
		errs.Add("expires", in.Expires.Format(time.DateOnly), "is not in the future", "an expiry after today")
	case in.Expires.Sub(now) > MaxTokenLifetime:
		errs.Add("expires", in.Expires.Format(time.DateOnly), "is more than a year away", "a token that expires within 366 days; make a new one then")
	}
	if err := errs.Err(); err != nil {
		return CreatedToken{}, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return CreatedToken{}, err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	tok := assess.APIToken{UserID: owner.ID, Name: in.Name, Prefix: secret[:len(TokenPrefix)+6], TokenHash: TokenHash(secret),
		ReadOnly: in.ReadOnly, CreatedAt: now, ExpiresAt: assess.Stamp(in.Expires)}
	err = s.store.InTx(ctx, func(st store.Store) error {
		list, err := st.Tokens(ctx, owner.ID)
		if err != nil {
			return err
		}
		active := 0
		for _, t := range list {
			if t.Active(now) {
				active++
			}
		}
		if active >= maxActiveTokens {
			return assess.Errorf(assess.KindInvalid, "%s already has %d working access tokens: revoke the ones no longer used first", owner.Login, active)
		}
		tok, err = st.CreateToken(ctx, tok)
		return err
	})
	return CreatedToken{Token: tok, Secret: secret}, err
}

// tokenOwner is the account whose tokens p manages: p's own, or, for the
// command line and site administrators, the account named by login.
func (s *Service) tokenOwner(ctx context.Context, p Principal, login, what string) (assess.User, error) {
	if err := bySignIn(p, what); err != nil {
		return assess.User{}, err
	}
	if login == "" || !p.System && NormalizeLogin(login) == p.User.Login {
		if p.System {
			return assess.User{}, assess.Errorf(assess.KindInvalid, "name the account the token is for (--user LOGIN)")
		}
		return p.User, nil
	}
	if !p.System {
		return assess.User{}, forbidden("access tokens are made by their owner: %s signs in and makes their own", login)
	}
	u, _, err := s.store.UserByLogin(ctx, NormalizeLogin(login))
	return u, err
}

// bySignIn refuses nobody and token holders: tokens are managed by people
// signed in (or the command line), so a leaked token cannot renew itself.
func bySignIn(p Principal, what string) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if p.Token != nil {
		return forbidden("an access token cannot %s: sign in to the web app", what)
	}
	return nil
}

// Tokens lists p's own tokens, newest first.
func (s *Service) Tokens(ctx context.Context, p Principal) ([]assess.APIToken, error) {
	return s.UserTokens(ctx, p, "")
}

// UserTokens lists an account's tokens: p's own (login empty or p's), or,
// for site administrators and the command line, anyone's.
func (s *Service) UserTokens(ctx context.Context, p Principal, login string) ([]assess.APIToken, error) {
	u, err := s.tokenAccount(ctx, p, login, "list access tokens")
	if err != nil {
		return nil, err
	}
	return s.store.Tokens(ctx, u.ID)
}

// RevokeToken ends one of p's tokens at once.
func (s *Service) RevokeToken(ctx context.Context, p Principal, id int64) error {
	return s.RevokeUserToken(ctx, p, "", id)
}

// RevokeUserToken ends an account's token: p's own, or, for site
// administrators and the command line, anyone's (a token that leaked).
func (s *Service) RevokeUserToken(ctx context.Context, p Principal, login string, id int64) error {
	u, err := s.tokenAccount(ctx, p, login, "revoke access tokens")
	if err != nil {
		return err
	}
	return s.store.RevokeToken(ctx, u.ID, id, s.now())
}

// tokenAccount is whose tokens p may list or revoke.
func (s *Service) tokenAccount(ctx context.Context, p Principal, login, what string) (assess.User, error) {
	if err := bySignIn(p, what); err != nil {
		return assess.User{}, err
	}
	if login == "" && !p.System || !p.System && NormalizeLogin(login) == p.User.Login {
		return p.User, nil
	}
	if err := requireAdmin(p, what+" of other accounts"); err != nil {
		return assess.User{}, err
	}
	if login == "" {
		return assess.User{}, assess.Errorf(assess.KindInvalid, "name the account (--user LOGIN)")
	}
	u, _, err := s.store.UserByLogin(ctx, NormalizeLogin(login))
	return u, err
}

// ResolveToken finds the principal behind a token secret: its owner, as the
// account is now, acting through the token. An unknown, revoked or expired
// token, or one whose owner is disabled, lets nobody in.
func (s *Service) ResolveToken(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "not an isogap access token (they start with %q)", TokenPrefix)
	}
	tok, u, err := s.store.TokenByHash(ctx, TokenHash(secret))
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	switch {
	case !tok.RevokedAt.IsZero():
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "the access token %q was revoked on %s", tok.Name, tok.RevokedAt.Format(time.DateOnly))
	case !now.Before(tok.ExpiresAt):
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "the access token %q expired on %s: make a new one", tok.Name, tok.ExpiresAt.Format(time.DateOnly))
	case u.Disabled:
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "the account this token belongs to is disabled")
	}
	if now.Sub(tok.LastUsedAt) >= tokenTouchEvery {
		if err := s.store.TouchToken(ctx, tok.ID, now); err != nil {
			return Principal{}, err
		}
	}
	return Principal{User: u, Token: &TokenGrant{ID: tok.ID, Name: tok.Name, ReadOnly: tok.ReadOnly}}, nil
}
