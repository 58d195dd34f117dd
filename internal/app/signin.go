package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// Sign-in in two steps. After the password, a person with a second factor
// (or who must have one, SiteSettings.Require2FA) gets a half-way sign-in:
// a short-lived row of the sessions table with a stage, which opens
// nothing but that step (Principal.step; signedIn refuses it). Finishing
// the step takes the row (once) and starts the session.

const (
	// secondStepTTL bounds the time between the password and the code.
	secondStepTTL = 5 * time.Minute
	// enrolTTL bounds enrolling a first factor after the password.
	enrolTTL = 15 * time.Minute
	// sessionTouchEvery is how stale a session's "last used" may get:
	// recording every request would make each read a write.
	sessionTouchEvery = time.Minute
	maxAgentLen       = 200
)

// SessionMeta is what a session records of the browser at sign-in.
type SessionMeta struct {
	Addr  string
	Agent string
}

// SignInResult is a sign-in after the password: a session token, or a
// half-way sign-in's token with its Stage (assess.SessionSecondStep: a
// second factor is asked; assess.SessionEnrol: the person must enrol one).
type SignInResult struct {
	Token string
	Stage string
}

// SignIn follows a password that Authenticate accepted for p: a session,
// or the second step when the account has a factor or must have one.
func (s *Service) SignIn(ctx context.Context, p Principal, meta SessionMeta, ttl time.Duration) (SignInResult, error) {
	if !p.isAccount() {
		return SignInResult{}, assess.Errorf(assess.KindUnauthenticated, "a session is for a signed-in account")
	}
	var out SignInResult
	err := s.store.InTx(ctx, func(st store.Store) error {
		var err error
		if out.Stage, err = s.nextStage(ctx, st, p.User); err != nil {
			return err
		}
		switch out.Stage {
		case assess.SessionSecondStep:
			ttl = secondStepTTL
		case assess.SessionEnrol:
			ttl = enrolTTL
		}
		out.Token, err = s.newSession(ctx, st, p.User.ID, out.Stage, meta, ttl)
		return err
	})
	return out, err
}

// nextStage is what follows u's first factor (a password, a single
// sign-on): nothing (""), the second step, or enrolling a factor.
func (s *Service) nextStage(ctx context.Context, st store.Store, u assess.User) (string, error) {
	n, err := confirmedFactors(ctx, st, u.ID)
	if err != nil {
		return "", err
	}
	must, err := s.mustUse2FA(ctx, st, u)
	switch {
	case err != nil:
		return "", err
	case len(n) > 0:
		return assess.SessionSecondStep, nil
	case must:
		return assess.SessionEnrol, nil
	}
	return "", nil
}

// firstFactorEvent records a first factor accepted for u: a sign-in when
// nothing follows it, else only that step, the sign-in being recorded (or
// its failure) when the second step ends.
func (s *Service) firstFactorEvent(ctx context.Context, st store.Store, u assess.User, detail, addr string) error {
	stage, err := s.nextStage(ctx, st, u)
	if err != nil {
		return err
	}
	kind := assess.EventSignIn
	if stage != "" {
		kind = assess.EventFirstFactor
	}
	return s.event(ctx, st, u.ID, kind, detail, addr)
}

// newSession stores a session (or a half-way sign-in, stage) and returns
// its secret token; only the token's hash is stored.
func (s *Service) newSession(ctx context.Context, st store.Store, userID int64, stage string, meta SessionMeta, ttl time.Duration) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	agent := meta.Agent
	if len(agent) > maxAgentLen {
		agent = agent[:maxAgentLen]
	}
	err := st.CreateSession(ctx, assess.Session{TokenHash: TokenHash(token), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(ttl),
		Addr: meta.Addr, Agent: strings.ToValidUTF8(agent, ""), Stage: stage})
	// Housekeeping rides along with sign-ins instead of needing a timer.
	if err == nil {
		err = st.DeleteExpired(ctx, now, now.Add(-failureRetention))
	}
	return token, err
}

// ResolveStep finds who holds a half-way sign-in's token: a principal
// that may finish that step and nothing else.
func (s *Service) ResolveStep(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "not signed in")
	}
	ss, u, err := s.store.StepSession(ctx, TokenHash(token), s.now())
	if err != nil {
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "this sign-in has ended (it lasts a few minutes): sign in again")
	}
	if u.Disabled {
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "this account is disabled")
	}
	return Principal{User: u, step: &ss}, nil
}

// stepOf returns p's half-way sign-in of the stage wanted.
func stepOf(p Principal, stage string) (*assess.Session, error) {
	if p.step == nil || p.step.Stage != stage || p.Token != nil || p.System {
		return nil, assess.Errorf(assess.KindUnauthenticated, "sign in with your password first")
	}
	return p.step, nil
}

// SecondStep finishes a sign-in with a code from the authenticator app or
// a recovery code, and returns the session's token. Wrong codes count as
// failed sign-ins (the same throttling as passwords).
func (s *Service) SecondStep(ctx context.Context, p Principal, code string, meta SessionMeta, ttl time.Duration) (string, error) {
	step, err := stepOf(p, assess.SessionSecondStep)
	if err != nil {
		return "", err
	}
	if err := s.throttled(ctx, p.User.Login, meta.Addr); err != nil {
		return "", err
	}
	var token string
	err = s.store.InTx(ctx, func(st store.Store) error {
		how, err := s.checkCode(ctx, st, p.User, code, meta.Addr)
		if err != nil {
			return err
		}
		token, err = s.finishStep(ctx, st, p.User, step, how, meta, ttl)
		return err
	})
	if ce := (*codeError)(nil); errors.As(err, &ce) {
		return "", s.refuseStep(ctx, p.User, meta.Addr, err)
	}
	return token, err
}

// codeError is a wrong second-step answer: a failed sign-in.
type codeError struct{ err error }

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

func wrongCode(why string) error {
	return &codeError{assess.Errorf(assess.KindUnauthenticated, "wrong code: %s", why)}
}

// refuseStep records a failed second step and returns err.
func (s *Service) refuseStep(ctx context.Context, u assess.User, addr string, err error) error {
	if ferr := s.failed(ctx, u.Login, addr); ferr != nil {
		return ferr
	}
	if eerr := s.event(ctx, s.store, u.ID, assess.EventSignInFailed, "second step: "+err.Error(), addr); eerr != nil {
		return eerr
	}
	s.obs.SignIn(SignInFailed)
	return err
}

// checkCode accepts a TOTP code of one of u's authenticator apps (used
// once) or one of u's recovery codes (used once, recorded), and says which.
func (s *Service) checkCode(ctx context.Context, st store.Store, u assess.User, code, addr string) (string, error) {
	code = strings.Join(strings.Fields(code), "")
	if isTOTPCode(code) {
		fs, err := confirmedFactors(ctx, st, u.ID)
		if err != nil {
			return "", err
		}
		now := s.now()
		for _, f := range fs {
			if f.Kind != assess.FactorTOTP {
				continue
			}
			if step, ok := matchTOTP(f.Secret, code, now); ok {
				if err := st.UseFactorStep(ctx, f.ID, step, now); err != nil {
					return "", wrongCode("this code was already used, wait for the next one")
				}
				return fmt.Sprintf("authenticator app %q", f.Name), nil
			}
		}
		return "", wrongCode("check the time on your phone and type the code it shows now")
	}
	if err := st.UseRecoveryCode(ctx, u.ID, recoveryHash(code), s.now()); err != nil {
		if assess.KindOf(err) == assess.KindUnauthenticated {
			return "", wrongCode("not a code from your app, nor an unused recovery code")
		}
		return "", err
	}
	left, err := st.RecoveryCodesLeft(ctx, u.ID)
	if err != nil {
		return "", err
	}
	if err := s.event(ctx, st, u.ID, assess.EventRecoveryUsed, fmt.Sprintf("%d left", left), addr); err != nil {
		return "", err
	}
	return "recovery code", nil
}

// finishStep takes the half-way sign-in (once) and starts the session.
func (s *Service) finishStep(ctx context.Context, st store.Store, u assess.User, step *assess.Session, how string, meta SessionMeta, ttl time.Duration) (string, error) {
	if err := st.TakeSession(ctx, step.TokenHash); err != nil {
		return "", err
	}
	if err := succeeded(ctx, st, u.Login, meta.Addr); err != nil {
		return "", err
	}
	if err := s.event(ctx, st, u.ID, assess.EventSignIn, "second step: "+how, meta.Addr); err != nil {
		return "", err
	}
	return s.newSession(ctx, st, u.ID, "", meta, ttl)
}

// FinishEnrolment ends the enrolment a person was taken to after their
// password, once they have a factor, and returns the session's token.
func (s *Service) FinishEnrolment(ctx context.Context, p Principal, meta SessionMeta, ttl time.Duration) (string, error) {
	step, err := stepOf(p, assess.SessionEnrol)
	if err != nil {
		return "", err
	}
	var token string
	err = s.store.InTx(ctx, func(st store.Store) error {
		fs, err := confirmedFactors(ctx, st, p.User.ID)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return assess.Errorf(assess.KindInvalid, "this site asks you for a second factor: add an authenticator app or a passkey first")
		}
		token, err = s.finishStep(ctx, st, p.User, step, "enrolled "+fs[0].Label(), meta, ttl)
		return err
	})
	return token, err
}

// mustUse2FA reports whether the site requires a second factor of u.
func (s *Service) mustUse2FA(ctx context.Context, st store.Store, u assess.User) (bool, error) {
	set, err := siteSettings(ctx, st)
	if err != nil {
		return false, err
	}
	switch set.Require2FA {
	case Require2FAEveryone:
		return true, nil
	case Require2FAAdmins:
		return u.Admin, nil
	case Require2FAAssessors:
		if u.Admin {
			return true, nil
		}
		ms, err := st.MembershipsOf(ctx, u.ID)
		if err != nil {
			return false, err
		}
		for _, m := range ms {
			if m.Role == assess.RoleAssessor && !m.Pending {
				return true, nil
			}
		}
	}
	return false, nil
}

// SessionInfo is one of a person's sessions as their account page lists it.
type SessionInfo struct {
	ID         string
	CreatedAt  time.Time
	LastUsedAt time.Time
	Addr       string
	Agent      string
	// Current is the session the list was asked from.
	Current bool
}

// Sessions lists p's own active sessions, most recently used first.
func (s *Service) Sessions(ctx context.Context, p Principal) ([]SessionInfo, error) {
	if !p.isAccount() {
		return nil, assess.Errorf(assess.KindUnauthenticated, "sessions belong to a signed-in account")
	}
	list, err := s.store.UserSessions(ctx, p.User.ID, s.now())
	if err != nil {
		return nil, err
	}
	out := make([]SessionInfo, 0, len(list))
	for _, ss := range list {
		out = append(out, SessionInfo{ID: ss.ID(), CreatedAt: ss.CreatedAt, LastUsedAt: ss.LastUsedAt, Addr: ss.Addr, Agent: ss.Agent,
			Current: ss.TokenHash == p.session})
	}
	return out, nil
}

// RevokeSession ends one of p's own sessions, by its ID.
func (s *Service) RevokeSession(ctx context.Context, p Principal, id string) error {
	if !p.isAccount() {
		return assess.Errorf(assess.KindUnauthenticated, "sessions belong to a signed-in account")
	}
	return s.store.DeleteSessionByID(ctx, p.User.ID, id)
}

// SignOutEverywhere ends every session of p's but the one p asks from,
// and records it.
func (s *Service) SignOutEverywhere(ctx context.Context, p Principal, addr string) error {
	if !p.isAccount() {
		return assess.Errorf(assess.KindUnauthenticated, "sessions belong to a signed-in account")
	}
	return s.store.InTx(ctx, func(st store.Store) error {
		if err := st.DeleteOtherSessions(ctx, p.User.ID, p.session); err != nil {
			return err
		}
		return s.event(ctx, st, p.User.ID, assess.EventSignedOutAll, "this browser stays signed in", addr)
	})
}
