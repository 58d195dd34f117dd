package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/report"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
	"github.com/isogap/isogap/internal/workbook"
)

// fileFormats adds to app.DefaultFormats the downloads the served app
// writes with the workbook and report packages: the checklist workbook,
// the executive report and the Statement of Applicability.
func fileFormats() []app.Format {
	fromResults := func(name, ext string, write func(io.Writer, app.Results) error) app.Format {
		return app.Format{Name: name, Label: name, Ext: ext, ContentType: "application/octet-stream",
			Write: func(src app.Source, w io.Writer) error {
				r, err := src.Results()
				if err != nil {
					return err
				}
				return write(w, r)
			}}
	}
	return append([]app.Format{
		{Name: "xlsx", Label: "Checklist workbook", Ext: "xlsx", ContentType: "application/octet-stream",
			Write: func(src app.Source, w io.Writer) error {
				v, err := src.View()
				if err != nil {
					return err
				}
				return workbook.Export(w, v, workbook.Filter{}, src.Now())
			}},
		fromResults("pdf", "pdf", func(w io.Writer, r app.Results) error {
			d, err := report.Executive(r, report.Options{})
			if err != nil {
				return err
			}
			return report.WritePDF(w, d)
		}),
		fromResults("soa-xlsx", "xlsx", func(w io.Writer, r app.Results) error { return report.WriteSoAXLSX(w, r.SoA) }),
	}, app.DefaultFormats()...)
}

// startOn imports a catalog file through the catalogs page and starts an
// assessment on it through the new-assessment form; it returns the
// assessment's path.
func startOn(t *testing.T, c *client, file []byte, org string) string {
	t.Helper()
	r := c.uploadCatalog("catalog.json", file)
	if r.status != http.StatusOK {
		t.Fatalf("import: %d %s", r.status, excerpt(r.body))
	}
	links := startLinks(t, r.body[strings.Index(r.body, `id="imported"`):])
	r = c.post("/new", form("org", org, "catalog", links[0]))
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.status, excerpt(r.body))
	}
	return "/a/" + strings.Split(r.header.Get("Location"), "/")[2]
}

// xlsxHas reports whether a workbook's sheets or shared strings hold s.
func xlsxHas(t *testing.T, body, s string) bool {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// An assessment on NIST's basic catalog, whose refs are "1.1.1" and whose
// sections are OSCAL groups, works like an ISO one on every page and in
// every download; an item is saved from the matrix and from its page.
func TestBasicCatalogAssessmentPages(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSite(t, e.open(t), web.Config{Formats: fileFormats()})
		admin, _ := s.user("root", true)
		A := startOn(t, admin, basicCatalog(t), "Custom Co")
		for _, p := range []string{"/", "/scope", "/stakeholders", "/matrix", "/items/1.1.1", "/items/2.1.2", "/soa", "/forecast",
			"/roadmap", "/risks", "/history", "/downloads", "/members", "/interviews"} {
			if r := admin.get(A + p); r.status != http.StatusOK {
				t.Errorf("%s: %d %s", p, r.status, excerpt(r.body))
			}
		}
		matrix := admin.get(A + "/matrix").body
		for _, want := range []string{`id="row-1.1.1"`, `href="items/2.1.2"`, "Segregation of duties", "Access control policy"} {
			if !strings.Contains(matrix, want) {
				t.Errorf("the matrix has no %q", want)
			}
		}
		if strings.Contains(matrix, "A.5.1") {
			t.Error("the matrix shows an ISO item")
		}

		// A save from the matrix's row (without script: a form post).
		r := admin.post(A+"/matrix/1.1.1", form("version", "1", "return", A+"/matrix", "score", "4", "was_score", "",
			"owner", "Olga", "was_owner", "", "priority", "", "was_priority", "", "target_date", "", "was_target_date", ""))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != A+"/matrix#row-1.1.1" {
			t.Fatalf("matrix save: %d %q %s", r.status, r.header.Get("Location"), excerpt(r.body))
		}
		// And from the item's page.
		if r := admin.post(A+"/items/2.1.1", form("version", "1", "score", "2", "action", "Write the access control policy")); r.status != http.StatusSeeOther {
			t.Fatalf("item save: %d %s", r.status, excerpt(r.body))
		}
		aid := strings.TrimPrefix(A, "/a/")
		for ref, score := range map[string]int{"1.1.1": 4, "2.1.1": 2} {
			if it, err := s.svc.Item(context.Background(), app.System("test"), aid, ref); err != nil || int(it.Score) != score {
				t.Errorf("%s: score %d, %v; want %d", ref, it.Score, err, score)
			}
		}
		if r := admin.get(A + "/items/1.1.1"); !strings.Contains(r.body, "Olga") {
			t.Error("the item page does not show the owner saved from the matrix")
		}
		if r := admin.get(A + "/"); !strings.Contains(r.body, "Organization of Information Security") {
			t.Error("the dashboard does not show the catalog's groups")
		}

		for _, f := range fileFormats() {
			r := admin.get(A + "/download/" + f.Name)
			if r.status != http.StatusOK || len(r.body) == 0 {
				t.Errorf("download %s: %d %s", f.Name, r.status, excerpt(r.body))
			}
		}
		if r := admin.get(A + "/download/xlsx"); !xlsxHas(t, r.body, "Segregation of duties") {
			t.Error("the workbook does not hold the catalog's items")
		}
	})
}

// The matrix of a catalog the size of NIST SP 800-53, refs with
// parentheses ("FA-1(1)"), renders every item and saves a row in place.
func TestLargeCatalogMatrix(t *testing.T) {
	testenv.SkipIfShort(t, "a 1,200-item assessment")
	forEngines(t, func(t *testing.T, e engine) {
		s := newSite(t, e.open(t), web.Config{Formats: fileFormats()})
		admin, _ := s.user("root", true)
		A := startOn(t, admin, testenv.GeneratedOSCALCatalog(20, 20, "1"), "Large Co")
		r := admin.get(A + "/matrix")
		if r.status != http.StatusOK {
			t.Fatalf("matrix: %d %s", r.status, excerpt(r.body))
		}
		if n := strings.Count(r.body, `<tr id="row-`); n != 1200 {
			t.Errorf("the matrix has %d rows, want 1200", n)
		}
		// Links and forms carry the ref escaped, as a browser sends it.
		for _, want := range []string{`id="row-FT-20(2)"`, `href="items/FA-1%281%29"`, `action="matrix/FA-1%281%29"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the matrix has no %s", want)
			}
		}
		inline := &client{site: s, cookie: admin.cookie, header: http.Header{"X-Isogap-Inline": {"1"}}}
		r = inline.post(A+"/matrix/FA-1%281%29", form("version", "1", "return", A+"/matrix", "score", "3", "was_score", ""))
		if r.status != http.StatusOK || !strings.Contains(r.body, `id="row-FA-1(1)"`) || !strings.Contains(r.body, `name="version" value="2"`) {
			t.Fatalf("inline save: %d %s", r.status, excerpt(r.body))
		}
		for _, p := range []string{"/items/FA-1%281%29", "/items/FA-1(1)", "/", "/soa", "/download/xlsx"} {
			if r := admin.get(A + p); r.status != http.StatusOK {
				t.Errorf("%s: %d %s", p, r.status, excerpt(r.body))
			}
		}
		if r := admin.get(A + "/items/FA-1(1)"); !strings.Contains(r.body, "First Enhancement") {
			t.Error("the item page of FA-1(1) does not show its title")
		}
	})
}
