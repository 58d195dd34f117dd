package web_test

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func (f *fixture) assessment(id string) assess.Assessment {
	f.t.Helper()
	a, err := f.st.GetAssessment(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func TestSaveScope(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newFixture(t, e)
		ctx := context.Background()
		A := "/a/" + f.a.ID
		// Stakeholders are another step's: saving the scope keeps them.
		before := f.assessment(f.a.ID)
		before.Stakeholders = []assess.Stakeholder{{Name: "Hana", Department: "HR"}}
		if _, err := f.svc.UpdateAssessment(ctx, app.System("t"), before, before.Version); err != nil {
			t.Fatal(err)
		}
		before = f.assessment(f.a.ID)
		v := itoa(int64(before.Version))
		scope := form("version", v, "org", " Client A Ltd ", "lead", "Ann Example", "scope", "The SaaS platform",
			"units", "Engineering\n\n Support \n", "locations", "Berlin\nLisbon", "services", "Billing", "systems", "AWS eu-central-1\nOkta",
			"interfaces", "Payment provider", "ex_what", "Office Wi-Fi", "ex_why", "Guests only, no data", "ex_what", "", "ex_why", "",
			"ex_what", "Legacy CRM", "ex_why", "Retired in March", "target_score", "3", "employees", "42")
		for _, c := range []struct {
			name   string
			c      *client
			status int
		}{{"viewer", f.viewer, 403}, {"contributor", f.contributor, 403}, {"auditor", f.auditor, 403}, {"member of another assessment", f.outsider, 404}} {
			if r := c.c.post(A+"/scope", scope); r.status != c.status {
				t.Errorf("%s saving the scope: %d, want %d", c.name, r.status, c.status)
			}
		}
		if got := f.assessment(f.a.ID); got.Version != before.Version {
			t.Fatalf("a refused save changed the scope: %+v", got)
		}
		r := f.assessor.post(A+"/scope", scope)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != A+"/scope?ok=saved" {
			t.Fatalf("save: %d %s", r.status, excerpt(r.body))
		}
		got := f.assessment(f.a.ID)
		want := before
		want.Org, want.Lead, want.Scope, want.Interfaces = "Client A Ltd", "Ann Example", "The SaaS platform", "Payment provider"
		want.Boundaries = assess.Boundaries{Units: []string{"Engineering", "Support"}, Locations: []string{"Berlin", "Lisbon"},
			Services: []string{"Billing"}, Systems: []string{"AWS eu-central-1", "Okta"}}
		want.Exclusions = []assess.Exclusion{{What: "Office Wi-Fi", Justification: "Guests only, no data"}, {What: "Legacy CRM", Justification: "Retired in March"}}
		want.TargetScore, want.Employees = 3, 42
		want.Version, want.UpdatedAt = before.Version+1, got.UpdatedAt
		if !reflect.DeepEqual(got, want) {
			t.Errorf("saved scope:\n got %+v\nwant %+v", got, want)
		}
		if page := f.viewer.get(A + "/scope"); !strings.Contains(page.body, "Retired in March") || !strings.Contains(page.body, "Lisbon") {
			t.Error("the scope page does not show the saved scope")
		}
		// A save based on the old version conflicts: nothing is written, and
		// the form comes back with what was typed, based on the new version.
		stale := form("version", v, "org", "Client A Ltd", "scope", "Only the mobile app", "target_score", "4")
		r = f.admin.post(A+"/scope", stale)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "Only the mobile app") || !strings.Contains(r.body, "Your text is below") {
			t.Fatalf("stale save: %d %s", r.status, excerpt(r.body))
		}
		if !strings.Contains(r.body, `name="version" value="`+itoa(int64(got.Version))+`"`) {
			t.Errorf("the conflict form is not based on version %d", got.Version)
		}
		if now := f.assessment(f.a.ID); !reflect.DeepEqual(now, got) {
			t.Errorf("the stale save changed the scope: %+v", now)
		}
		// Bad input comes back as the form, with nothing saved.
		for name, bad := range map[string][]string{
			"exclusion without a reason": {"ex_what", "Car park", "ex_why", ""},
			"target out of range":        {"target_score", "6"},
			"employees not a number":     {"employees", "many"},
			"no organisation":            {"org", " "},
		} {
			in := form("version", itoa(int64(got.Version)), "org", "Client A Ltd", "target_score", "4")
			for i := 0; i+1 < len(bad); i += 2 {
				in.Set(bad[i], bad[i+1])
			}
			if r := f.assessor.post(A+"/scope", in); r.status != 422 {
				t.Errorf("%s: %d", name, r.status)
			}
		}
		if now := f.assessment(f.a.ID); now.Version != got.Version {
			t.Errorf("invalid input was saved: %+v", now)
		}
	})
}

func TestRemoveMember(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newFixture(t, e)
		A := "/a/" + f.a.ID
		vera, ann := itoa(f.account("vera").ID), itoa(f.account("ann").ID)
		for _, c := range []struct {
			name   string
			c      *client
			status int
		}{{"contributor", f.contributor, 403}, {"viewer", f.viewer, 403}, {"auditor", f.auditor, 403}, {"member of another assessment", f.outsider, 404}} {
			if r := c.c.post(A+"/members/"+vera+"/delete", nil); r.status != c.status {
				t.Errorf("%s removing a member: %d, want %d", c.name, r.status, c.status)
			}
		}
		if !f.viewer.canOpen(A) {
			t.Fatal("a refused removal took the member out")
		}
		if r := f.assessor.post(A+"/members/vera/delete", nil); r.status != http.StatusNotFound {
			t.Errorf("a member named by login, not id: %d", r.status)
		}
		// The only assessor stays, even for a site administrator.
		for name, c := range map[string]*client{"the assessor themselves": f.assessor, "a site administrator": f.admin} {
			r := c.post(A+"/members/"+ann+"/delete", nil)
			if r.status != 422 || !strings.Contains(r.body, "only assessor") {
				t.Errorf("%s removing the only assessor: %d %s", name, r.status, excerpt(r.body))
			}
		}
		if !f.assessor.canOpen(A) {
			t.Fatal("the only assessor was removed")
		}
		r := f.assessor.post(A+"/members/"+vera+"/delete", nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != A+"/members?ok=unmember" {
			t.Fatalf("remove: %d %s", r.status, excerpt(r.body))
		}
		if f.viewer.canOpen(A) {
			t.Error("a removed member still opens the assessment")
		}
		// With a second assessor, the first may leave.
		if r := f.assessor.post(A+"/members", form("login", "bob", "role", "assessor")); r.status != http.StatusSeeOther {
			t.Fatalf("second assessor: %d", r.status)
		}
		if r := f.outsider.post("/invitations/"+f.a.ID+"/accept", nil); r.status != http.StatusSeeOther { // invited, bob accepts
			t.Fatalf("accepting: %d", r.status)
		}
		if r := f.assessor.post(A+"/members/"+ann+"/delete", nil); r.status != http.StatusSeeOther {
			t.Errorf("an assessor leaving beside another: %d %s", r.status, excerpt(r.body))
		}
		if f.assessor.canOpen(A) || !f.outsider.canOpen(A) {
			t.Error("the assessor who left still opens the assessment, or the new one does not")
		}
	})
}

// canOpen reports whether the client opens an assessment's dashboard; a
// non-member gets "not found".
func (c *client) canOpen(path string) bool {
	c.site.t.Helper()
	r := c.get(path + "/")
	if r.status != http.StatusOK && r.status != http.StatusNotFound {
		c.site.t.Fatalf("%s: %d", path, r.status)
	}
	return r.status == http.StatusOK
}

func TestDeleteAssessment(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newFixture(t, e)
		A, B := "/a/"+f.a.ID, "/a/"+f.b.ID
		confirm := form("confirm", "Client A")
		for _, c := range []struct {
			name   string
			c      *client
			status int
		}{{"viewer", f.viewer, 403}, {"contributor", f.contributor, 403}, {"auditor", f.auditor, 403}, {"member of another assessment", f.outsider, 404},
			{"assessor mistyping the name", f.assessor, 422}} {
			in := confirm
			if c.status == 422 {
				in = form("confirm", "Client")
			}
			if r := c.c.post(A+"/delete", in); r.status != c.status {
				t.Errorf("%s deleting: %d, want %d", c.name, r.status, c.status)
			}
		}
		if !f.viewer.canOpen(A) {
			t.Fatal("a refused delete removed the assessment")
		}
		r := f.assessor.post(A+"/delete", form("confirm", " Client A "))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/?ok=deleted" {
			t.Fatalf("delete: %d %s", r.status, excerpt(r.body))
		}
		if _, err := f.st.GetAssessment(context.Background(), f.a.ID); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("the deleted assessment is still stored: %v", err)
		}
		if f.assessor.canOpen(A) || f.admin.canOpen(A) {
			t.Error("the deleted assessment still opens")
		}
		if r := f.admin.get(A + "/evidence/" + itoa(f.fileEvidence) + "/file"); r.status != http.StatusNotFound {
			t.Errorf("the deleted assessment's evidence file: %d", r.status)
		}
		if p := f.assessor.get("/"); strings.Contains(p.body, "Client A") {
			t.Error("the deleted assessment is still in the portfolio")
		}
		// The other assessment is untouched; a site administrator, no member, may delete it.
		if !f.outsider.canOpen(B) {
			t.Fatal("deleting one assessment took another")
		}
		if r := f.admin.post(B+"/delete", form("confirm", "Client B")); r.status != http.StatusSeeOther || f.outsider.canOpen(B) {
			t.Errorf("a site administrator deleting: %d", r.status)
		}
	})
}

func TestRemoveEvidence(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newFixture(t, e)
		ctx := context.Background()
		A, B := "/a/"+f.a.ID, "/a/"+f.b.ID
		add := func(aid, ref string) string {
			ev, err := f.svc.AddEvidence(ctx, app.System("setup"), aid, ref, app.NewEvidence{Text: "Signed policy " + ref})
			if err != nil {
				t.Fatal(err)
			}
			return itoa(ev.ID)
		}
		// A.8.13 is IT Operations'; the contributor has HR and A.5.15.
		hr, assigned, itOps := add(f.a.ID, "A.6.1"), add(f.a.ID, "A.5.15"), itoa(f.fileEvidence)
		add(f.b.ID, "A.6.1")
		evidence := func(aid, ref string) int {
			it, err := f.svc.Item(ctx, app.System("test"), aid, ref)
			if err != nil {
				t.Fatal(err)
			}
			return len(it.Evidence)
		}
		for _, tc := range []struct {
			name   string
			c      *client
			path   string
			status int
		}{
			{"contributor, another department's item", f.contributor, A + "/evidence/" + itOps + "/delete", 403},
			{"viewer", f.viewer, A + "/evidence/" + hr + "/delete", 403},
			{"auditor", f.auditor, A + "/evidence/" + hr + "/delete", 403},
			{"expired auditor", f.expired, A + "/evidence/" + hr + "/delete", 403},
			{"member of another assessment", f.outsider, A + "/evidence/" + hr + "/delete", 404},
			// Evidence is numbered per assessment: B has no evidence with this number.
			{"evidence of another assessment, through one's own", f.outsider, B + "/evidence/" + hr + "/delete", 404},
			{"unknown evidence", f.assessor, A + "/evidence/999999/delete", 404},
			{"not an id", f.assessor, A + "/evidence/x/delete", 404},
		} {
			if r := tc.c.post(tc.path, nil); r.status != tc.status {
				t.Errorf("%s: %d, want %d", tc.name, r.status, tc.status)
			}
		}
		if evidence(f.a.ID, "A.6.1") != 1 || evidence(f.a.ID, "A.8.13") != 1 || evidence(f.b.ID, "A.6.1") != 1 {
			t.Fatal("a refused removal took evidence away")
		}
		for _, tc := range []struct {
			name, id, ref string
			c             *client
		}{
			{"contributor, their department's item", hr, "A.6.1", f.contributor},
			{"contributor, an item assigned to them", assigned, "A.5.15", f.contributor},
			{"assessor, any item", itOps, "A.8.13", f.assessor},
		} {
			r := tc.c.post(A+"/evidence/"+tc.id+"/delete", nil)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != A+"/items/"+tc.ref+"?ok=removed#evidence" {
				t.Errorf("%s: %d → %s", tc.name, r.status, r.header.Get("Location"))
			}
			if evidence(f.a.ID, tc.ref) != 0 {
				t.Errorf("%s: the evidence is still there", tc.name)
			}
		}
		if r := f.auditor.get(A + "/evidence/" + itOps + "/file"); r.status != http.StatusNotFound {
			t.Errorf("the removed file still downloads: %d", r.status)
		}
		hist, _ := f.svc.History(ctx, app.System("test"), f.a.ID, storeQuery("A.6.1"))
		if !slices.ContainsFunc(hist, func(c assess.Change) bool {
			return c.Field == "evidence" && c.Actor == "Carl Example" && strings.Contains(c.Old, "Signed policy A.6.1") && c.New == ""
		}) {
			t.Errorf("the removal is not in the history as the contributor's: %+v", hist)
		}
		if evidence(f.b.ID, "A.6.1") != 1 {
			t.Error("another assessment's evidence went too")
		}
	})
}
