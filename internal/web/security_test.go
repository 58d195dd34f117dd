package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/web"
)

func sessionCookie(t testing.TB, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "isogap_session" {
			return c
		}
	}
	t.Fatalf("no session cookie (status %d)", r.status)
	return nil
}

func TestFirstRunSetupOnce(t *testing.T) {
	s := newSite(t, engines[0].open(t), web.Config{})
	anon := s.anonymous()
	if r := anon.get("/"); r.status != 303 || r.header.Get("Location") != "/setup" {
		t.Fatalf("fresh site: %d → %s", r.status, r.header.Get("Location"))
	}
	if r := anon.post("/setup", form("login", "dana", "name", "Dana", "password", "short", "password2", "short")); r.status != 422 || !strings.Contains(r.body, "too short") {
		t.Errorf("short password: %d", r.status)
	}
	r := anon.post("/setup", form("login", "dana", "name", "Dana", "password", "a long enough passphrase", "password2", "a long enough passphrase"))
	if r.status != 303 {
		t.Fatalf("setup: %d %s", r.status, excerpt(r.body))
	}
	if c := sessionCookie(t, r); c.Value == "" {
		t.Error("setup did not sign the administrator in")
	}
	u, err := s.svc.UserByLogin(context.Background(), app.System("test"), "dana")
	if err != nil || !u.Admin {
		t.Errorf("first account: %+v %v", u, err)
	}
	// Afterwards the setup is closed.
	if r := anon.post("/setup", form("login", "eve", "name", "Eve", "password", "another long passphrase", "password2", "another long passphrase")); r.status != http.StatusConflict {
		t.Errorf("second setup: %d, want 409", r.status)
	}
	if r := anon.get("/setup"); r.status != 303 || r.header.Get("Location") != "/login" {
		t.Errorf("setup page after setup: %d %s", r.status, r.header.Get("Location"))
	}
}

func TestSignInThrottledAndCookies(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			dsn := e.fresh(t)
			s := newSite(t, e.openDB(t, dsn), web.Config{})
			s.user("ann", false)
			anon := s.anonymous()
			ok := form("login", "ann", "password", "correct horse battery")
			r := anon.post("/login", ok)
			c := sessionCookie(t, r)
			if r.status != 303 || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
				t.Errorf("session cookie over plain HTTP: %+v (status %d)", c, r.status)
			}
			// The token is stored hashed: the cookie's value is not in the database.
			if _, err := s.svc.ResolveSession(context.Background(), c.Value, time.Hour); err != nil {
				t.Fatalf("fresh session: %v", err)
			}
			// A second instance (its own connection pool) on the same database knows the session.
			other := newSite(t, e.openDB(t, dsn), web.Config{})
			if r := (&client{site: other, cookie: c}).get("/"); r.status != 200 {
				t.Errorf("the session is unknown to a second instance: %d", r.status)
			}
			// Signing out ends the session on the server, not just in the browser.
			if r := (&client{site: s, cookie: c}).post("/logout", nil); r.status != 303 || r.header.Get("Clear-Site-Data") != `"cache"` {
				t.Errorf("logout: %d, Clear-Site-Data %q", r.status, r.header.Get("Clear-Site-Data"))
			}
			if r := (&client{site: s, cookie: c}).get("/"); r.status != 303 || r.header.Get("Location") != "/login" {
				t.Errorf("the old cookie still works after signing out: %d", r.status)
			}
			// Five wrong passwords lock the account from this address for a while, even for the right password.
			for i := 0; i < app.MaxFailuresPair; i++ {
				if r := anon.post("/login", form("login", "ann", "password", "wrong guess "+itoa(int64(i)))); r.status != 401 || !strings.Contains(r.body, "wrong login or password") {
					t.Fatalf("wrong password %d: %d", i, r.status)
				}
			}
			r = anon.post("/login", ok)
			if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "too many failed sign-ins") {
				t.Errorf("after %d failures: %d, want 429", app.MaxFailuresPair, r.status)
			}
			// The counters live in the database: the other instance refuses too.
			if r := other.anonymous().post("/login", ok); r.status != http.StatusTooManyRequests {
				t.Errorf("second instance after the failures: %d, want 429", r.status)
			}
			// Unknown logins count against the address.
			for i := 0; i < app.MaxFailuresAddress; i++ {
				anon.post("/login", form("login", "nobody"+itoa(int64(i)), "password", "x"))
			}
			s.user("zed", false)
			if r := anon.post("/login", form("login", "zed", "password", "correct horse battery")); r.status != http.StatusTooManyRequests {
				t.Errorf("after %d failures from one address: %d, want 429", app.MaxFailuresAddress, r.status)
			}
		})
	}
}

// Guessing someone's password from one address does not lock them out:
// they sign in from another, while the guesser is told when to retry.
func TestGuessingLocksOnlyTheGuesser(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSite(t, e.open(t), web.Config{TrustProxy: true})
		s.user("ann", false)
		from := func(addr string) *client {
			return &client{site: s, header: http.Header{"X-Forwarded-For": {addr}}}
		}
		attacker, owner := from("198.51.100.7"), from("192.0.2.10")
		for i := range 50 {
			attacker.post("/login", form("login", "ann", "password", "guess "+itoa(int64(i))))
		}
		ok := form("login", "ann", "password", "correct horse battery")
		if r := owner.post("/login", ok); r.status != http.StatusSeeOther {
			t.Errorf("the owner from another address after 50 guesses: %d, want 303", r.status)
		}
		r := attacker.post("/login", ok)
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != itoa(int64(app.LoginWindow.Seconds())) {
			t.Errorf("the guessing address with the right password: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
	})
}

func TestSecureCookieBehindProxy(t *testing.T) {
	st := engines[0].open(t)
	for _, tc := range []struct {
		trust  bool
		secure bool
	}{{false, false}, {true, true}} {
		s := newSite(t, st, web.Config{TrustProxy: tc.trust})
		if _, err := s.svc.UserByLogin(context.Background(), app.System("test"), "ann"); err != nil {
			s.user("ann", false)
		}
		c := &client{site: s, header: http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-For": {"203.0.113.7"}}}
		r := c.post("/login", form("login", "ann", "password", "correct horse battery"))
		if got := sessionCookie(t, r).Secure; got != tc.secure {
			t.Errorf("TrustProxy %v with X-Forwarded-Proto https: Secure %v, want %v", tc.trust, got, tc.secure)
		}
	}
}

func TestNoOpenRedirectAfterSignIn(t *testing.T) {
	s := newSite(t, engines[0].open(t), web.Config{})
	s.user("ann", false)
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/\t/evil.example", "/#\t", "/\n/evil.example"} {
		r := s.anonymous().post("/login", form("login", "ann", "password", "correct horse battery", "next", next))
		if loc := r.header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirects to %q", next, loc)
		}
	}
	r := s.anonymous().post("/login", form("login", "ann", "password", "correct horse battery", "next", "/a/x/matrix?dept=HR"))
	if loc := r.header.Get("Location"); loc != "/a/x/matrix?dept=HR" {
		t.Errorf("a local next: %q", loc)
	}
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	// html/template escapes < and > inside attribute values, so a tag ends at
	// the first >; quoted values are dropped before looking at attribute names.
	startTag    = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	quoted      = regexp.MustCompile(`"[^"]*"|'[^']*'`)
	inlineStyle = regexp.MustCompile(`(?i)\sstyle\s*=|^<style`)
	inlineEvent = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
)

var (
	labelFor  = regexp.MustCompile(`<label[^>]*\sfor="([^"]+)"`)
	formField = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	attrID    = regexp.MustCompile(`\sid="([^"]+)"`)
	attrType  = regexp.MustCompile(`\stype="([^"]+)"`)
)

// unlabelled lists the form fields of a page that no label names and that
// have no aria-label: every field must say what it is to a screen reader.
func unlabelled(body string) []string {
	labels := map[string]bool{}
	for _, m := range labelFor.FindAllStringSubmatch(body, -1) {
		labels[m[1]] = true
	}
	var out []string
	for _, f := range formField.FindAllString(body, -1) {
		if m := attrType.FindStringSubmatch(f); m != nil && (m[1] == "hidden" || m[1] == "submit") {
			continue
		}
		if strings.Contains(f, "aria-label=") {
			continue
		}
		if m := attrID.FindStringSubmatch(f); m != nil && labels[m[1]] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Every page keeps to the Content-Security-Policy: no inline script, style
// or event handler; user text is escaped; every form field is labelled.
func TestPagesKeepToTheContentSecurityPolicy(t *testing.T) {
	ctx := context.Background()
	s := newSite(t, engines[0].open(t), web.Config{})
	admin, _ := s.user("root", true)
	demo, err := s.svc.CreateDemo(ctx, app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	a, err := s.svc.CreateAssessment(ctx, app.System("t"), app.NewAssessment{Org: "Evil " + evil, Scope: evil,
		Stakeholders: []assess.Stakeholder{{Name: evil, Department: "HR"}}})
	if err != nil {
		t.Fatal(err)
	}
	note := evil
	if _, err := s.svc.UpdateItem(ctx, app.System(evil), a.ID, "4.1", 0, app.ItemPatch{Notes: &note, Owner: &note, Action: &note}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.AddEvidence(ctx, app.System(evil), a.ID, "4.1", app.NewEvidence{URL: "https://x.example/?q=" + url.QueryEscape(evil), Text: evil}); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, id := range []string{demo.ID, a.ID} {
		for _, p := range []string{"/", "/scope", "/stakeholders", "/matrix", "/matrix?status=below&q=access", "/items/4.1", "/items/A.8.13",
			"/soa", "/history", "/downloads", "/members", "/forecast", "/forecast?preview=1&v%3Aday_rate=700&was_v%3Aday_rate=600",
			"/roadmap", "/roadmap?by=department&phase=Foundations&late=1", "/risks", "/risks?level=High&sort=owner", "/history?from=" + id + "&to=" + id} {
			paths = append(paths, "/a/"+id+p)
		}
	}
	paths = append(paths, "/", "/new", "/account", "/admin/users", "/admin/users/root", "/a/nope/")
	for _, p := range paths {
		r := admin.get(p)
		if r.status != 200 && !(p == "/a/nope/" && r.status == 404) {
			t.Errorf("%s: %d\n%s", p, r.status, excerpt(r.body))
			continue
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: framing/sniffing headers %v", p, r.header)
		}
		for _, m := range inlineScript.FindAllString(r.body, -1) {
			if !strings.Contains(m, `src="/static/`) {
				t.Errorf("%s: inline script %q", p, m)
			}
		}
		for _, tag := range startTag.FindAllString(r.body, -1) {
			bare := quoted.ReplaceAllString(tag, `""`)
			if inlineStyle.MatchString(bare) || inlineEvent.MatchString(bare) {
				t.Errorf("%s: inline style or event handler in %q", p, tag)
			}
		}
		if strings.Contains(r.body, evil) {
			t.Errorf("%s: user text is not escaped", p)
		}
		for _, f := range unlabelled(r.body) {
			t.Errorf("%s: form field without a label: %s", p, f)
		}
	}
	// Static files come from content-hash URLs, cached for good.
	page := admin.get("/")
	css := regexp.MustCompile(`/static/app\.[0-9a-f]{10}\.css`).FindString(page.body)
	if r := s.anonymous().get(css); css == "" || r.status != 200 || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
		t.Errorf("stylesheet %q: %d %v", css, r.status, r.header)
	}
	if r := s.anonymous().get("/static/app.0000000000.css"); r.status != 404 {
		t.Errorf("a stale asset URL: %d", r.status)
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	s := newSite(t, engines[0].open(t), web.Config{AccessLog: true, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	s.anonymous().get("/healthz")
	s.anonymous().get("/a/x/")
	log := buf.String()
	for _, want := range []string{"path=/healthz status=200", "path=/a/x/ status=303", "client=127.0.0.1"} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %q:\n%s", want, log)
		}
	}
}
