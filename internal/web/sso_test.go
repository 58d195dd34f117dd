package web_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/web"
)

// testOP is a real OpenID Provider (zitadel/oidc's op package, with its
// example's in-memory storage) on a loopback port. Its login step signs in
// whoever the test names; the knobs below make it misbehave as a broken
// or hostile provider would.
type testOP struct {
	srv *httptest.Server
	st  *opStorage
}

type opStorage struct {
	*storage.Storage
	users *opUsers
	mu    sync.Mutex
	// who the login step signs in
	next string
	// clientID, nonce: when set, the ID token is issued to that client, or
	// carries that nonce
	clientID string
	nonce    string
	// lastNonce is the nonce of the last code exchanged
	lastNonce string
	// rogueKey signs tokens with a key the provider does not publish
	rogueKey *rsa.PrivateKey
}

type opUsers struct {
	mu     sync.Mutex
	m      map[string]*storage.User
	groups map[string][]string
}

func (u *opUsers) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m[id]
}

func (u *opUsers) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, v := range u.m {
		if v.Username == name {
			return v
		}
	}
	return nil
}

func (u *opUsers) ExampleClientID() string { return "service" }

// client makes the provider put the person's claims in the ID token (as
// Entra ID, Google and Keycloak do) and issue short-lived ID tokens.
type opClient struct {
	op.Client
	id string // when set, the client the provider believes it serves
}

func (c opClient) GetID() string {
	if c.id != "" {
		return c.id
	}
	return c.Client.GetID()
}

func (opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (opClient) IDTokenLifetime() time.Duration       { return time.Minute }

func (s *opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return opClient{Client: c, id: s.clientID}, nil
}

type opRequest struct {
	op.AuthRequest
	clientID string
	nonce    string
}

func (r opRequest) GetClientID() string {
	if r.clientID != "" {
		return r.clientID
	}
	return r.AuthRequest.GetClientID()
}

func (r opRequest) GetAudience() []string {
	if r.clientID != "" {
		return []string{r.clientID}
	}
	return r.AuthRequest.GetAudience()
}

func (r opRequest) GetNonce() string {
	if r.nonce != "" {
		return r.nonce
	}
	return r.AuthRequest.GetNonce()
}

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastNonce = r.GetNonce()
	return opRequest{AuthRequest: r, clientID: s.clientID, nonce: s.nonce}, nil
}

type rogueKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k rogueKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k rogueKey) Key() any                                    { return k.key }
func (k rogueKey) ID() string                                  { return k.id }

func (s *opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.Storage.SigningKey(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.rogueKey == nil {
		return k, err
	}
	return rogueKey{id: k.ID(), key: s.rogueKey}, nil
}

func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	if g, ok := s.users.groups[req.GetSubject()]; ok {
		ui.AppendClaims("groups", g)
	}
	return nil
}

// newTestOP starts a provider whose client "isogap" (secret "s3cret")
// redirects to callback. issuer, when set, is what the provider calls
// itself instead of its address.
func newTestOP(t *testing.T, callback, issuer string) *testOP {
	t.Helper()
	users := &opUsers{m: map[string]*storage.User{}, groups: map[string][]string{}}
	st := &opStorage{users: users, Storage: storage.NewStorageWithClients(users, map[string]*storage.Client{
		"isogap": storage.WebClient("isogap", "s3cret", callback)})}
	o := &testOP{st: st}
	mux := http.NewServeMux()
	o.srv = httptest.NewServer(mux)
	t.Cleanup(o.srv.Close)
	if issuer == "" {
		issuer = o.srv.URL
	}
	key := [32]byte{}
	_, _ = rand.Read(key[:])
	provider, err := op.NewProvider(&op.Config{CryptoKey: key, CodeMethodS256: true, AuthMethodPost: true}, st,
		op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	// The login step: the person the test named signs in at once.
	mux.Handle("/login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("authRequestID")
		st.mu.Lock()
		who := st.next
		st.mu.Unlock()
		u := users.GetUserByUsername(who)
		if u == nil {
			http.Error(w, "no such user at the provider", http.StatusUnauthorized)
			return
		}
		if err := st.CheckUsernamePassword(u.Username, u.Password, id); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(provider)(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	return o
}

// person adds someone at the provider and makes them the next to sign in.
func (o *testOP) person(sub, email string, verified bool, groups ...string) {
	o.st.users.mu.Lock()
	o.st.users.m[sub] = &storage.User{ID: sub, Username: sub, Password: "pw", FirstName: "Person", LastName: sub, Email: email, EmailVerified: verified}
	if groups != nil {
		o.st.users.groups[sub] = groups
	}
	o.st.users.mu.Unlock()
	o.as(sub)
}

func (o *testOP) as(sub string) {
	o.st.mu.Lock()
	o.st.next = sub
	o.st.mu.Unlock()
}

func (o *testOP) set(fn func(s *opStorage)) {
	o.st.mu.Lock()
	defer o.st.mu.Unlock()
	fn(o.st)
}

// ssoSite is an isogap site with a clock the test moves, and a provider.
type ssoSite struct {
	*site
	op    *testOP
	shift atomic.Int64
}

func newSSOSite(t *testing.T, e engine, sp assess.SSOProvider) *ssoSite {
	t.Helper()
	s := &ssoSite{}
	s.site = newSiteAt(t, e.open(t), web.Config{}, func() time.Time { return time.Now().Add(time.Duration(s.shift.Load())) })
	s.op = newTestOP(t, s.srv.URL+"/sso/callback", "")
	s.user("siteadmin", true) // a site with no account shows the first-run page instead

	if sp.Name == "" {
		sp = assess.SSOProvider{Name: "corp", DisplayName: "Corp ID", JIT: true, AllowedDomains: []string{"example.com"}, Enabled: true}
	}
	sp.Issuer, sp.ClientID, sp.ClientSecret = s.op.srv.URL, "isogap", "s3cret"
	if _, err := s.svc.SaveSSOProvider(context.Background(), app.System("test"), sp, true); err != nil {
		t.Fatal(err)
	}
	return s
}

// browser follows redirects across isogap and the provider, keeping
// cookies, and stops before isogap's callback so a test can look at it.
type ssoBrowser struct {
	t   *testing.T
	hc  *http.Client
	jar *cookiejar.Jar
}

func newSSOBrowser(t *testing.T) *ssoBrowser {
	jar, _ := cookiejar.New(nil)
	b := &ssoBrowser{t: t, jar: jar}
	b.hc = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/sso/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

func (b *ssoBrowser) get(u string) *http.Response {
	b.t.Helper()
	res, err := b.hc.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}

// toCallback clicks the sign-in button (or opens start) and goes through
// the provider's authorization and login, up to isogap's callback URL.
func (s *ssoSite) toCallback(t *testing.T, b *ssoBrowser, start string) string {
	t.Helper()
	if start == "" {
		login := body(t, b.get(s.srv.URL+"/login"))
		if !strings.Contains(login, `href="/sso/corp"`) || !strings.Contains(login, "Sign in with Corp ID") {
			t.Fatalf("the sign-in page has no button for the provider:\n%s", login)
		}
		start = "/sso/corp"
	}
	res := b.get(s.srv.URL + start)
	res.Body.Close()
	cb := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(cb, s.srv.URL+"/sso/callback?") {
		t.Fatalf("the provider did not send the ssoBrowser back to the callback: %d %q", res.StatusCode, cb)
	}
	return cb
}

// finish opens the callback as the ssoBrowser, without following where it
// leads; it returns the answer and its page.
func (b *ssoBrowser) finish(cb string) (*http.Response, string) {
	b.t.Helper()
	hc := &http.Client{Jar: b.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(cb)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, body(b.t, res)
}

func sessionOf(res *http.Response) string {
	for _, c := range res.Cookies() {
		if c.Name == "isogap_session" && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

// signIn runs the whole flow and wants it to succeed.
func (s *ssoSite) signIn(t *testing.T) (app.Principal, string) {
	t.Helper()
	b := newSSOBrowser(t)
	res, page := b.finish(s.toCallback(t, b, ""))
	tok := sessionOf(res)
	if res.StatusCode != http.StatusSeeOther || tok == "" {
		t.Fatalf("single sign-on: %d, session %q\n%s", res.StatusCode, tok, page)
	}
	p, err := s.svc.ResolveSession(context.Background(), tok, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return p, tok
}

// refused runs the flow and wants it refused in words, with no session.
func (s *ssoSite) refused(t *testing.T, b *ssoBrowser, cb, want string) {
	t.Helper()
	res, page := b.finish(cb)
	if tok := sessionOf(res); tok != "" || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("refusal: %d, session %q", res.StatusCode, tok)
	}
	if !strings.Contains(page, want) {
		t.Errorf("the sign-in page does not say %q:\n%s", want, page)
	}
	if strings.Contains(page, "goroutine") || strings.Contains(page, ".go:") {
		t.Errorf("the page shows a stack trace:\n%s", page)
	}
}

func TestSSOSignIn(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSSOSite(t, e, assess.SSOProvider{})
		s.op.person("sub-ann", "ann@example.com", true)
		p, _ := s.signIn(t)
		if p.User.Login != "ann@example.com" || p.User.Email != "ann@example.com" || p.User.Admin {
			t.Fatalf("the account made at first sign-in: %+v", p.User)
		}
		// The second time, the same account, found by its subject.
		again, _ := s.signIn(t)
		if again.User.ID != p.User.ID {
			t.Errorf("second sign-in: account %d, want %d", again.User.ID, p.User.ID)
		}
		evs, err := s.svc.SecurityEvents(context.Background(), app.System("test"), p.User.Login, 0)
		if err != nil || len(evs) < 2 || evs[0].Kind != assess.EventSignIn || evs[0].Detail != "via corp" {
			t.Errorf("security history: %+v %v", evs, err)
		}
	})
}

func TestSSORefusals(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSSOSite(t, e, assess.SSOProvider{})
		s.op.person("sub-bea", "bea@example.com", true)
		ctx := context.Background()

		t.Run("wrong audience", func(t *testing.T) {
			s.op.set(func(o *opStorage) { o.clientID = "another-app" })
			defer s.op.set(func(o *opStorage) { o.clientID = "" })
			b := newSSOBrowser(t)
			s.refused(t, b, s.toCallback(t, b, ""), "issued to another application")
		})
		t.Run("expired", func(t *testing.T) {
			b := newSSOBrowser(t)
			cb := s.toCallback(t, b, "")
			s.shift.Store(int64(5 * time.Minute)) // the ID token lives a minute
			defer s.shift.Store(0)
			s.refused(t, b, cb, "the ID token has expired")
		})
		t.Run("bad signature", func(t *testing.T) {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			s.op.set(func(o *opStorage) { o.rogueKey = k })
			defer s.op.set(func(o *opStorage) { o.rogueKey = nil })
			b := newSSOBrowser(t)
			s.refused(t, b, s.toCallback(t, b, ""), "signature does not match")
		})
		t.Run("replayed state", func(t *testing.T) {
			b := newSSOBrowser(t)
			cb := s.toCallback(t, b, "")
			res, _ := b.finish(cb)
			if res.StatusCode != http.StatusSeeOther || sessionOf(res) == "" {
				t.Fatalf("first use: %d", res.StatusCode)
			}
			// The same answer again, with the state cookie put back, on a
			// second instance of isogap sharing the database.
			second := newSite(t, s.st, web.Config{})
			u, _ := url.Parse(cb)
			st := u.Query().Get("state")
			jar, _ := cookiejar.New(nil)
			su, _ := url.Parse(second.srv.URL + "/sso/")
			jar.SetCookies(su, []*http.Cookie{{Name: "isogap_sso", Value: st, Path: "/sso/"}})
			s.refused(t, &ssoBrowser{t: t, jar: jar}, second.srv.URL+"/sso/callback?"+u.RawQuery, "this sign-in was used already")
			s.refused(t, b, cb, "did not start this sign-in") // the first ssoBrowser's cookie is gone
		})
		t.Run("replayed nonce", func(t *testing.T) {
			s.signIn(t)
			var old string
			s.op.set(func(o *opStorage) { old = o.lastNonce; o.nonce = old })
			defer s.op.set(func(o *opStorage) { o.nonce = "" })
			b := newSSOBrowser(t)
			s.refused(t, b, s.toCallback(t, b, ""), "nonce of another sign-in")
		})
		t.Run("unknown issuer", func(t *testing.T) {
			rogue := newTestOP(t, s.srv.URL+"/sso/callback", "http://127.0.0.1:9/not-this-one")
			if _, err := s.svc.SaveSSOProvider(ctx, app.System("test"), assess.SSOProvider{Name: "rogue", DisplayName: "Rogue",
				Issuer: rogue.srv.URL, ClientID: "isogap", ClientSecret: "s3cret", Enabled: true}, true); err != nil {
				t.Fatal(err)
			}
			res, page := newSSOBrowser(t).finish(s.srv.URL + "/sso/rogue")
			if res.StatusCode != http.StatusUnauthorized || sessionOf(res) != "" || !strings.Contains(page, "names another issuer") {
				t.Errorf("unknown issuer: %d\n%s", res.StatusCode, page)
			}
		})
		t.Run("e-mail of a password account", func(t *testing.T) {
			_, dana := s.user("dana", true)
			dana.Email = "dana@example.com"
			if _, err := s.svc.UpdateUser(ctx, app.System("test"), dana); err != nil {
				t.Fatal(err)
			}
			s.op.person("sub-mallory", "dana@example.com", true)
			b := newSSOBrowser(t)
			s.refused(t, b, s.toCallback(t, b, ""), "sign in with its password, then link Corp ID on your account page")
			if ids, _ := s.st.Identities(ctx, dana.ID); len(ids) != 0 {
				t.Errorf("the password account was linked: %+v", ids)
			}
			evs, _ := s.svc.SecurityEvents(ctx, app.System("test"), "dana", 0)
			if len(evs) == 0 || evs[0].Kind != assess.EventSignInFailed {
				t.Errorf("dana's history does not show the attempt: %+v", evs)
			}
		})
		t.Run("disabled account", func(t *testing.T) {
			s.op.as("sub-bea")
			p, _ := s.signIn(t)
			u := p.User
			u.Disabled = true
			if _, err := s.svc.UpdateUser(ctx, app.System("test"), u); err != nil {
				t.Fatal(err)
			}
			b := newSSOBrowser(t)
			s.refused(t, b, s.toCallback(t, b, ""), "this account is disabled")
		})
	})
}

func TestSSOJustInTimeAndGroups(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSSOSite(t, e, assess.SSOProvider{Name: "corp", DisplayName: "Corp ID", JIT: true, AllowedDomains: []string{"example.com"},
			GroupClaim: "groups", AdminGroups: []string{"isogap admins"}, CreatorGroups: []string{"isms"}, Enabled: true})
		ctx := context.Background()
		s.op.person("sub-out", "eve@elsewhere.test", true)
		b := newSSOBrowser(t)
		s.refused(t, b, s.toCallback(t, b, ""), "accounts are not made for e-mail addresses at elsewhere.test")
		s.op.person("sub-unverified", "uma@example.com", false)
		b = newSSOBrowser(t)
		s.refused(t, b, s.toCallback(t, b, ""), "did not send a verified e-mail address")
		if n, _ := s.st.CountUsers(ctx); n != 1 {
			t.Errorf("%d accounts made for refused people", n)
		}

		s.op.person("sub-gus", "gus@example.com", true, "isogap admins", "isms")
		p, _ := s.signIn(t)
		if !p.User.Admin || !p.User.CreatesAssessments {
			t.Fatalf("groups did not grant the rights: %+v", p.User)
		}
		s.op.st.users.mu.Lock()
		s.op.st.users.groups["sub-gus"] = []string{"staff"}
		s.op.st.users.mu.Unlock()
		p, _ = s.signIn(t)
		if p.User.Admin || p.User.CreatesAssessments {
			t.Errorf("removed groups left the rights: %+v", p.User)
		}
		evs, _ := s.svc.SecurityEvents(ctx, app.System("test"), p.User.Login, 0)
		if len(evs) == 0 || !strings.Contains(evs[0].Detail, "administrator withdrawn") {
			t.Errorf("the history does not say the right was withdrawn: %+v", evs)
		}
	})
}

func TestSSOLinkAndPasswordSignInOff(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSSOSite(t, e, assess.SSOProvider{Name: "corp", DisplayName: "Corp ID", Enabled: true})
		ctx := context.Background()
		admin, u := s.user("root", true)
		// Turning password sign-in off before being linked is refused.
		res := admin.post("/admin/site", url.Values{"require_2fa": {""}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "your account is not linked") {
			t.Fatalf("turning password sign-in off unlinked: %d\n%s", res.status, res.body)
		}
		// Link from the account page: the same flow, as the signed-in person.
		s.op.person("sub-root", "someone@example.com", true)
		b := newSSOBrowser(t)
		su, _ := url.Parse(s.srv.URL)
		b.jar.SetCookies(su, []*http.Cookie{admin.cookie})
		if !strings.Contains(admin.get("/account").body, `href="/account/sso/corp/link"`) {
			t.Fatal("the account page offers no link")
		}
		res2, page := b.finish(s.toCallback(t, b, "/account/sso/corp/link"))
		if res2.StatusCode != http.StatusSeeOther || res2.Header.Get("Location") != "/account?ok=linked#sso" {
			t.Fatalf("linking: %d %s\n%s", res2.StatusCode, res2.Header.Get("Location"), page)
		}
		p, _ := s.signIn(t)
		if p.User.ID != u.ID {
			t.Fatalf("signed in as %+v, want the linked root", p.User)
		}
		if res := admin.post("/admin/site", url.Values{"require_2fa": {""}}); res.status != http.StatusSeeOther {
			t.Fatalf("turning password sign-in off once linked: %d\n%s", res.status, res.body)
		}
		res = s.anonymous().post("/login", url.Values{"login": {"root"}, "password": {"correct horse battery"}})
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "password sign-in is turned off") || strings.Contains(res.body, `name="password"`) {
			t.Errorf("password sign-in when off: %d\n%s", res.status, res.body)
		}
		// Unlinking needs the password.
		if res := admin.post("/account/sso/corp/unlink", url.Values{"password": {"wrong"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("unlink with a wrong password: %d", res.status)
		}
		if res := admin.post("/account/sso/corp/unlink", url.Values{"password": {"correct horse battery"}}); res.status != http.StatusSeeOther {
			t.Errorf("unlink: %d %s", res.status, res.body)
		}
		evs, _ := s.svc.SecurityEvents(ctx, app.System("test"), "root", 0)
		if len(evs) == 0 || evs[0].Kind != assess.EventIdentityUnlinked {
			t.Errorf("history after unlinking: %+v", evs)
		}
	})
}
