package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/web"
)

func cookieNamed(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// The site requires administrators to use two factors: an administrator
// without one is taken to enrolment after the password, reaches no other
// page until enrolled, then is signed in; a non-administrator signs in at
// once. Then signing in asks for a code, and the sessions page lists them.
func TestRequire2FAForAdminsInBrowser(t *testing.T) {
	s := newSite(t, engines[0].open(t), web.Config{})
	ctx := context.Background()
	cli := app.System("test")
	for _, u := range []app.NewUser{{Login: "root", Name: "Root", Password: "root's long passphrase", Admin: true},
		{Login: "dana", Name: "Dana", Password: "dana's long passphrase"}} {
		if _, err := s.svc.CreateUser(ctx, cli, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.svc.UpdateSiteSettings(ctx, cli, app.SiteSettings{PasswordSignIn: true, Require2FA: app.Require2FAAdmins}); err != nil {
		t.Fatal(err)
	}
	if c, r := s.signIn("dana", "dana's long passphrase"); c == nil || r.header.Get("Location") != "/" {
		t.Fatalf("a non-administrator: %d → %s", r.status, r.header.Get("Location"))
	}
	r := s.anonymous().post("/login", form("login", "root", "password", "root's long passphrase"))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login/enrol") || cookieNamed(r, "isogap_session") != nil {
		t.Fatalf("the administrator: %d → %s", r.status, r.header.Get("Location"))
	}
	half := &client{site: s, cookie: cookieNamed(r, "isogap_step")}
	for _, path := range []string{"/", "/account", "/admin/users", "/account/security", "/login/step"} {
		if r := half.get(path); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("%s before enrolling: %d → %s", path, r.status, r.header.Get("Location"))
		}
	}
	r = half.get("/login/enrol")
	secret := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(r.body)
	factor := regexp.MustCompile(`name="factor" value="(\d+)"`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || secret == nil || factor == nil || !strings.Contains(r.body, `src="data:image/png;base64,`) {
		t.Fatalf("enrolment page: %d\n%s", r.status, r.body)
	}
	code, _ := app.TOTPCode(secret[1], s.svc.Now())
	r = half.post("/login/enrol", form("factor", factor[1], "name", "phone", "code", code))
	if r.status != http.StatusOK || len(regexp.MustCompile(`<li><code>[a-z2-9-]{19}</code></li>`).FindAllString(r.body, -1)) != 10 {
		t.Fatalf("confirmed: %d\n%s", r.status, r.body)
	}
	r = half.post("/login/enrol/done", form("next", "/admin/users"))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/users" {
		t.Fatalf("done: %d → %s", r.status, r.header.Get("Location"))
	}
	root := &client{site: s, cookie: sessionCookie(t, r)}
	if r := root.get("/admin/users"); r.status != http.StatusOK {
		t.Errorf("signed in after enrolling: %d", r.status)
	}
	if r := half.post("/login/enrol/done", form()); r.status != http.StatusSeeOther || cookieNamed(r, "isogap_session") != nil {
		t.Errorf("the half-way sign-in used twice: %d", r.status)
	}

	// Next time, a code is asked.
	r = s.anonymous().post("/login", form("login", "root", "password", "root's long passphrase"))
	if !strings.HasPrefix(r.header.Get("Location"), "/login/step") {
		t.Fatalf("second sign-in: %d → %s", r.status, r.header.Get("Location"))
	}
	step := &client{site: s, cookie: cookieNamed(r, "isogap_step")}
	if r := step.post("/login/step", form("code", "000000")); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "wrong code") {
		t.Errorf("a wrong code: %d", r.status)
	}
	if r := step.post("/login/step", form("code", code)); r.status != http.StatusUnauthorized {
		t.Errorf("the enrolment's code replayed: %d", r.status)
	}
	r = root.get("/account/security")
	if r.status != http.StatusOK || strings.Count(r.body, `class="session"`) != 1 || !strings.Contains(r.body, "this browser") || !strings.Contains(r.body, "phone") {
		t.Errorf("security page: %d\n%s", r.status, r.body)
	}
}
