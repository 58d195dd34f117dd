package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// SiteSettings are the site's sign-in rules, changed by administrators at
// run time and kept in the database, so every instance applies the same.
type SiteSettings struct {
	// PasswordSignIn lets people sign in with a login and password (on by
	// default). With it off, people sign in through single sign-on; the
	// command line can always turn it back on, so no broken identity
	// provider locks everyone out.
	PasswordSignIn bool
	// Require2FA names who must use a second factor: "" (nobody),
	// "admins", "assessors" (administrators and anyone who is an assessor
	// of an assessment) or "everyone".
	Require2FA string
}

// Who a site may require two factors of.
const (
	Require2FANobody    = ""
	Require2FAAdmins    = "admins"
	Require2FAAssessors = "assessors"
	Require2FAEveryone  = "everyone"
)

const (
	settingPasswordSignIn = "password_sign_in"
	settingRequire2FA     = "require_2fa"
)

// DefaultSiteSettings are the settings of a site nobody changed.
func DefaultSiteSettings() SiteSettings { return SiteSettings{PasswordSignIn: true} }

// SiteSettings reads the site's sign-in rules. The sign-in page reads them
// before anyone is signed in, so they take no principal; they hold no
// secret.
func (s *Service) SiteSettings(ctx context.Context) (SiteSettings, error) {
	return siteSettings(ctx, s.store)
}

func siteSettings(ctx context.Context, st store.Store) (SiteSettings, error) {
	out := DefaultSiteSettings()
	m, err := st.Settings(ctx)
	if err != nil {
		return out, err
	}
	if v, ok := m[settingPasswordSignIn]; ok {
		out.PasswordSignIn, _ = strconv.ParseBool(v)
	}
	out.Require2FA = m[settingRequire2FA]
	return out, nil
}

// UpdateSiteSettings stores the site's sign-in rules (administrators and
// the command line).
func (s *Service) UpdateSiteSettings(ctx context.Context, p Principal, in SiteSettings) (SiteSettings, error) {
	if err := requireAdmin(p, "change the site's sign-in settings"); err != nil {
		return in, err
	}
	if err := requireWriter(p); err != nil {
		return in, err
	}
	in.Require2FA = strings.TrimSpace(strings.ToLower(in.Require2FA))
	switch in.Require2FA {
	case Require2FANobody, Require2FAAdmins, Require2FAAssessors, Require2FAEveryone:
	default:
		e := &assess.FieldErrors{Context: "site settings"}
		e.Add("require_2fa", in.Require2FA, "is not a group isogap knows", `"", "admins", "assessors" or "everyone"`)
		return in, e
	}
	if err := s.ssoLockoutGuard(ctx, p, in); err != nil {
		return in, err
	}
	now := s.now()
	err := s.store.InTx(ctx, func(st store.Store) error {
		if err := st.PutSetting(ctx, settingPasswordSignIn, strconv.FormatBool(in.PasswordSignIn), p.Name(), now); err != nil {
			return err
		}
		return st.PutSetting(ctx, settingRequire2FA, in.Require2FA, p.Name(), now)
	})
	return in, err
}

// SecurityEventsPage is how many events one page of a security history
// holds.
const SecurityEventsPage = 100

// SecurityEvents returns a page of an account's security history, newest
// first: p's own (login empty or p's), or anyone's for administrators and
// the command line. beforeID pages back (0: the newest).
func (s *Service) SecurityEvents(ctx context.Context, p Principal, login string, beforeID int64) ([]assess.SecurityEvent, error) {
	u, err := s.tokenAccount(ctx, p, login, "read the security history")
	if err != nil {
		return nil, err
	}
	return s.store.SecurityEvents(ctx, u.ID, beforeID, SecurityEventsPage)
}

// event records a security event of an account.
func (s *Service) event(ctx context.Context, st store.Store, userID int64, kind, detail, addr string) error {
	return st.AddSecurityEvent(ctx, assess.SecurityEvent{UserID: userID, Kind: kind, Detail: detail, Addr: addr, At: s.now()})
}

// ErrPasswordSignInOff is the refusal of a password sign-in on a site that
// turned it off.
const ErrPasswordSignInOff = "password sign-in is turned off on this site: sign in with one of the single sign-on buttons"

// passwordSignInAllowed refuses password sign-ins when the site turned
// them off. The command line is unaffected: it sets passwords and turns
// password sign-in back on ("isogap site set --password-sign-in=true").
func (s *Service) passwordSignInAllowed(ctx context.Context) error {
	st, err := siteSettings(ctx, s.store)
	if err != nil {
		return err
	}
	if !st.PasswordSignIn {
		return assess.Errorf(assess.KindUnauthenticated, ErrPasswordSignInOff)
	}
	return nil
}
