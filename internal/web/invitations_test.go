package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// An assessor adding a member gets the same answer for any login, and the
// person invited sees nothing of the assessment until they accept.
func TestInvitationsOverHTTP(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newFixture(t, e)
		A := "/a/" + f.a.ID
		dora, _ := f.user("dora", false)
		var answers []response
		for _, login := range []string{"bob", "no-such-login"} {
			r := f.assessor.post(A+"/members", form("login", login, "role", "viewer"))
			if r.status != http.StatusSeeOther {
				t.Fatalf("inviting %s: %d %s", login, r.status, excerpt(r.body))
			}
			answers = append(answers, r, f.assessor.get(r.header.Get("Location")))
		}
		if answers[0].header.Get("Location") != answers[2].header.Get("Location") || answers[1].body != answers[3].body {
			t.Errorf("the answers for an existing and an unknown login differ: %q vs %q", answers[0].header.Get("Location"), answers[2].header.Get("Location"))
		}
		if strings.Contains(answers[1].body, "Bob Example") {
			t.Error("the members page names the person invited")
		}
		// Invited, not a member yet.
		if f.outsider.canOpen(A) || strings.Contains(f.outsider.get("/").body, "Client A") {
			t.Fatal("an invitation gave access or showed the assessment in the portfolio")
		}
		if r := f.outsider.get("/"); !strings.Contains(r.body, `href="/invitations"`) {
			t.Error("the portfolio does not point to the invitation")
		}
		if r := f.outsider.get("/invitations"); r.status != 200 || !strings.Contains(r.body, "Client A") || !strings.Contains(r.body, "/invitations/"+f.a.ID+"/accept") {
			t.Fatalf("invitations page: %d %s", r.status, excerpt(r.body))
		}
		if r := f.outsider.post("/invitations/"+f.a.ID+"/accept", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != A+"/?ok=accepted" {
			t.Fatalf("accept: %d %s", r.status, excerpt(r.body))
		}
		if !f.outsider.canOpen(A) || !strings.Contains(f.outsider.get("/").body, "Client A") {
			t.Error("an accepted invitation gives no access")
		}
		// Declining.
		f.assessor.post(A+"/members", form("login", "dora", "role", "viewer"))
		if r := dora.post("/invitations/"+f.a.ID+"/decline", nil); r.status != http.StatusSeeOther {
			t.Fatalf("decline: %d %s", r.status, excerpt(r.body))
		}
		if dora.canOpen(A) || strings.Contains(dora.get("/invitations").body, "Client A") {
			t.Error("a declined invitation stays")
		}
		if r := dora.post("/invitations/"+f.a.ID+"/accept", nil); r.status != http.StatusNotFound {
			t.Errorf("accepting without an invitation: %d, want 404", r.status)
		}
	})
}

// Only administrators and the accounts they allow start assessments.
func TestStartingAssessmentsIsAllowedPerAccount(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newFixture(t, e)
		newForm := form("org", "Another client")
		if r := f.assessor.get("/"); strings.Contains(r.body, `href="/new"`) {
			t.Error("an account nobody allowed is offered a new assessment")
		}
		if r := f.assessor.post("/new", newForm); r.status != http.StatusForbidden {
			t.Errorf("an account nobody allowed creating: %d, want 403", r.status)
		}
		if r := f.admin.post("/admin/users/ann", form("name", "Ann Example", "creates", "on")); r.status != http.StatusSeeOther {
			t.Fatalf("allowing ann: %d %s", r.status, excerpt(r.body))
		}
		if r := f.admin.get("/admin/users/ann"); !strings.Contains(r.body, `name="creates" checked`) {
			t.Error("the user page does not show the right")
		}
		if r := f.assessor.get("/"); !strings.Contains(r.body, `href="/new"`) {
			t.Error("an allowed account is not offered a new assessment")
		}
		if r := f.assessor.post("/new", newForm); r.status != http.StatusSeeOther {
			t.Errorf("an allowed account creating: %d %s", r.status, excerpt(r.body))
		}
	})
}
