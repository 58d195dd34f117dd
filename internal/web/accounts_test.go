package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/web"
)

// signedIn reports whether the client's session still opens the portfolio
// (a signed-out browser is sent to sign in).
func (c *client) signedIn() bool {
	c.site.t.Helper()
	r := c.get("/")
	if r.status != http.StatusOK && (r.status != http.StatusSeeOther || r.header.Get("Location") != "/login") {
		c.site.t.Fatalf("portfolio: %d → %s", r.status, r.header.Get("Location"))
	}
	return r.status == http.StatusOK
}

// signIn posts the sign-in form; on success it returns a client holding
// the new session, else nil and the response.
func (s *site) signIn(login, password string) (*client, response) {
	s.t.Helper()
	r := s.anonymous().post("/login", form("login", login, "password", password))
	if r.status != http.StatusSeeOther {
		return nil, r
	}
	return &client{site: s, cookie: sessionCookie(s.t, r)}, r
}

func (s *site) account(login string) assess.User {
	s.t.Helper()
	u, err := s.svc.UserByLogin(context.Background(), app.System("test"), login)
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// accountsSite is a site with an administrator, ann signed in from two
// browsers, and bob.
type accountsSite struct {
	*site
	admin, ann, annAgain, bob *client
}

func newAccountsSite(t *testing.T, e engine) *accountsSite {
	s := &accountsSite{site: newSite(t, e.open(t), web.Config{})}
	s.admin, _ = s.user("root", true)
	var ann assess.User
	s.ann, ann = s.user("ann", false)
	s.annAgain = s.clientFor(ann)
	s.bob, _ = s.user("bob", false)
	return s
}

var shownPassword = regexp.MustCompile(`<code class="secret">([^<]+)</code>`)

func TestAdminCreatesAccounts(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newAccountsSite(t, e)
		// With a password typed in: the page says so and shows no password.
		r := s.admin.post("/admin/users", form("login", " Dana ", "name", "Dana Whitfield", "email", "dana@example.com", "password", "dana's own passphrase"))
		if r.status != http.StatusOK || !strings.Contains(r.body, "Account <strong>dana</strong> created") || shownPassword.MatchString(r.body) {
			t.Fatalf("create with a password: %d %s", r.status, excerpt(r.body))
		}
		if u := s.account("dana"); u.Name != "Dana Whitfield" || u.Email != "dana@example.com" || u.Admin || u.Disabled {
			t.Errorf("stored account: %+v", u)
		}
		dana, res := s.signIn("dana", "dana's own passphrase")
		if dana == nil || !dana.signedIn() {
			t.Fatalf("the new account cannot sign in with its password: %d %s", res.status, excerpt(res.body))
		}
		if r := dana.get("/admin/users"); r.status != http.StatusForbidden {
			t.Errorf("a new account without the admin box lists users: %d", r.status)
		}
		// Without one: a password is generated, shown once, and works.
		r = s.admin.post("/admin/users", form("login", "eve", "name", "Eve Example", "admin", "on"))
		m := shownPassword.FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil || len(m[1]) < 16 {
			t.Fatalf("create without a password: %d, generated password shown: %v", r.status, m)
		}
		if eve, _ := s.signIn("eve", m[1]); eve == nil || eve.get("/admin/users").status != http.StatusOK {
			t.Error("the generated password does not sign in an administrator")
		}
		// Refused: a short password (the form comes back), a login taken, a non-admin.
		if r := s.admin.post("/admin/users", form("login", "fay", "name", "Fay", "password", "short")); r.status != 422 || !strings.Contains(r.body, "too short") || !strings.Contains(r.body, `value="fay"`) {
			t.Errorf("short password: %d %s", r.status, excerpt(r.body))
		}
		if r := s.admin.post("/admin/users", form("login", "dana", "name", "Another Dana", "password", "another passphrase")); r.status != http.StatusConflict {
			t.Errorf("login taken: %d", r.status)
		}
		if r := s.bob.post("/admin/users", form("login", "gil", "name", "Gil", "password", "gil's passphrase", "admin", "on")); r.status != http.StatusForbidden {
			t.Errorf("a non-admin creating an account: %d", r.status)
		}
		for _, login := range []string{"fay", "gil"} {
			if _, err := s.svc.UserByLogin(context.Background(), app.System("test"), login); assess.KindOf(err) != assess.KindNotFound {
				t.Errorf("refused account %s was stored: %v", login, err)
			}
		}
		if u := s.account("dana"); u.Name != "Dana Whitfield" {
			t.Errorf("a taken login changed the account: %+v", u)
		}
	})
}

func TestAdminUpdatesAccounts(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newAccountsSite(t, e)
		if r := s.ann.post("/admin/users/ann", form("name", "Ann Admin", "admin", "on")); r.status != http.StatusForbidden {
			t.Errorf("a user making themselves admin: %d", r.status)
		}
		if s.account("ann").Admin {
			t.Fatal("a non-admin made themselves administrator")
		}
		r := s.admin.post("/admin/users/ann", form("name", "  Ann Smith ", "email", "ann@example.com"))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/users?ok=user" {
			t.Fatalf("update: %d %s", r.status, excerpt(r.body))
		}
		if u := s.account("ann"); u.Name != "Ann Smith" || u.Email != "ann@example.com" || u.Admin || u.Disabled {
			t.Errorf("updated account: %+v", u)
		}
		if !s.ann.signedIn() {
			t.Error("changing a name signed the person out")
		}
		if r := s.admin.post("/admin/users/ann", form("name", "Ann Smith", "email", "not an address")); r.status != 422 || !strings.Contains(r.body, "not an e-mail address") {
			t.Errorf("bad e-mail: %d", r.status)
		}
		if r := s.admin.post("/admin/users/nobody", form("name", "Nobody")); r.status != http.StatusNotFound {
			t.Errorf("unknown login: %d", r.status)
		}
		// Disabling ends every session of the person, for good: enabling
		// the account again does not bring them back.
		if r := s.admin.post("/admin/users/ann", form("name", "Ann Smith", "disabled", "on")); r.status != http.StatusSeeOther || !s.account("ann").Disabled {
			t.Fatalf("disable: %d", r.status)
		}
		if s.ann.signedIn() || s.annAgain.signedIn() {
			t.Error("a disabled person is still signed in")
		}
		if c, r := s.signIn("ann", "correct horse battery"); c != nil || !strings.Contains(r.body, "disabled") {
			t.Errorf("a disabled account signs in: %d", r.status)
		}
		if r := s.admin.post("/admin/users/ann", form("name", "Ann Smith")); r.status != http.StatusSeeOther || s.account("ann").Disabled {
			t.Fatalf("enable again: %d", r.status)
		}
		if s.ann.signedIn() || s.annAgain.signedIn() {
			t.Error("the sessions from before the account was disabled work again")
		}
		if c, _ := s.signIn("ann", "correct horse battery"); c == nil {
			t.Error("an enabled account cannot sign in")
		}
		// An administrator cannot demote or disable themselves …
		for name, f := range map[string][]string{
			"demote":  {"name", "Root Example"},
			"disable": {"name", "Root Example", "admin", "on", "disabled", "on"},
		} {
			r := s.admin.post("/admin/users/root", form(f...))
			if r.status != 422 || !strings.Contains(r.body, "your own administrator rights") {
				t.Errorf("%s yourself: %d %s", name, r.status, excerpt(r.body))
			}
			if u := s.account("root"); !u.Admin || u.Disabled {
				t.Errorf("%s yourself changed the account: %+v", name, u)
			}
		}
		if !s.admin.signedIn() {
			t.Error("refused self-disabling signed the administrator out")
		}
		// … but another administrator can.
		other, _ := s.user("sue", true)
		if r := other.post("/admin/users/root", form("name", "Root Example")); r.status != http.StatusSeeOther || s.account("root").Admin {
			t.Errorf("another administrator demoting root: %d", r.status)
		}
		if r := s.admin.get("/admin/users"); r.status != http.StatusForbidden {
			t.Errorf("a demoted administrator lists users: %d", r.status)
		}
	})
}

func TestAdminResetsPassword(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newAccountsSite(t, e)
		if r := s.bob.post("/admin/users/ann/password", form("password", "bob chose this one")); r.status != http.StatusForbidden {
			t.Errorf("a non-admin resetting a password: %d", r.status)
		}
		if r := s.admin.post("/admin/users/ann/password", form("password", "short")); r.status != 422 || !strings.Contains(r.body, "too short") {
			t.Errorf("short password: %d", r.status)
		}
		if r := s.admin.post("/admin/users/nobody/password", form("password", "a new passphrase")); r.status != http.StatusNotFound {
			t.Errorf("unknown login: %d", r.status)
		}
		if !s.ann.signedIn() {
			t.Fatal("a refused reset signed the person out")
		}
		if c, _ := s.signIn("ann", "correct horse battery"); c == nil {
			t.Fatal("a refused reset changed the password")
		}
		r := s.admin.post("/admin/users/ann/password", form("password", "a new passphrase"))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/users?ok=user" {
			t.Fatalf("reset: %d %s", r.status, excerpt(r.body))
		}
		if s.ann.signedIn() || s.annAgain.signedIn() {
			t.Error("a session from before the reset still works")
		}
		if c, _ := s.signIn("ann", "correct horse battery"); c != nil {
			t.Error("the old password still signs in")
		}
		if c, _ := s.signIn("ann", "a new passphrase"); c == nil || !c.signedIn() {
			t.Error("the new password does not sign in")
		}
		if !s.admin.signedIn() || !s.bob.signedIn() {
			t.Error("a reset signed out someone else")
		}
	})
}

func TestChangeOwnPassword(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newAccountsSite(t, e)
		for _, tc := range []struct {
			name string
			form []string
			want string
		}{
			{"wrong current password", []string{"current", "wrong one", "new", "a new passphrase", "new2", "a new passphrase"}, "current password is wrong"},
			{"new passwords differ", []string{"current", "correct horse battery", "new", "a new passphrase", "new2", "a new passphrasf"}, "two new passwords differ"},
			{"new password too short", []string{"current", "correct horse battery", "new", "short", "new2", "short"}, "too short"},
		} {
			if r := s.ann.post("/account/password", form(tc.form...)); r.status != 422 || !strings.Contains(r.body, tc.want) {
				t.Errorf("%s: %d %s", tc.name, r.status, excerpt(r.body))
			}
		}
		if !s.ann.signedIn() || !s.annAgain.signedIn() {
			t.Fatal("a refused change signed the person out")
		}
		r := s.ann.post("/account/password", form("current", "correct horse battery", "new", "a new passphrase", "new2", "a new passphrase"))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account?ok=password" {
			t.Fatalf("change: %d %s", r.status, excerpt(r.body))
		}
		// Every session ends, this browser's too; this browser gets a new one.
		fresh := &client{site: s.site, cookie: sessionCookie(t, r)}
		if fresh.cookie.Value == s.ann.cookie.Value || !fresh.signedIn() {
			t.Error("this browser did not get a new working session")
		}
		if s.ann.signedIn() || s.annAgain.signedIn() {
			t.Errorf("sessions from before the change still work (this browser's old one: %v)", s.ann.signedIn())
		}
		if !s.bob.signedIn() {
			t.Error("changing a password signed out someone else")
		}
		if c, _ := s.signIn("ann", "correct horse battery"); c != nil {
			t.Error("the old password still signs in")
		}
		if c, _ := s.signIn("ann", "a new passphrase"); c == nil {
			t.Error("the new password does not sign in")
		}
	})
}
