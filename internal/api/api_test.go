package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

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
		session, err := w.svc.StartSession(context.Background(), app.Principal{User: w.assessorU}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			header []string
		}{
			{"no token", nil},
			{"unknown token", []string{"Authorization", "Bearer isg_nosuchtoken"}},
			{"not bearer", []string{"Authorization", "Basic YXNhOnB3"}},
			{"a session cookie alone", []string{"Cookie", "isogap_session=" + session}},
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
			{call{"DELETE", "/members/audrey", nil}, [5]int{204, 403, 403, 403, 404}},
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
		// Listed twice: the second list answers from the summary kept by the first.
		for range 2 {
			w.assessor.do("GET", "/api/v1/assessments", nil).json(t, &pg)
			if len(pg.Data) != 1 || pg.Data[0].ID != w.aid || pg.Data[0].Overall.Applicable == 0 {
				t.Fatalf("the assessor lists %+v", pg.Data)
			}
			var one assess.Assessment
			w.assessor.do("GET", "/api/v1/assessments/"+w.aid, nil).json(t, &one)
			if l := pg.Data[0]; l.TargetScore != one.TargetScore || l.TargetScore == 0 || l.Version != one.Version || l.CatalogID != one.CatalogID || l.CatalogVersion != one.CatalogVersion {
				t.Errorf("the list's header %+v differs from the assessment's %+v", l, one)
			}
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

func TestTokens(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		w := newWorld(t, e, api.Config{})
		ctx := context.Background()
		// Expired: made valid, then the clock of a second service passes it.
		short := w.token(w.assessorU, app.NewToken{Name: "short", Expires: time.Now().Add(time.Hour)})
		later := app.New(w.st, app.Config{Clock: func() time.Time { return time.Now().Add(2 * time.Hour) }})
		if _, err := later.ResolveToken(ctx, short); assess.KindOf(err) != assess.KindUnauthenticated {
			t.Fatalf("the later service takes the token: %v", err)
		}
		laterAPI, err := api.New(later, api.Config{})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+short)
		laterAPI.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "expired") {
			t.Errorf("expired token: %d %s", rec.Code, rec.Body)
		}
		// Revoked.
		tok, err := w.svc.CreateToken(ctx, app.Principal{User: w.assessorU}, app.NewToken{Name: "gone", Expires: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		gone := &client{site: w.site, token: tok.Secret}
		if r := gone.do("GET", "/api/v1/me", nil); r.Status != 200 {
			t.Fatalf("before revoking: %d %s", r.Status, r.Body)
		}
		if err := w.svc.RevokeToken(ctx, app.Principal{User: w.assessorU}, tok.Token.ID); err != nil {
			t.Fatal(err)
		}
		if r := gone.do("GET", "/api/v1/me", nil); r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "revoked") {
			t.Errorf("revoked token: %d %s", r.Status, r.Body)
		}
		// Read-only: every read works, every write route is refused.
		ro := &client{site: w.site, token: w.token(w.assessorU, app.NewToken{Name: "dashboard", ReadOnly: true})}
		var me api.Me
		ro.do("GET", "/api/v1/me", nil).json(t, &me)
		if me.Token == nil || me.Token.Name != "dashboard" || !me.Token.ReadOnly {
			t.Errorf("me: %+v", me.Token)
		}
		if r := ro.do("GET", w.path("/items/A.5.1"), nil); r.Status != 200 {
			t.Errorf("read-only read: %d %s", r.Status, r.Body)
		}
		ev, err := w.svc.AddEvidence(ctx, app.Principal{User: w.assessorU}, w.aid, "A.5.1", app.NewEvidence{Text: "A policy"})
		if err != nil {
			t.Fatal(err)
		}
		iv, err := w.svc.CreateInterview(ctx, app.Principal{User: w.assessorU}, w.aid, app.NewInterview{Name: "Hana", Email: "hana@example.com", Department: "HR"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.CreateSnapshot(ctx, app.Principal{User: w.assessorU}, w.aid, "base"); err != nil {
			t.Fatal(err)
		}
		fill := strings.NewReplacer("{id}", w.aid, "{ref}", "A.5.1", "{eid}", itoa64(ev.ID), "{name}", "base", "{login}", "vic",
			"{iid}", itoa64(iv.ID))
		bodies := map[string]any{
			"POST /api/v1/assessments":                           map[string]any{"org": "Other"},
			"PATCH /api/v1/assessments/{id}":                     map[string]any{"version": 1, "scope": "x"},
			"PATCH /api/v1/assessments/{id}/items/{ref}":         map[string]any{"version": 0, "score": 3},
			"POST /api/v1/assessments/{id}/items/{ref}/evidence": map[string]any{"text": "x"},
			"POST /api/v1/assessments/{id}/snapshots":            map[string]any{"name": "ro"},
			"PUT /api/v1/assessments/{id}/members/{login}":       map[string]any{"role": "viewer"},
			"POST /api/v1/assessments/{id}/interviews":           map[string]any{"name": "Lee", "email": "lee@example.com", "department": "HR"},
		}
		writes := 0
		for _, p := range w.api.Patterns() {
			method, path, _ := strings.Cut(p, " ")
			if method == "GET" || path == "" {
				continue
			}
			writes++
			r := ro.do(method, fill.Replace(path), bodies[p])
			if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "read-only") {
				t.Errorf("read-only %s: %d %s", p, r.Status, r.Body)
			}
		}
		if writes < 12 {
			t.Errorf("only %d write routes tried", writes)
		}
		// Another user's assessment by id: not found, as if there were none.
		if r := w.outsider.do("GET", w.path(""), nil); r.Status != http.StatusNotFound {
			t.Errorf("another user's assessment: %d %s", r.Status, r.Body)
		}
	})
}

func TestItemConflict(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		w := newWorld(t, e, api.Config{})
		var it api.ItemOut
		w.assessor.do("GET", w.path("/items/A.5.1"), nil).json(t, &it)
		base := it.Version
		// Two edits from the same version on different fields: both land.
		if r := w.assessor.do("PATCH", w.path("/items/A.5.1"), map[string]any{"version": base, "owner": "Dana"}); r.Status != 200 {
			t.Fatalf("first: %d %s", r.Status, r.Body)
		}
		r := w.contributor.do("PATCH", w.path("/items/A.6.1"), map[string]any{"version": 1, "notes": "hr"})
		if r.Status != 200 {
			t.Fatalf("contributor: %d %s", r.Status, r.Body)
		}
		r = w.assessor.do("PATCH", w.path("/items/A.5.1"), map[string]any{"version": base, "score": 3})
		if r.Status != 200 {
			t.Fatalf("other field from the same version: %d %s", r.Status, r.Body)
		}
		r.json(t, &it)
		if it.Owner != "Dana" || it.Score != 3 {
			t.Errorf("both edits should stay: %+v", it.Item)
		}
		// Two edits from the same version on the same field: the second is a 409 with both values.
		base = it.Version
		if r := w.assessor.do("PATCH", w.path("/items/A.5.1"), map[string]any{"version": base, "priority": "High"}); r.Status != 200 {
			t.Fatalf("first priority: %d %s", r.Status, r.Body)
		}
		r = w.assessor.do("PATCH", w.path("/items/A.5.1"), map[string]any{"version": base, "priority": "Low"})
		if r.Status != http.StatusConflict {
			t.Fatalf("second priority: %d %s", r.Status, r.Body)
		}
		var p api.Problem
		r.json(t, &p)
		if len(p.Conflicts) != 1 || p.Conflicts[0].Field != "priority" || p.Conflicts[0].Yours != "Low" || p.Conflicts[0].Theirs != "High" ||
			p.Conflicts[0].SavedBy != w.assessorU.Name || p.Current == nil || p.Current.Priority != "High" {
			t.Errorf("conflict: %s", r.Body)
		}
		// Bad input names the field.
		r = w.assessor.do("PATCH", w.path("/items/A.5.1"), map[string]any{"version": 0, "score": 9, "target_date": "soon", "colour": "red"})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"where":"colour"`) {
			t.Errorf("unknown field: %d %s", r.Status, r.Body)
		}
		r = w.assessor.do("PATCH", w.path("/items/A.5.1"), map[string]any{"version": 0, "score": 9, "target_date": "soon"})
		r.json(t, &p)
		if r.Status != http.StatusUnprocessableEntity || len(p.Errors) != 2 || p.Errors[0].Where != "score" || p.Errors[1].Where != "target_date" {
			t.Errorf("bad fields: %d %s", r.Status, r.Body)
		}
		// effort_days null clears the override.
		w.assessor.do("PATCH", w.path("/items/A.5.1"), map[string]any{"version": 0, "effort_days": 4.5}).json(t, &it)
		if it.EffortDays == nil || *it.EffortDays != 4.5 {
			t.Fatalf("effort: %+v", it.EffortDays)
		}
		w.assessor.do("PATCH", w.path("/items/A.5.1"), []byte(`{"version":0,"effort_days":null}`)).json(t, &it)
		if it.EffortDays != nil {
			t.Errorf("effort not cleared: %v", *it.EffortDays)
		}
		// The header: a change from an old version is a conflict.
		var a assess.Assessment
		w.assessor.do("GET", w.path(""), nil).json(t, &a)
		if r := w.assessor.do("PATCH", w.path(""), map[string]any{"version": a.Version, "scope": "One"}); r.Status != 200 {
			t.Fatalf("header: %d %s", r.Status, r.Body)
		}
		if r := w.assessor.do("PATCH", w.path(""), map[string]any{"version": a.Version, "scope": "Two"}); r.Status != http.StatusConflict {
			t.Errorf("stale header: %d %s", r.Status, r.Body)
		}
	})
}

func TestPaginationAndETag(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		w := newWorld(t, e, api.Config{})
		// Every item exactly once, in pages of 7, following next.
		seen := map[string]int{}
		next := w.path("/items?limit=7")
		pages := 0
		for next != "" {
			r := w.viewer.do("GET", next, nil)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", next, r.Status, r.Body)
			}
			var pg api.Page[api.ItemOut]
			r.json(t, &pg)
			for _, it := range pg.Data {
				seen[it.Ref]++
			}
			if pg.NextURL != "" && !strings.Contains(r.Header.Get("Link"), pg.NextURL) {
				t.Errorf("Link %q, next %q", r.Header.Get("Link"), pg.NextURL)
			}
			next = pg.NextURL
			pages++
		}
		if len(seen) != 123 || pages != 18 {
			t.Errorf("%d items in %d pages", len(seen), pages)
		}
		for ref, n := range seen {
			if n != 1 {
				t.Errorf("%s seen %d times", ref, n)
			}
		}
		// A filter pages too.
		var pg api.Page[api.ItemOut]
		w.viewer.do("GET", w.path("/items?section=clauses&limit=500"), nil).json(t, &pg)
		if len(pg.Data) != 30 || pg.NextURL != "" {
			t.Errorf("clauses: %d, next %q", len(pg.Data), pg.NextURL)
		}
		// History, oldest first, every change once.
		for i := range 5 {
			w.assessor.do("PATCH", w.path("/items/A.5.1"), map[string]any{"version": 0, "notes": "note " + itoa64(int64(i))})
		}
		var ids []int64
		next = w.path("/history?limit=2")
		for next != "" {
			var hp api.Page[assess.Change]
			w.auditor.do("GET", next, nil).json(t, &hp)
			for _, c := range hp.Data {
				ids = append(ids, c.ID)
			}
			next = hp.NextURL
		}
		if len(ids) < 5 || !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Errorf("history ids %v", ids)
		}
		if r := w.viewer.do("GET", w.path("/items?cursor=bm90LWpzb24"), nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("bad cursor: %d", r.Status)
		}
		// ETag: 304 while nothing changed, 200 once something did.
		r := w.viewer.do("GET", w.path("/items/A.5.1"), nil)
		tag := r.Header.Get("ETag")
		if tag == "" {
			t.Fatal("no ETag")
		}
		if r := w.viewer.do("GET", w.path("/items/A.5.1"), nil, "If-None-Match", tag); r.Status != http.StatusNotModified {
			t.Errorf("unchanged: %d", r.Status)
		}
		w.assessor.do("PATCH", w.path("/items/A.8.1"), map[string]any{"version": 0, "notes": "changed"})
		if r := w.viewer.do("GET", w.path("/items/A.5.1"), nil, "If-None-Match", tag); r.Status != 200 {
			t.Errorf("changed: %d", r.Status)
		}
	})
}

func TestRateLimit(t *testing.T) {
	w := newWorld(t, engines[0], api.Config{Rate: 0.001, Burst: 3})
	for i := range 3 {
		if r := w.viewer.do("GET", "/api/v1/me", nil); r.Status != 200 {
			t.Fatalf("request %d: %d", i, r.Status)
		}
	}
	r := w.viewer.do("GET", "/api/v1/me", nil)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: %d %q", r.Status, r.Header.Get("Retry-After"))
	}
	// Another token has its own bucket.
	if r := w.auditor.do("GET", "/api/v1/me", nil); r.Status != 200 {
		t.Errorf("another token: %d", r.Status)
	}
}

func TestIdempotencyKeys(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		w := newWorld(t, e, api.Config{})
		body := map[string]any{"org": "Globex", "scope": "Cloud"}
		first := w.assessor.do("POST", "/api/v1/assessments", body, "Idempotency-Key", "create-globex")
		if first.Status != http.StatusCreated {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		again := w.assessor.do("POST", "/api/v1/assessments", body, "Idempotency-Key", "create-globex")
		if again.Status != http.StatusCreated || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
			again.Header.Get("Location") != first.Header.Get("Location") {
			t.Errorf("replay: %d %s %v, first %s", again.Status, again.Body, again.Header, first.Body)
		}
		var pg api.Page[api.AssessmentSummary]
		w.assessor.do("GET", "/api/v1/assessments", nil).json(t, &pg)
		globex := 0
		for _, a := range pg.Data {
			if a.Org == "Globex" {
				globex++
			}
		}
		if globex != 1 {
			t.Errorf("%d Globex assessments after a replayed create", globex)
		}
		other := w.assessor.do("POST", "/api/v1/assessments", map[string]any{"org": "Initech"}, "Idempotency-Key", "create-globex")
		if other.Status != http.StatusUnprocessableEntity || !strings.Contains(string(other.Body), "Idempotency-Key") {
			t.Errorf("same key, another body: %d %s", other.Status, other.Body)
		}
		// Another account's key of the same name is its own.
		if r := w.viewer.do("POST", "/api/v1/assessments", map[string]any{"org": "Viewer's"}, "Idempotency-Key", "create-globex"); r.Status != http.StatusCreated {
			t.Errorf("another account's key: %d %s", r.Status, r.Body)
		}
		// A create that fails frees its key.
		if r := w.assessor.do("POST", w.path("/snapshots"), map[string]any{"name": "bad@name"}, "Idempotency-Key", "snap"); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad snapshot: %d %s", r.Status, r.Body)
		}
		if r := w.assessor.do("POST", w.path("/snapshots"), map[string]any{"name": "good"}, "Idempotency-Key", "snap"); r.Status != http.StatusCreated {
			t.Errorf("after a failed create: %d %s", r.Status, r.Body)
		}
		// A file upload replays too, and is stored once.
		up := func() response {
			return w.assessor.upload(w.path("/items/A.5.1/evidence"), map[string]string{"text": "The policy", "date": "2027-01-04"}, "policy.pdf", []byte("%PDF-1.7 policy"),
				"Idempotency-Key", "upload-1")
		}
		u1, u2 := up(), up()
		if u1.Status != http.StatusCreated || string(u1.Body) != string(u2.Body) {
			t.Errorf("upload replay: %d %s / %d %s", u1.Status, u1.Body, u2.Status, u2.Body)
		}
		var ev api.Page[api.EvidenceOut]
		w.assessor.do("GET", w.path("/evidence?ref=A.5.1"), nil).json(t, &ev)
		if len(ev.Data) != 1 || ev.Data[0].FileName != "policy.pdf" || ev.Data[0].Size != 15 {
			t.Errorf("evidence after a replayed upload: %+v", ev.Data)
		}
		r := w.assessor.do("GET", w.path("/evidence/"+itoa64(ev.Data[0].ID)+"/file"), nil)
		if r.Status != 200 || string(r.Body) != "%PDF-1.7 policy" {
			t.Errorf("download: %d %q", r.Status, r.Body)
		}
	})
}

func TestReferencePage(t *testing.T) {
	s := newSite(t, engines[0].open(t), api.Config{})
	anon := &client{site: s}
	r := anon.do("GET", "/api/v1/docs", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %s", r.Status, r.Header.Get("Content-Type"))
	}
	page := string(r.Body)
	var doc struct {
		Paths map[string]map[string]struct{ OperationID string }
	}
	if err := json.Unmarshal(anon.do("GET", "/api/v1/openapi.json", nil).Body, &doc); err != nil {
		t.Fatal(err)
	}
	for path, ops := range doc.Paths {
		for _, op := range ops {
			if !strings.Contains(page, `id="op-`+op.OperationID+`"`) || !strings.Contains(page, path) {
				t.Errorf("the page lacks %s (%s)", op.OperationID, path)
			}
		}
	}
	for _, k := range assess.Kinds() {
		if !strings.Contains(page, `id="problem-`+strings.ReplaceAll(k.String(), " ", "-")+`"`) {
			t.Errorf("the page lacks the problem %q", k)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "http://") && !strings.Contains(page, "http://127.0.0.1") {
		t.Error("the page loads something from elsewhere")
	}
	// A problem's type leads to its explanation on the page.
	var p api.Problem
	anon.do("GET", "/api/v1/me", nil).json(t, &p)
	if !strings.HasPrefix(p.Type, "/api/v1/docs#") || !strings.Contains(page, `id="`+strings.TrimPrefix(p.Type, "/api/v1/docs#")+`"`) {
		t.Errorf("problem type %q", p.Type)
	}
	// Every kind has its status.
	for _, k := range assess.Kinds() {
		if k != assess.KindInternal && api.Status(k) == http.StatusInternalServerError {
			t.Errorf("kind %v has no status", k)
		}
	}
}
