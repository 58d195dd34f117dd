package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/web"
)

// fixture is two assessments of two clients and one person per role.
type fixture struct {
	*site
	a, b                                          assess.Assessment
	admin, assessor, contributor, viewer, auditor *client
	expired, outsider, anon                       *client
	fileEvidence                                  int64
}

// rolesNow is the day the role tables run on: auditors' end dates are set from it.
var rolesNow = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, e engine) *fixture {
	ctx := context.Background()
	s := newSiteAt(t, e.open(t), web.Config{}, func() time.Time { return rolesNow })
	f := &fixture{site: s, anon: s.anonymous()}
	sys := app.System("setup")
	var err error
	if f.a, err = s.svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Client A"}); err != nil {
		t.Fatal(err)
	}
	if f.b, err = s.svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Client B"}); err != nil {
		t.Fatal(err)
	}
	f.admin, _ = s.user("root", true)
	var ann, carl, vera, otto, olga, bob assess.User
	f.assessor, ann = s.user("ann", false)
	f.contributor, carl = s.user("carl", false)
	f.viewer, vera = s.user("vera", false)
	f.auditor, otto = s.user("otto", false)
	f.expired, olga = s.user("olga", false)
	f.outsider, bob = s.user("bob", false)
	st := s.st
	for _, m := range []assess.Membership{
		{AssessmentID: f.a.ID, UserID: ann.ID, Role: assess.RoleAssessor},
		{AssessmentID: f.a.ID, UserID: carl.ID, Role: assess.RoleContributor, Departments: []string{"HR"}, Refs: []string{"A.5.15"}},
		{AssessmentID: f.a.ID, UserID: vera.ID, Role: assess.RoleViewer},
		{AssessmentID: f.a.ID, UserID: otto.ID, Role: assess.RoleAuditor, Expires: assess.DateOf(rolesNow).AddDays(30)},
		{AssessmentID: f.a.ID, UserID: olga.ID, Role: assess.RoleAuditor, Expires: assess.DateOf(rolesNow).AddDays(-1)},
		{AssessmentID: f.b.ID, UserID: bob.ID, Role: assess.RoleAssessor},
	} {
		if err := st.PutMembership(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := s.svc.AddEvidence(ctx, app.System("setup"), f.a.ID, "A.8.13", app.NewEvidence{FileName: "restore.html", ContentType: "text/html",
		Content: []byte("<script>alert(1)</script>")})
	if err != nil {
		t.Fatal(err)
	}
	f.fileEvidence = ev.ID
	return f
}

func (f *fixture) score(ref string) assess.Score {
	f.t.Helper()
	it, err := f.svc.Item(context.Background(), app.System("test"), f.a.ID, ref)
	if err != nil {
		f.t.Fatal(err)
	}
	return it.Score
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func TestRoles(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { testRoles(t, e) })
	}
}

func testRoles(t *testing.T, e engine) {
	f := newFixture(t, e)
	A, B := "/a/"+f.a.ID, "/a/"+f.b.ID
	file := A + "/evidence/" + itoa(f.fileEvidence) + "/file"
	crossSite := &client{site: f.site, cookie: f.assessor.cookie, header: http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}}
	tests := []struct {
		name   string
		c      *client
		method string
		path   string
		form   url.Values
		status int
		// changed names an item whose score must (or, with unchanged, must not) become 3.
		changed, unchanged string
		body               string
	}{
		{"anonymous page goes to sign-in", f.anon, "GET", A + "/", nil, 303, "", "", ""},
		{"anonymous post is refused", f.anon, "POST", A + "/matrix/4.2", form("score", "3"), 401, "", "4.2", ""},
		{"assessor scores any item", f.assessor, "POST", A + "/matrix/4.1", form("version", "1", "score", "3"), 303, "4.1", "", ""},
		{"contributor scores an item of their department", f.contributor, "POST", A + "/matrix/A.6.1", form("version", "1", "score", "3"), 303, "A.6.1", "", ""},
		{"contributor scores an item assigned to them", f.contributor, "POST", A + "/matrix/A.5.15", form("version", "1", "score", "3"), 303, "A.5.15", "", ""},
		{"contributor may not score another department's item", f.contributor, "POST", A + "/matrix/4.3", form("version", "1", "score", "3"), 403, "", "4.3", "not assigned to you"},
		{"contributor may not exclude a control", f.contributor, "POST", A + "/items/A.6.2", form("version", "1", "scoping", "1", "applicable", "no", "justification", "x"), 403, "", "", "applicable"},
		{"contributor may not add evidence elsewhere", f.contributor, "POST", A + "/items/4.3/evidence", form("text", "x"), 403, "", "", ""},
		{"contributor may not manage members", f.contributor, "POST", A + "/members", form("login", "vera", "role", "assessor"), 403, "", "", ""},
		{"viewer reads the matrix", f.viewer, "GET", A + "/matrix", nil, 200, "", "", "A.5.15"},
		{"viewer may not post a score", f.viewer, "POST", A + "/matrix/6.1.1", form("version", "1", "score", "3"), 403, "", "6.1.1", "read-only"},
		{"viewer may not download evidence files", f.viewer, "GET", file, nil, 403, "", "", ""},
		{"viewer may not download the complete export", f.viewer, "GET", A + "/download/json", nil, 403, "", "", ""},
		{"viewer may download the CSV", f.viewer, "GET", A + "/download/csv", nil, 200, "", "", "ref,kind"},
		{"auditor downloads evidence files", f.auditor, "GET", file, nil, 200, "", "", "<script>"},
		{"auditor may not post", f.auditor, "POST", A + "/matrix/6.1.2", form("version", "1", "score", "3"), 403, "", "6.1.2", ""},
		{"auditor after expiry is refused", f.expired, "GET", A + "/", nil, 403, "", "", "ended on"},
		{"auditor after expiry cannot download", f.expired, "GET", file, nil, 403, "", "", ""},
		{"member of another assessment: page", f.outsider, "GET", A + "/", nil, 404, "", "", ""},
		{"member of another assessment: matrix", f.outsider, "GET", A + "/matrix", nil, 404, "", "", ""},
		{"member of another assessment: evidence file", f.outsider, "GET", file, nil, 404, "", "", ""},
		{"member of another assessment: export", f.outsider, "GET", A + "/download/json", nil, 404, "", "", ""},
		{"member of another assessment: post", f.outsider, "POST", A + "/matrix/7.1", form("score", "3"), 404, "", "7.1", ""},
		{"member sees their own assessment", f.outsider, "GET", B + "/", nil, 200, "", "", "Client B"},
		{"unknown assessment id", f.outsider, "GET", "/a/doesnotexist/", nil, 404, "", "", ""},
		{"cross-site post is refused", crossSite, "POST", A + "/matrix/7.2", form("score", "3"), 403, "", "7.2", "another site"},
		{"site admin sees every assessment", f.admin, "GET", B + "/matrix", nil, 200, "", "", "A.8.34"},
		{"non-admin may not list users", f.assessor, "GET", "/admin/users", nil, 403, "", "", ""},
		{"assessor adds a member", f.assessor, "POST", A + "/members", form("login", "bob", "role", "viewer"), 303, "", "", ""},
	}
	// The portfolio lists only what each person may see.
	if r := f.outsider.get("/"); strings.Contains(r.body, "Client A") || !strings.Contains(r.body, "Client B") {
		t.Errorf("outsider's portfolio: %s", excerpt(r.body))
	}
	if r := f.expired.get("/"); strings.Contains(r.body, "Client A") {
		t.Errorf("an expired auditor still sees the assessment in the portfolio")
	}
	if r := f.admin.get("/"); !strings.Contains(r.body, "Client A") || !strings.Contains(r.body, "Client B") {
		t.Errorf("admin's portfolio: %s", excerpt(r.body))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if tc.method == "GET" {
				r = tc.c.get(tc.path)
			} else {
				r = tc.c.post(tc.path, tc.form)
			}
			if r.status != tc.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", tc.method, tc.path, r.status, tc.status, excerpt(r.body))
			}
			if tc.body != "" && !strings.Contains(r.body, tc.body) {
				t.Errorf("body lacks %q:\n%s", tc.body, excerpt(r.body))
			}
			if tc.changed != "" && f.score(tc.changed) != 3 {
				t.Errorf("%s was not scored", tc.changed)
			}
			if tc.unchanged != "" && f.score(tc.unchanged) != 0 {
				t.Errorf("%s was scored by a refused request", tc.unchanged)
			}
		})
	}
	// An evidence file is an attachment, never rendered: HTML goes out as bytes.
	r := f.auditor.get(file)
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "restore.html") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if r.header.Get("Content-Type") != "application/octet-stream" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("an HTML upload is served as %q (nosniff %q)", r.header.Get("Content-Type"), r.header.Get("X-Content-Type-Options"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func storeQuery(ref string) app.HistoryQuery { return app.HistoryQuery{Ref: ref} }

func excerpt(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}

func TestConflictKeepsBothValues(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			f := newFixture(t, e)
			A := "/a/" + f.a.ID
			it, _ := f.svc.Item(context.Background(), app.System("test"), f.a.ID, "A.5.15")
			v := itoa(int64(it.Version))
			// Both opened version v; the contributor saves first.
			if r := f.contributor.post(A+"/items/A.5.15", form("version", v, "score", "2", "owner", "Carl Example", "action", "Theirs: buy a tool")); r.status != 303 {
				t.Fatalf("first save: %d %s", r.status, excerpt(r.body))
			}
			r := f.assessor.post(A+"/items/A.5.15", form("version", v, "score", "4", "owner", "Ann Example", "action", "Mine: write the procedure"))
			if r.status != http.StatusConflict {
				t.Fatalf("second save: %d, want 409", r.status)
			}
			for _, want := range []string{"Someone else saved this item", "Theirs: buy a tool", "Mine: write the procedure", "Carl Example"} {
				if !strings.Contains(r.body, want) {
					t.Errorf("conflict page lacks %q", want)
				}
			}
			now, _ := f.svc.Item(context.Background(), app.System("test"), f.a.ID, "A.5.15")
			if now.Action != "Theirs: buy a tool" || now.Score != 2 {
				t.Errorf("the refused save changed the item: %+v", now)
			}
			// Saving the conflict page's form (based on the new version) keeps the second person's values.
			if !strings.Contains(r.body, `name="version" value="`+itoa(int64(now.Version))+`"`) {
				t.Fatalf("the conflict form is not based on version %d", now.Version)
			}
			if r := f.assessor.post(A+"/items/A.5.15", form("version", itoa(int64(now.Version)), "score", "4", "action", "Mine: write the procedure")); r.status != 303 {
				t.Fatalf("resolving save: %d", r.status)
			}
			// Edits of different fields from the same old version both land, no conflict.
			it, _ = f.svc.Item(context.Background(), app.System("test"), f.a.ID, "A.5.15")
			v = itoa(int64(it.Version))
			if r := f.contributor.post(A+"/matrix/A.5.15", form("version", v, "was_owner", it.Owner, "owner", "Carl Example", "was_score", "4", "score", "4")); r.status != 303 {
				t.Fatalf("owner change: %d", r.status)
			}
			if r := f.assessor.post(A+"/matrix/A.5.15", form("version", v, "was_owner", it.Owner, "owner", it.Owner, "was_score", "4", "score", "1")); r.status != 303 {
				t.Fatalf("score change from the same version: %d %s", r.status, excerpt(r.body))
			}
			if merged, _ := f.svc.Item(context.Background(), app.System("test"), f.a.ID, "A.5.15"); merged.Owner != "Carl Example" || merged.Score != 1 {
				t.Errorf("merged edits: owner %q score %d", merged.Owner, merged.Score)
			}
			hist, _ := f.svc.History(context.Background(), app.System("test"), f.a.ID, storeQuery("A.5.15"))
			seen := map[string]bool{}
			for _, h := range hist {
				seen[h.New] = true
			}
			if !seen["Theirs: buy a tool"] || !seen["Mine: write the procedure"] {
				t.Errorf("history lost a value: %+v", hist)
			}
		})
	}
}

func TestUploads(t *testing.T) {
	st := engines[0].open(t)
	s := newSite(t, st, web.Config{MaxUpload: 1 << 10})
	ctx := context.Background()
	admin, _ := s.user("root", true)
	a, _ := s.svc.CreateAssessment(ctx, app.System("t"), app.NewAssessment{Org: "Acme"})
	upload := func(name string, content []byte) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("text", "Restore report")
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
		mw.Close()
		return admin.do("POST", "/a/"+a.ID+"/items/A.8.13/evidence", &buf, mw.FormDataContentType())
	}
	if r := upload("big.bin", bytes.Repeat([]byte("x"), 200<<10)); r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "too large") {
		t.Errorf("oversized upload: %d", r.status)
	}
	if r := upload("report.pdf", []byte("%PDF-1.7 restore ok")); r.status != 303 {
		t.Fatalf("upload: %d %s", r.status, excerpt(r.body))
	}
	it, _ := s.svc.Item(ctx, app.System("test"), a.ID, "A.8.13")
	if len(it.Evidence) != 1 || it.Evidence[0].Size != 19 || it.Evidence[0].ContentType != "application/pdf" || len(it.Evidence[0].SHA256) != 64 {
		t.Fatalf("stored evidence: %+v", it.Evidence)
	}
	r := admin.get("/a/" + a.ID + "/evidence/" + itoa(it.Evidence[0].ID) + "/file")
	if r.status != 200 || r.body != "%PDF-1.7 restore ok" || r.header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") || r.header.Get("X-Evidence-Sha256") != it.Evidence[0].SHA256 {
		t.Errorf("download: %d %v", r.status, r.header)
	}
}

func TestImportThroughTheBrowser(t *testing.T) {
	f := newFixture(t, engines[0])
	export := f.assessor.get("/a/" + f.a.ID + "/download/json")
	if export.status != 200 || !strings.Contains(export.body, `"format": "isogap-assessment/v1"`) {
		t.Fatalf("export: %d", export.status)
	}
	upload := func(c *client, content string) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "export.json")
		fw.Write([]byte(content))
		mw.Close()
		return c.do("POST", "/import", &buf, mw.FormDataContentType())
	}
	// Importing starts an assessment: for the accounts an administrator allows.
	if r := upload(f.outsider, export.body); r.status != http.StatusForbidden {
		t.Fatalf("import by an account nobody allowed: %d", r.status)
	}
	bob := f.account("bob")
	bob.CreatesAssessments = true
	if _, err := f.svc.UpdateUser(context.Background(), app.System("test"), bob); err != nil {
		t.Fatal(err)
	}
	// Someone with no role in the original imports it: a new assessment, theirs.
	r := upload(f.outsider, export.body)
	if r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/a/") {
		t.Fatalf("import: %d %s", r.status, excerpt(r.body))
	}
	newID := strings.Split(r.header.Get("Location"), "/")[2]
	if newID == f.a.ID {
		t.Fatal("the import reused the original id")
	}
	if page := f.outsider.get("/a/" + newID + "/members"); page.status != 200 || !strings.Contains(page.body, "Assessor") {
		t.Errorf("the importer is not the assessor of the copy: %d", page.status)
	}
	if page := f.outsider.get("/a/" + newID + "/items/A.8.13"); !strings.Contains(page.body, "restore.html") {
		t.Error("the copy lost its evidence file")
	}
	// A broken file is refused whole, saying where.
	broken := strings.Replace(export.body, `"target_score": 4`, `"target_score": 9`, 1)
	before, _ := f.svc.Portfolio(context.Background(), app.System("t"))
	if r := upload(f.outsider, broken); r.status != 422 || !strings.Contains(r.body, "target_score") {
		t.Errorf("broken import: %d %s", r.status, excerpt(r.body))
	}
	if after, _ := f.svc.Portfolio(context.Background(), app.System("t")); len(after) != len(before) {
		t.Errorf("a refused import left an assessment behind")
	}
}
