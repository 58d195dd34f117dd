package web_test

import (
	"context"
	"encoding/json"
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

// enrolTOTP gives u an authenticator app through the service, as u would
// on the account page, and returns its secret.
func (s *site) enrolTOTP(u assess.User) string {
	s.t.Helper()
	ctx := context.Background()
	token, err := s.svc.StartSession(ctx, app.Principal{User: u}, time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	p, err := s.svc.ResolveSession(ctx, token, time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	e, err := s.svc.BeginTOTP(ctx, p)
	if err != nil {
		s.t.Fatal(err)
	}
	code, _ := app.TOTPCode(e.Secret, s.svc.Now())
	if _, err := s.svc.ConfirmTOTP(ctx, p, e.FactorID, "phone", code); err != nil {
		s.t.Fatal(err)
	}
	return e.Secret
}

// Administrators see who has two factors on, and reset a person's
// factors (a lost phone) only after confirming; the reset is in the
// person's security history.
func TestAdminSeesAndResetsTwoFactors(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSite(t, e.open(t), web.Config{})
		admin, _ := s.user("root", true)
		dana, danaU := s.user("dana", false)
		s.user("omar", false)
		s.enrolTOTP(danaU)

		r := admin.get("/admin/users")
		rowOf := func(login string) string {
			return regexp.MustCompile(`(?s)<tr><th scope="row"><a href="/admin/users/` + login + `">.*?</tr>`).FindString(r.body)
		}
		if row := rowOf("dana"); !strings.Contains(row, `<td class="twofactor">On`) {
			t.Errorf("dana's row does not say two factors are on:\n%s", row)
		}
		if row := rowOf("omar"); !strings.Contains(row, `<td class="twofactor">Off`) {
			t.Errorf("omar's row does not say two factors are off:\n%s", row)
		}
		if !strings.Contains(r.body, `<th scope="col">Two factors</th>`) {
			t.Errorf("the users list has no two-factor column")
		}

		if r := admin.get("/admin/users/omar"); strings.Contains(r.body, "/reset-2fa") {
			t.Errorf("an account without factors offers a reset")
		}
		r = admin.get("/admin/users/dana")
		if r.status != http.StatusOK || !strings.Contains(r.body, `action="/admin/users/dana/reset-2fa"`) ||
			!regexp.MustCompile(`<input type="checkbox" id="reset-confirm" name="confirm" required>`).MatchString(r.body) {
			t.Fatalf("dana's page has no confirmed reset button: %d\n%s", r.status, r.body)
		}
		// Not confirmed: refused, nothing removed.
		if r := admin.post("/admin/users/dana/reset-2fa", form()); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "confirm") {
			t.Errorf("a reset without confirmation: %d\n%s", r.status, r.body)
		}
		// Not an administrator: refused.
		if r := dana.post("/admin/users/dana/reset-2fa", form("confirm", "on")); r.status < 400 {
			t.Errorf("a reset by a non-administrator: %d", r.status)
		}
		counts, err := s.svc.FactorCounts(context.Background(), app.System("test"))
		if err != nil || counts[danaU.ID] != 1 {
			t.Fatalf("dana's factors before the reset: %v %v", counts, err)
		}
		if r := admin.post("/admin/users/dana/reset-2fa", form("confirm", "on")); r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/users/dana" {
			t.Fatalf("the reset: %d → %s", r.status, r.header.Get("Location"))
		}
		if counts, _ := s.svc.FactorCounts(context.Background(), app.System("test")); counts[danaU.ID] != 0 {
			t.Errorf("dana's factors after the reset: %v", counts)
		}
		if r := admin.get("/admin/users/dana"); !strings.Contains(r.body, "reset by Root Example") {
			t.Errorf("the security history does not show the reset:\n%s", r.body)
		}
	})
}

// A single sign-on of an account with an authenticator app asks for the
// code before any session starts, as a password does.
func TestSSOSignInAsksSecondFactor(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSSOSite(t, e, assess.SSOProvider{})
		s.op.person("sub-ann", "ann@example.com", true)
		p, _ := s.signIn(t) // the first sign-in makes the account
		secret := s.enrolTOTP(p.User)

		b := newSSOBrowser(t)
		res, page := b.finish(s.toCallback(t, b, ""))
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login/step") || sessionOf(res) != "" {
			t.Fatalf("single sign-on with a factor: %d → %s, session %q\n%s", res.StatusCode, res.Header.Get("Location"), sessionOf(res), page)
		}
		stepPage := body(t, b.get(s.srv.URL+res.Header.Get("Location")))
		if !strings.Contains(stepPage, `action="/login/step"`) || strings.Contains(stepPage, "passkey-signin") {
			t.Fatalf("the second step's page (a code, no passkey for an account without one):\n%s", stepPage)
		}
		if res := b.get(s.srv.URL + "/account"); res.Request.URL.Path != "/login" {
			t.Errorf("the half-way sign-in opened /account: ended at %s", res.Request.URL)
		}
		// The next step's code: the enrolment used this one.
		code, _ := app.TOTPCode(secret, s.svc.Now().Add(30*time.Second))
		hc := &http.Client{Jar: b.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := hc.PostForm(s.srv.URL+"/login/step", url.Values{"code": {code}, "next": {"/"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		tok := sessionOf(res)
		if res.StatusCode != http.StatusSeeOther || tok == "" {
			t.Fatalf("the code: %d, session %q", res.StatusCode, tok)
		}
		got, err := s.svc.ResolveSession(context.Background(), tok, time.Hour)
		if err != nil || got.User.ID != p.User.ID {
			t.Errorf("the session after the code: %+v %v", got.User, err)
		}
	})
}

// The passkey endpoints the page's script calls: options for the site's
// own address as JSON, refusals as JSON, and a forged answer refused as a
// failed sign-in without a session.
func TestPasskeyEndpoints(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		// Reached by an IP address, the site cannot offer passkeys, and says why.
		if e.name == "sqlite" {
			byIP, _ := newSite(t, e.open(t), web.Config{}).user("omar", false)
			if r := byIP.post("/account/security/passkey/options", form()); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not by an IP address") {
				t.Errorf("options on a site reached by its IP address: %d\n%s", r.status, r.body)
			}
		}
		// The relying party is the site's address (its base URL when set).
		s := newSite(t, e.open(t), web.Config{BaseURL: "https://isogap.example.com"})
		dana, danaU := s.user("dana", false)
		r := dana.post("/account/security/passkey/options", form())
		var opts struct {
			PublicKey struct {
				Challenge string                `json:"challenge"`
				RP        struct{ ID string }   `json:"rp"`
				User      struct{ Name string } `json:"user"`
			} `json:"publicKey"`
		}
		if err := json.Unmarshal([]byte(r.body), &opts); err != nil || r.status != http.StatusOK || opts.PublicKey.Challenge == "" ||
			opts.PublicKey.RP.ID != "isogap.example.com" || opts.PublicKey.User.Name != "dana" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("registration options: %d %v\n%s", r.status, err, r.body)
		}
		// A made-up answer: refused in words, nothing stored.
		r = dana.post("/account/security/passkey", form("name", "Laptop", "credential", `{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`))
		if r.status != http.StatusUnprocessableEntity || !regexp.MustCompile(`class="errors" role="alert"><p>[^<]*passkey`).MatchString(r.body) {
			t.Errorf("a forged registration: %d\n%s", r.status, r.body)
		}
		if fs, _ := s.st.Factors(context.Background(), danaU.ID); len(fs) != 0 {
			t.Errorf("a forged registration stored a factor: %+v", fs)
		}
		if r := s.anonymous().post("/account/security/passkey/options", form()); r.status != http.StatusUnauthorized || strings.Contains(r.body, "challenge") {
			t.Errorf("options without a session: %d", r.status)
		}

		// The second step of an account with an app only: no passkey to ask for.
		s.enrolTOTP(danaU)
		r = s.anonymous().post("/login", form("login", "dana", "password", "correct horse battery"))
		step := &client{site: s, cookie: cookieNamed(r, "isogap_step")}
		r = step.post("/login/step/passkey/options", form())
		var refusal struct{ Error string }
		if err := json.Unmarshal([]byte(r.body), &refusal); err != nil || r.status != http.StatusUnprocessableEntity || !strings.Contains(refusal.Error, "no passkey") {
			t.Errorf("step options without a passkey: %d %v\n%s", r.status, err, r.body)
		}
		r = step.post("/login/step/passkey", form("credential", "{}"))
		if r.status < 400 || cookieNamed(r, "isogap_session") != nil || !strings.Contains(r.body, "Sign in with") && !strings.Contains(r.body, "start again") {
			t.Errorf("a passkey answer with no request under way: %d\n%s", r.status, r.body)
		}
	})
}
