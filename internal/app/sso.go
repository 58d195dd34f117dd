package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// Single sign-on with OpenID Connect: the authorization code flow with
// PKCE (S256), a state and a nonce kept in the database and taken on first
// use (so a replay is refused on every instance), discovery and keys from
// the issuer, and the ID token checked for issuer, audience, expiry,
// signature and nonce. Accounts are found by (provider, subject) only: an
// e-mail address that matches an existing account never opens it.

const (
	// SSOStateLifetime bounds the time between the redirect to the
	// provider and its answer.
	SSOStateLifetime = 10 * time.Minute
	// ssoDiscoveryTTL is how long a provider's discovery document is kept;
	// its keys are fetched again whenever a token names an unknown one.
	ssoDiscoveryTTL = time.Hour
	ssoHTTPTimeout  = 15 * time.Second
	maxProviderName = 40
)

// DefaultSSOScopes are asked for when a provider names none.
var DefaultSSOScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// ssoCache keeps each issuer's discovery (and with it the key set, which
// caches the keys) across sign-ins.
type ssoCache struct {
	mu sync.Mutex
	m  map[string]ssoCached
}

type ssoCached struct {
	p  *oidc.Provider
	at time.Time
}

func newSSOCache() *ssoCache { return &ssoCache{m: map[string]ssoCached{}} }

// SSOButton is an enabled provider as the sign-in page offers it.
type SSOButton struct {
	Name        string
	DisplayName string
}

// SSOSignInButtons lists the enabled providers for the sign-in page. It
// needs no principal: nobody is signed in yet, and it shows no secret.
func (s *Service) SSOSignInButtons(ctx context.Context) ([]SSOButton, error) {
	list, err := s.store.SSOProviders(ctx)
	if err != nil {
		return nil, err
	}
	var out []SSOButton
	for _, p := range list {
		if p.Enabled {
			out = append(out, SSOButton{Name: p.Name, DisplayName: p.DisplayName})
		}
	}
	return out, nil
}

// SSOProviders lists the providers (administrators), without secrets.
func (s *Service) SSOProviders(ctx context.Context, p Principal) ([]assess.SSOProvider, error) {
	if err := requireAdmin(p, "manage single sign-on"); err != nil {
		return nil, err
	}
	list, err := s.store.SSOProviders(ctx)
	for i := range list {
		list[i].ClientSecret = ""
	}
	return list, err
}

// SSOProvider returns one provider (administrators), without its secret.
func (s *Service) SSOProvider(ctx context.Context, p Principal, name string) (assess.SSOProvider, error) {
	if err := requireAdmin(p, "manage single sign-on"); err != nil {
		return assess.SSOProvider{}, err
	}
	sp, err := s.store.SSOProvider(ctx, strings.ToLower(strings.TrimSpace(name)))
	sp.ClientSecret = ""
	return sp, err
}

// SaveSSOProvider adds a provider (create) or changes one. An empty
// ClientSecret keeps the one stored: it is never shown back, so a form
// cannot return it.
func (s *Service) SaveSSOProvider(ctx context.Context, p Principal, in assess.SSOProvider, create bool) (assess.SSOProvider, error) {
	if err := requireAdmin(p, "manage single sign-on"); err != nil {
		return in, err
	}
	if err := requireWriter(p); err != nil {
		return in, err
	}
	in = normalizeProvider(in)
	errs := &assess.FieldErrors{Context: "single sign-on provider " + in.Name}
	validateProvider(errs, in)
	if err := errs.Err(); err != nil {
		return in, err
	}
	in.UpdatedAt, in.UpdatedBy = s.now(), p.Name()
	err := s.store.InTx(ctx, func(st store.Store) error {
		cur, err := st.SSOProvider(ctx, in.Name)
		switch {
		case err == nil && create:
			return assess.Errorf(assess.KindConflict, "a single sign-on provider named %q exists already: change it with \"isogap sso set\" or choose another name", in.Name)
		case err != nil && !(create && assess.KindOf(err) == assess.KindNotFound):
			return err
		}
		if in.ClientSecret == "" {
			in.ClientSecret = cur.ClientSecret
		}
		return st.PutSSOProvider(ctx, in)
	})
	s.sso.forget(in.Issuer)
	in.SecretSet, in.ClientSecret = in.ClientSecret != "", ""
	return in, err
}

// RemoveSSOProvider removes a provider and every account's link to it.
func (s *Service) RemoveSSOProvider(ctx context.Context, p Principal, name string) error {
	if err := requireAdmin(p, "manage single sign-on"); err != nil {
		return err
	}
	if err := requireWriter(p); err != nil {
		return err
	}
	return s.store.DeleteSSOProvider(ctx, strings.ToLower(strings.TrimSpace(name)))
}

func normalizeProvider(in assess.SSOProvider) assess.SSOProvider {
	in.Name = strings.ToLower(strings.TrimSpace(in.Name))
	in.DisplayName, in.Issuer = strings.TrimSpace(in.DisplayName), strings.TrimRight(strings.TrimSpace(in.Issuer), "/")
	in.ClientID, in.GroupClaim = strings.TrimSpace(in.ClientID), strings.TrimSpace(in.GroupClaim)
	in.Scopes = cleanList(in.Scopes, false)
	if len(in.Scopes) == 0 {
		in.Scopes = slices.Clone(DefaultSSOScopes)
	}
	if !slices.Contains(in.Scopes, oidc.ScopeOpenID) {
		in.Scopes = append([]string{oidc.ScopeOpenID}, in.Scopes...)
	}
	in.AllowedDomains = cleanList(in.AllowedDomains, true)
	for i, d := range in.AllowedDomains {
		in.AllowedDomains[i] = strings.TrimPrefix(d, "@")
	}
	in.AdminGroups, in.CreatorGroups = cleanList(in.AdminGroups, false), cleanList(in.CreatorGroups, false)
	return in
}

// cleanList trims a list's entries and drops empty and repeated ones.
func cleanList(l []string, lower bool) []string {
	var out []string
	for _, v := range l {
		v = strings.TrimSpace(v)
		if lower {
			v = strings.ToLower(v)
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func validateProvider(errs *assess.FieldErrors, in assess.SSOProvider) {
	if len(in.Name) == 0 || len(in.Name) > maxProviderName || strings.Trim(in.Name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || strings.HasPrefix(in.Name, "-") {
		errs.Add("name", assess.Shown(in.Name), "not a valid provider name", fmt.Sprintf("1 to %d lower-case letters, digits or '-', such as \"entra\"", maxProviderName))
	}
	if assess.CheckRequired(errs, "display_name", in.DisplayName, "is empty", `what the sign-in button says, such as "Microsoft"`) {
		assess.CheckShort(errs, "display_name", in.DisplayName)
	}
	if err := checkIssuer(in.Issuer); err != "" {
		errs.Add("issuer", assess.Shown(in.Issuer), err, "the issuer URL the provider publishes, such as https://login.example.com/tenant/v2.0")
	}
	if assess.CheckRequired(errs, "client_id", in.ClientID, "is empty", "the client (application) id the provider gave isogap") {
		assess.CheckShort(errs, "client_id", in.ClientID)
	}
	for _, d := range in.AllowedDomains {
		if strings.ContainsAny(d, "@ /") || !strings.Contains(d, ".") {
			errs.Add("allowed_domains", assess.Shown(d), "not an e-mail domain", "a domain such as example.com")
		}
	}
	if in.JIT && len(in.AllowedDomains) == 0 {
		errs.Add("allowed_domains", "", "accounts made at first sign-in need the e-mail domains they may come from", "one or more domains, such as example.com")
	}
	if in.GroupClaim == "" && len(in.AdminGroups)+len(in.CreatorGroups) > 0 {
		errs.Add("group_claim", "", "groups are named but not the claim that lists them", `the ID-token claim with the groups, such as "groups"`)
	}
}

// checkIssuer wants an https URL; plain http only on this machine's
// loopback, where nothing travels over a network.
func checkIssuer(issuer string) string {
	u, err := url.Parse(issuer)
	switch {
	case issuer == "":
		return "is empty"
	case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		return "not an absolute URL without query"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return ""
	}
	return "must use https"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *ssoCache) forget(issuer string) {
	c.mu.Lock()
	delete(c.m, issuer)
	c.mu.Unlock()
}

// discover returns the provider for an issuer, from the cache while fresh.
// Discovery refuses a provider that names another issuer than the one
// configured.
func (s *Service) discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	now := s.clock()
	s.sso.mu.Lock()
	c, ok := s.sso.m[issuer]
	s.sso.mu.Unlock()
	if ok && now.Sub(c.at) < ssoDiscoveryTTL {
		return c.p, nil
	}
	p, err := oidc.NewProvider(s.ssoContext(ctx), issuer)
	if err != nil {
		return nil, err
	}
	s.sso.mu.Lock()
	s.sso.m[issuer] = ssoCached{p: p, at: now}
	s.sso.mu.Unlock()
	return p, nil
}

// ssoContext carries the HTTP client for talking to providers; the key
// set keeps it for later fetches.
func (s *Service) ssoContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, &http.Client{Timeout: ssoHTTPTimeout})
}

func oauthConfig(sp assess.SSOProvider, op *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: sp.ClientID, ClientSecret: sp.ClientSecret, Endpoint: op.Endpoint(), RedirectURL: redirectURL, Scopes: sp.Scopes}
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// SSOStart is where to send the browser, and the state to bind to it (in
// a cookie) so that only the browser that began a sign-in can finish it.
type SSOStart struct {
	URL   string
	State string
}

// StartSSO begins a sign-in with a provider: it keeps the state, nonce and
// PKCE verifier and returns the provider's authorization URL. It needs no
// principal: it is how one comes to be. next is where to go once signed in.
func (s *Service) StartSSO(ctx context.Context, provider, redirectURL, next string) (SSOStart, error) {
	return s.startSSO(ctx, provider, redirectURL, next, 0)
}

// StartLinkSSO begins linking the signed-in account to a provider: the
// same flow, whose answer links the provider's subject to p's account.
func (s *Service) StartLinkSSO(ctx context.Context, p Principal, provider, redirectURL string) (SSOStart, error) {
	if err := byAccount(p, "link a single sign-on identity"); err != nil {
		return SSOStart{}, err
	}
	return s.startSSO(ctx, provider, redirectURL, "/account", p.User.ID)
}

// byAccount refuses all but a person signed in with their account: the
// command line has no account, and a token must not link or unlink
// identities (a leaked one could then sign in as its owner).
func byAccount(p Principal, what string) error {
	if err := bySignIn(p, what); err != nil {
		return err
	}
	return requireAccount(p, "single sign-on identities")
}

func (s *Service) startSSO(ctx context.Context, name, redirectURL, next string, linkUser int64) (SSOStart, error) {
	sp, err := s.enabledProvider(ctx, name)
	if err != nil {
		return SSOStart{}, err
	}
	op, err := s.discover(ctx, sp.Issuer)
	if err != nil {
		return SSOStart{}, ssoRefused(sp, "its discovery document could not be read or names another issuer", err)
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	err = s.store.PutSSOState(ctx, assess.SSOState{StateHash: TokenHash(state), Provider: sp.Name, Nonce: nonce, Verifier: verifier,
		LinkUserID: linkUser, Next: next, ExpiresAt: s.now().Add(SSOStateLifetime)})
	if err != nil {
		return SSOStart{}, err
	}
	u := oauthConfig(sp, op, redirectURL).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return SSOStart{URL: u, State: state}, nil
}

func (s *Service) enabledProvider(ctx context.Context, name string) (assess.SSOProvider, error) {
	sp, err := s.store.SSOProvider(ctx, strings.ToLower(name))
	if err == nil && !sp.Enabled {
		err = assess.Errorf(assess.KindNotFound, "single sign-on with %q is turned off on this site", sp.DisplayName)
	}
	return sp, err
}

// ssoRefused is a refused single sign-on, in words for the sign-in page.
func ssoRefused(sp assess.SSOProvider, why string, cause error) error {
	name := sp.DisplayName
	if name == "" {
		name = "the identity provider"
	}
	msg := "Sign-in with " + name + " failed: " + why
	if cause != nil {
		return assess.Wrap(assess.KindUnauthenticated, cause, msg)
	}
	return assess.Errorf(assess.KindUnauthenticated, "%s", msg)
}

// SSOCallback is the provider's answer as the browser brings it back.
type SSOCallback struct {
	State, Code string
	// Error and ErrorDescription are the provider's refusal, if any.
	Error, ErrorDescription string
	RedirectURL             string
	Addr                    string
}

// SSOResult is a finished single sign-on: the account signed in (or
// linked), where to go next, and the provider's authentication methods
// (the ID token's amr claim) for a second-factor step to weigh.
type SSOResult struct {
	User     assess.User
	Provider string
	Next     string
	// Linked is a link flow's end: User is the signed-in account that was
	// linked, and no new session is due.
	Linked bool
	AMR    []string
}

// ssoClaims are the ID-token claims isogap reads.
type ssoClaims struct {
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
	Name          string `json:"name"`
}

// FinishSSO checks a provider's answer and signs the person in (or links
// the account that began the flow). Every refusal says why in words and,
// when it concerns an account, is recorded in its security history. It
// needs no principal: it is how one comes to be.
func (s *Service) FinishSSO(ctx context.Context, in SSOCallback) (SSOResult, error) {
	res, userID, err := s.finishSSO(ctx, in)
	if outcome, ok := signInOutcome(err); ok {
		s.obs.SignIn(outcome)
	}
	if err != nil {
		if userID != 0 {
			if eerr := s.event(ctx, s.store, userID, assess.EventSignInFailed, res.Provider+": "+err.Error(), in.Addr); eerr != nil {
				return SSOResult{}, eerr
			}
		}
		return SSOResult{}, err
	}
	return res, nil
}

// finishSSO returns, with a refusal, the account it concerns (0: none
// known), for the security history.
func (s *Service) finishSSO(ctx context.Context, in SSOCallback) (SSOResult, int64, error) {
	st, err := s.store.TakeSSOState(ctx, TokenHash(in.State), s.now())
	if assess.KindOf(err) == assess.KindNotFound {
		return SSOResult{}, 0, assess.Errorf(assess.KindUnauthenticated,
			"Sign-in failed: this sign-in was used already, took longer than %d minutes or was never started here: start again", int(SSOStateLifetime.Minutes()))
	}
	if err != nil {
		return SSOResult{}, 0, err
	}
	res := SSOResult{Provider: st.Provider, Next: st.Next, Linked: st.LinkUserID != 0}
	sp, err := s.enabledProvider(ctx, st.Provider)
	if err != nil {
		return res, st.LinkUserID, err
	}
	if in.Error != "" {
		why := in.Error
		if in.ErrorDescription != "" {
			why += " (" + in.ErrorDescription + ")"
		}
		return res, st.LinkUserID, ssoRefused(sp, "the provider answered "+assess.Shown(why), nil)
	}
	op, err := s.discover(ctx, sp.Issuer)
	if err != nil {
		return res, st.LinkUserID, ssoRefused(sp, "its discovery document could not be read or names another issuer", err)
	}
	octx := s.ssoContext(ctx)
	tok, err := oauthConfig(sp, op, in.RedirectURL).Exchange(octx, in.Code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return res, st.LinkUserID, ssoRefused(sp, "the provider did not exchange the code for tokens", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return res, st.LinkUserID, ssoRefused(sp, "the provider sent no ID token", nil)
	}
	idt, err := op.VerifierContext(octx, &oidc.Config{ClientID: sp.ClientID, Now: s.clock}).Verify(octx, raw)
	if err != nil {
		return res, st.LinkUserID, ssoRefused(sp, verifyProblem(err), err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return res, st.LinkUserID, ssoRefused(sp, "the ID token carries the nonce of another sign-in (a replayed token)", nil)
	}
	var all map[string]any
	var c ssoClaims
	if err := idt.Claims(&all); err != nil {
		return res, st.LinkUserID, ssoRefused(sp, "the ID token's claims could not be read", err)
	}
	if err := idt.Claims(&c); err != nil {
		return res, st.LinkUserID, ssoRefused(sp, "the ID token's claims could not be read", err)
	}
	res.AMR = stringsClaim(all["amr"])
	if st.LinkUserID != 0 {
		u, err := s.linkIdentity(ctx, sp, st.LinkUserID, idt.Subject, c.Email, in.Addr)
		res.User = u
		return res, st.LinkUserID, err
	}
	u, known, err := s.ssoAccount(ctx, sp, idt.Subject, c, all, in.Addr)
	res.User = u
	return res, known, err
}

// verifyProblem says in words why an ID token was refused.
func verifyProblem(err error) string {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return "the ID token has expired (if this happens every time, check this server's clock)"
	case strings.Contains(msg, "expected audience"):
		return "the ID token was issued to another application (its audience is not this site's client id)"
	case strings.Contains(msg, "different provider"):
		return "the ID token was issued by another issuer than the one configured"
	case strings.Contains(msg, "signature"):
		return "the ID token's signature does not match the provider's published keys"
	}
	return "the ID token is not valid"
}

// stringsClaim reads a claim that holds a list of strings or one string.
func stringsClaim(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func verified(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return t == "true" // some providers send it as a string
	}
	return false
}

// ssoAccount finds (or, just in time, makes) the account of a provider's
// subject, applies the group mapping and records the sign-in. With a
// refusal it returns the account concerned, if any.
func (s *Service) ssoAccount(ctx context.Context, sp assess.SSOProvider, subject string, c ssoClaims, all map[string]any, addr string) (assess.User, int64, error) {
	var u assess.User
	var known int64
	err := s.store.InTx(ctx, func(st store.Store) error {
		var err error
		u, err = st.IdentityUser(ctx, sp.Name, subject)
		if assess.KindOf(err) == assess.KindNotFound {
			u, known, err = s.jitAccount(ctx, st, sp, subject, c)
		}
		if err != nil {
			return err
		}
		known = u.ID
		if u.Disabled {
			return assess.Errorf(assess.KindUnauthenticated, "this account is disabled: ask a site administrator")
		}
		detail := "via " + sp.Name
		if sp.GroupClaim != "" {
			var change string
			u, change = applyGroups(sp, u, stringsClaim(all[sp.GroupClaim]))
			if change != "" {
				if err := st.UpdateUser(ctx, u); err != nil {
					return err
				}
				detail += " (" + change + ")"
			}
		}
		return s.firstFactorEvent(ctx, st, u, detail, addr)
	})
	return u, known, err
}

// jitAccount is the sign-in of a subject no account is linked to: an
// account is made when the provider allows it and the person's verified
// e-mail address is in an allowed domain. An address that an account has
// already never opens it: its holder signs in with the password and links
// the provider from their account page.
func (s *Service) jitAccount(ctx context.Context, st store.Store, sp assess.SSOProvider, subject string, c ssoClaims) (assess.User, int64, error) {
	email := strings.TrimSpace(c.Email)
	if email != "" {
		users, err := st.ListUsers(ctx)
		if err != nil {
			return assess.User{}, 0, err
		}
		for _, u := range users {
			if strings.EqualFold(u.Email, email) {
				return assess.User{}, u.ID, ssoRefused(sp, fmt.Sprintf("an isogap account with the e-mail address %s exists already: sign in with its password, then link %s on your account page", email, sp.DisplayName), nil)
			}
		}
	}
	if !sp.JIT {
		return assess.User{}, 0, ssoRefused(sp, "no isogap account is linked to this identity: ask a site administrator for an account, then link it on your account page", nil)
	}
	if email == "" || !verified(c.EmailVerified) {
		return assess.User{}, 0, ssoRefused(sp, "the provider did not send a verified e-mail address, which a new account needs", nil)
	}
	_, domain, _ := strings.Cut(strings.ToLower(email), "@")
	if !slices.Contains(sp.AllowedDomains, domain) {
		return assess.User{}, 0, ssoRefused(sp, fmt.Sprintf("accounts are not made for e-mail addresses at %s: ask a site administrator", assess.Shown(domain)), nil)
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	login, err := freeLogin(ctx, st, email)
	if err != nil {
		return assess.User{}, 0, err
	}
	u := assess.User{Login: login, Name: name, Email: email, CreatedAt: s.now()}
	errs := &assess.FieldErrors{Context: "account from " + sp.DisplayName}
	validateUser(errs, u)
	if err := errs.Err(); err != nil {
		return u, 0, ssoRefused(sp, "the account could not be made", err)
	}
	// No password: the account signs in through the provider until an
	// administrator sets one.
	u, err = st.CreateUser(ctx, u, "", false)
	if err != nil {
		return u, 0, err
	}
	if err := st.LinkIdentity(ctx, assess.Identity{Provider: sp.Name, Subject: subject, UserID: u.ID, Email: email, LinkedAt: s.now()}); err != nil {
		return u, u.ID, err
	}
	return u, u.ID, s.event(ctx, st, u.ID, assess.EventIdentityLinked, sp.Name+" (account made at first sign-in)", "")
}

// freeLogin derives a login from an e-mail address: the address itself,
// or with a number when it is taken.
func freeLogin(ctx context.Context, st store.Store, email string) (string, error) {
	base := NormalizeLogin(email)
	for i := 1; i < 100; i++ {
		login := base
		if i > 1 {
			login = fmt.Sprintf("%s-%d", base, i)
		}
		_, _, err := st.UserByLogin(ctx, login)
		if assess.KindOf(err) == assess.KindNotFound {
			return login, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", assess.Errorf(assess.KindConflict, "no free login for %s", email)
}

// applyGroups sets the site rights a provider's groups give, both ways: a
// group removed at the provider removes the right at the next sign-in.
// Rights whose group list is empty are left as they are.
func applyGroups(sp assess.SSOProvider, u assess.User, groups []string) (assess.User, string) {
	var changes []string
	in := func(want []string) bool {
		return slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(want, g) })
	}
	if len(sp.AdminGroups) > 0 {
		if a := in(sp.AdminGroups); a != u.Admin {
			u.Admin = a
			changes = append(changes, map[bool]string{true: "administrator granted", false: "administrator withdrawn"}[a])
		}
	}
	if len(sp.CreatorGroups) > 0 {
		if c := in(sp.CreatorGroups); c != u.CreatesAssessments {
			u.CreatesAssessments = c
			changes = append(changes, map[bool]string{true: "may start assessments", false: "may no longer start assessments"}[c])
		}
	}
	return u, strings.Join(changes, ", ")
}

// linkIdentity links a provider's subject to the account that began the
// flow.
func (s *Service) linkIdentity(ctx context.Context, sp assess.SSOProvider, userID int64, subject, email, addr string) (assess.User, error) {
	var u assess.User
	err := s.store.InTx(ctx, func(st store.Store) error {
		var err error
		if u, err = st.GetUser(ctx, userID); err != nil {
			return err
		}
		if u.Disabled {
			return assess.Errorf(assess.KindUnauthenticated, "this account is disabled: ask a site administrator")
		}
		if other, err := st.IdentityUser(ctx, sp.Name, subject); err == nil {
			if other.ID == u.ID {
				return nil
			}
			return assess.Errorf(assess.KindConflict, "this %s identity is linked to another isogap account already", sp.DisplayName)
		}
		if err := st.LinkIdentity(ctx, assess.Identity{Provider: sp.Name, Subject: subject, UserID: u.ID, Email: email, LinkedAt: s.now()}); err != nil {
			return err
		}
		return s.event(ctx, st, u.ID, assess.EventIdentityLinked, sp.Name, addr)
	})
	return u, err
}

// LinkedIdentity is one of an account's links, with its provider's name
// for people.
type LinkedIdentity struct {
	assess.Identity
	DisplayName string
}

// Identities lists the signed-in account's links to providers.
func (s *Service) Identities(ctx context.Context, p Principal) ([]LinkedIdentity, error) {
	if err := byAccount(p, "read single sign-on identities"); err != nil {
		return nil, err
	}
	ids, err := s.store.Identities(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	provs, err := s.store.SSOProviders(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]LinkedIdentity, len(ids))
	for i, id := range ids {
		out[i] = LinkedIdentity{Identity: id, DisplayName: id.Provider}
		for _, sp := range provs {
			if sp.Name == id.Provider {
				out[i].DisplayName = sp.DisplayName
			}
		}
	}
	return out, nil
}

// UnlinkIdentity removes the signed-in account's link to a provider,
// after checking the account's password: a stolen session must not cut
// the person off their own way in (nor an account without a password).
func (s *Service) UnlinkIdentity(ctx context.Context, p Principal, provider, password string) error {
	if err := byAccount(p, "unlink a single sign-on identity"); err != nil {
		return err
	}
	_, hash, err := s.store.UserByLogin(ctx, p.User.Login)
	if err != nil {
		return err
	}
	errs := &assess.FieldErrors{Context: "unlink " + provider}
	switch {
	case hash == "":
		errs.Add("password", "", "this account has no password, so this link is its only way in", "ask a site administrator to set a password first")
	case !CheckPassword(hash, password):
		errs.Add("password", "", "the password is wrong", "")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(st store.Store) error {
		if err := st.UnlinkIdentity(ctx, p.User.ID, provider); err != nil {
			return err
		}
		return s.event(ctx, st, p.User.ID, assess.EventIdentityUnlinked, provider, "")
	})
}

// ssoLockoutGuard refuses turning password sign-in off from the web
// unless the administrator doing it can still sign in: some provider is
// enabled and their account is linked to one. The command line is never
// refused: it is how a site recovers.
func (s *Service) ssoLockoutGuard(ctx context.Context, p Principal, in SiteSettings) error {
	if in.PasswordSignIn || p.System {
		return nil
	}
	provs, err := s.store.SSOProviders(ctx)
	if err != nil {
		return err
	}
	ids, err := s.store.Identities(ctx, p.User.ID)
	if err != nil {
		return err
	}
	errs := &assess.FieldErrors{Context: "site settings"}
	enabled := slices.ContainsFunc(provs, func(sp assess.SSOProvider) bool { return sp.Enabled })
	linked := slices.ContainsFunc(ids, func(id assess.Identity) bool {
		return slices.ContainsFunc(provs, func(sp assess.SSOProvider) bool { return sp.Enabled && sp.Name == id.Provider })
	})
	switch {
	case !enabled:
		errs.Add("password_sign_in", "off", "no single sign-on provider is enabled, so nobody could sign in",
			"add and enable a provider on the Single sign-on page first")
	case !linked:
		errs.Add("password_sign_in", "off", "your account is not linked to an enabled single sign-on provider, so you could not sign in again",
			"link one on your account page (Link …), sign in with it once, then turn password sign-in off")
	}
	return errs.Err()
}
