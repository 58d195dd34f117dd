package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/api"
	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// world is a site with one assessment and a member in every role, and an
// account that is no member.
type world struct {
	*site
	aid                                                   string
	assessor, contributor, viewer, auditor, outsider      *client
	assessorU, contributorU, viewerU, auditorU, outsiderU assess.User
}

func newWorld(t *testing.T, e engine, cfg api.Config) *world {
	s := newSite(t, e.open(t), cfg)
	w := &world{site: s}
	w.assessor, w.assessorU = s.user("asa")
	w.contributor, w.contributorU = s.user("cory")
	w.viewer, w.viewerU = s.user("vic")
	w.auditor, w.auditorU = s.user("audrey")
	w.outsider, w.outsiderU = s.user("otto")
	ctx := context.Background()
	a, err := s.svc.CreateAssessment(ctx, app.Principal{User: w.assessorU}, app.NewAssessment{Org: "Acme Ltd", Scope: "All of it"})
	if err != nil {
		t.Fatal(err)
	}
	w.aid = a.ID
	sys := app.System("test")
	for _, m := range []app.MemberInput{
		{Login: "cory", Role: "contributor", Departments: []string{"HR"}},
		{Login: "vic", Role: "viewer"},
		{Login: "audrey", Role: "auditor", Expires: "2099-12-31"},
	} {
		if _, err := s.svc.PutMember(ctx, sys, a.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) path(rest string) string { return "/api/v1/assessments/" + w.aid + rest }

func TestRoutesAreDescribed(t *testing.T) {
	s := newSite(t, engines[0].open(t), api.Config{})
	var doc struct {
		Paths map[string]map[string]any
	}
	if err := json.Unmarshal(s.api.Description(), &doc); err != nil {
		t.Fatal(err)
	}
	var described []string
	for path, ops := range doc.Paths {
		for m := range ops {
			described = append(described, strings.ToUpper(m)+" "+path)
		}
	}
	served := slices.DeleteFunc(s.api.Patterns(), func(p string) bool { return p == api.NotFoundPattern })
	for _, p := range served {
		if !slices.Contains(described, p) {
			t.Errorf("the router serves %s, which the OpenAPI description does not describe", p)
		}
	}
	for _, p := range described {
		if !slices.Contains(served, p) {
			t.Errorf("the OpenAPI description describes %s, which the router does not serve", p)
		}
	}
	if len(served) < 30 {
		t.Errorf("only %d routes: %v", len(served), served)
	}
}

func TestAuthentication(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		w := newWorld(t, e, api.Config{})
		anon := &client{site: w.site}
		for _, tc := range []struct {
			name   string
			header []string
		}{
			{"no token", nil},
			{"unknown token", []string{"Authorization", "Bearer isg_nosuchtoken"}},
			{"not bearer", []string{"Authorization", "Basic YXNhOnB3"}},
			{"a session cookie alone", []string{"Cookie", "isogap_session=" + w.assessor.token}},
		} {
			r := anon.do("GET", "/api/v1/me", nil, tc.header...)
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: %d %q %s", tc.name, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: Content-Type %q", tc.name, ct)
			}
		}
		// A cross-site POST with a token is not refused as a forgery: the
		// browser never sends the token by itself.
		r := w.assessor.do("POST", w.path("/snapshots"), map[string]any{"name": "q1"}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if r.Status != http.StatusCreated {
			t.Errorf("cross-site POST with a token: %d %s", r.Status, r.Body)
		}
		var me api.Me
		w.assessor.do("GET", "/api/v1/me", nil).json(t, &me)
		if me.User.Login != "asa" {
			t.Errorf("me: %+v", me)
		}
	})
}

// TestRoles runs every kind of route as each role and checks the status:
// the same rules as the web app, and 404 for an assessment one may not see.
func TestRoles(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		w := newWorld(t, e, api.Config{})
		ctx := context.Background()
		ev, err := w.svc.AddEvidence(ctx, app.Principal{User: w.assessorU}, w.aid, "A.6.1", app.NewEvidence{FileName: "policy.txt", Content: []byte("screening policy")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.CreateSnapshot(ctx, app.Principal{User: w.assessorU}, w.aid, "base"); err != nil {
			t.Fatal(err)
		}
		iv, err := w.svc.CreateInterview(ctx, app.Principal{User: w.assessorU}, w.aid, app.NewInterview{Name: "Hana", Email: "hana@example.com", Department: "HR"})
		if err != nil {
			t.Fatal(err)
		}
		eid, iid := itoa64(ev.ID), itoa64(iv.ID)
		type call struct {
			method, path string
			body         any
		}
		// Expected statuses: assessor, contributor (HR), viewer, auditor, outsider.
		cases := []struct {
			call
			want [5]int
		}{
			{call{"GET", "", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"PATCH", "", map[string]any{"version": 1, "scope": "Less"}}, [5]int{200, 403, 403, 403, 404}},
			{call{"GET", "/items?section=controls&limit=5", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/items/A.6.1", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"PATCH", "/items/A.6.1", map[string]any{"version": 0, "notes": "n"}}, [5]int{200, 200, 403, 403, 404}},
			{call{"PATCH", "/items/A.8.1", map[string]any{"version": 0, "notes": "n"}}, [5]int{200, 403, 403, 403, 404}},
			{call{"GET", "/evidence", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"POST", "/items/A.6.1/evidence", map[string]any{"text": "Screening records"}}, [5]int{201, 201, 403, 403, 404}},
			{call{"GET", "/evidence/" + eid + "/file", nil}, [5]int{200, 200, 403, 200, 404}},
			{call{"GET", "/history", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/results/readiness", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/results/blockers", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/results/forecast?what_if=day_rate%3D700", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/results/roadmap", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/results/risks", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/results/soa", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/snapshots", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/members", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/interviews", nil}, [5]int{200, 403, 403, 200, 404}},
			{call{"GET", "/interviews/" + iid, nil}, [5]int{200, 403, 403, 200, 404}},
			{call{"GET", "/exports/csv", nil}, [5]int{200, 200, 200, 200, 404}},
			{call{"GET", "/exports/json", nil}, [5]int{200, 200, 403, 200, 404}},
		}
		who := []*client{w.assessor, w.contributor, w.viewer, w.auditor, w.outsider}
		names := []string{"assessor", "contributor", "viewer", "auditor", "outsider"}
		for _, tc := range cases {
			for i, c := range who {
				r := c.do(tc.method, w.path(tc.path), tc.body)
				if r.Status != tc.want[i] {
					t.Errorf("%s %s as %s: %d, want %d: %s", tc.method, tc.path, names[i], r.Status, tc.want[i], r.Body)
				}
			}
		}
		// Writes that change who and what, last: as each role.
		writes := []struct {
			call
			want [5]int
		}{
			{call{"POST", "/snapshots", map[string]any{"name": "role"}}, [5]int{201, 403, 403, 403, 404}},
			{call{"DELETE", "/snapshots/role", nil}, [5]int{204, 403, 403, 403, 404}},
			{call{"POST", "/interviews", map[string]any{"name": "Lee", "email": "lee@example.com", "department": "HR"}}, [5]int{201, 403, 403, 403, 404}},
			{call{"POST", "/interviews/" + iid + "/send", nil}, [5]int{200, 403, 403, 403, 404}},
			{call{"POST", "/interviews/" + iid + "/revoke", nil}, [5]int{200, 403, 403, 403, 404}},
			{call{"PUT", "/members/vic", map[string]any{"role": "viewer"}}, [5]int{200, 403, 403, 403, 404}},
			// The contributor answers for A.6.1 (HR) and removes it; then it is gone.
			{call{"DELETE", "/evidence/" + eid, nil}, [5]int{404, 204, 403, 403, 404}},
		}
		for _, tc := range writes {
			for i := len(who) - 1; i >= 0; i-- { // the assessor last: the others see it unchanged
				r := who[i].do(tc.method, w.path(tc.path), tc.body)
				if r.Status != tc.want[i] {
					t.Errorf("%s %s as %s: %d, want %d: %s", tc.method, tc.path, names[i], r.Status, tc.want[i], r.Body)
				}
			}
		}
		// The outsider's own list does not show the assessment.
		var pg api.Page[api.AssessmentSummary]
		w.outsider.do("GET", "/api/v1/assessments", nil).json(t, &pg)
		if len(pg.Data) != 0 {
			t.Errorf("the outsider lists %+v", pg.Data)
		}
		w.assessor.do("GET", "/api/v1/assessments", nil).json(t, &pg)
		if len(pg.Data) != 1 || pg.Data[0].ID != w.aid || pg.Data[0].Overall.Applicable == 0 {
			t.Errorf("the assessor lists %+v", pg.Data)
		}
		// Compare: the snapshot against now.
		r := w.viewer.do("GET", "/api/v1/compare?a="+w.aid+"@base&b="+w.aid, nil)
		if r.Status != 200 {
			t.Errorf("compare: %d %s", r.Status, r.Body)
		}
		if r := w.outsider.do("GET", "/api/v1/compare?a="+w.aid+"@base&b="+w.aid, nil); r.Status != 404 {
			t.Errorf("compare as outsider: %d %s", r.Status, r.Body)
		}
	})
}

func itoa64(n int64) string { b, _ := json.Marshal(n); return string(b) }
