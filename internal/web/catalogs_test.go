package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

const basicID, basicVersion = "sample-security-catalog-for-demonstration-and-testing", "1.1"

var basicCatalog = testenv.BasicOSCALCatalog

// uploadCatalog posts a file to the catalogs page as a browser's form does.
func (c *client) uploadCatalog(name string, content []byte) response {
	c.site.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		c.site.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return c.do(http.MethodPost, "/catalogs", &buf, mw.FormDataContentType())
}

// catalogOptions lists the values of the new-assessment form's catalog choice.
var catalogOption = regexp.MustCompile(`<option value="([^"]*)"[^>]*>`)

func catalogOptions(body string) []string {
	i := strings.Index(body, `name="catalog"`)
	if i < 0 {
		return nil
	}
	sel := body[i:]
	sel = sel[:strings.Index(sel, "</select>")]
	var out []string
	for _, m := range catalogOption.FindAllStringSubmatch(sel, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// startLinks lists the catalogs a page's "start an assessment" links name.
var startLink = regexp.MustCompile(`href="/new\?catalog=([^"]*)"`)

func startLinks(t *testing.T, body string) []string {
	var out []string
	for _, m := range startLink.FindAllStringSubmatch(body, -1) {
		k, err := url.QueryUnescape(html.UnescapeString(m[1]))
		if err != nil {
			t.Errorf("link %q: %v", m[0], err)
		}
		out = append(out, k)
	}
	return out
}

// The catalogs page imports an OSCAL catalog, the new-assessment form
// offers it after the built-in one, and the assessment is made on the one
// chosen; an account that may not start assessments sees none of it.
func TestCatalogsPageAndNewAssessmentForm(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := newSite(t, e.open(t), web.Config{})
		admin, _ := s.user("root", true)
		viewer, _ := s.user("vera", false)
		builtin := catalog.Builtin().ID + "@" + catalog.Builtin().Version
		stored := basicID + "@" + basicVersion

		if r := admin.get("/"); !strings.Contains(r.body, `href="/catalogs"`) {
			t.Error("the portfolio does not link to the catalogs")
		}
		if r := admin.get("/new"); !strings.Contains(r.body, `href="/catalogs"`) {
			t.Error("the new-assessment form does not link to the catalogs")
		}
		if got := catalogOptions(admin.get("/new").body); len(got) != 1 || got[0] != builtin {
			t.Errorf("before any import the form offers %q, want the built-in catalog only", got)
		}

		r := admin.uploadCatalog("basic-catalog.json", basicCatalog(t))
		if r.status != http.StatusOK {
			t.Fatalf("import: %d %s", r.status, excerpt(r.body))
		}
		imported := r.body[strings.Index(r.body, `id="imported"`):]
		imported = imported[:strings.Index(imported, "</section>")]
		for _, want := range []string{"Sample Security Catalog", basicID, "2 groups, 4 controls"} {
			if !strings.Contains(imported, want) {
				t.Errorf("the import's answer does not show %q: %s", want, imported)
			}
		}
		if got := startLinks(t, imported); len(got) != 1 || got[0] != stored {
			t.Errorf("the import's answer links to start on %q, want %q", got, stored)
		}
		list := admin.get("/catalogs")
		if list.status != http.StatusOK || !strings.Contains(list.body, basicID) || !strings.Contains(list.body, "ISO/IEC 27001") {
			t.Fatalf("catalogs page: %d %s", list.status, excerpt(list.body))
		}
		if got := startLinks(t, list.body); len(got) != 2 || got[0] != builtin || got[1] != stored {
			t.Errorf("the catalogs page links to start on %q", got)
		}
		if got := catalogOptions(admin.get("/new").body); len(got) != 2 || got[0] != builtin || got[1] != stored {
			t.Errorf("the form offers %q, want the built-in catalog then the stored one", got)
		}
		newForm := admin.get("/new?catalog=" + url.QueryEscape(stored)).body
		if !regexp.MustCompile(`<option value="` + regexp.QuoteMeta(stored) + `"[^>]* selected`).MatchString(newForm) {
			t.Error("the form does not preselect the catalog it was opened for")
		}

		r = admin.post("/new", form("org", "Custom Co", "catalog", stored))
		if r.status != http.StatusSeeOther {
			t.Fatalf("creating on the stored catalog: %d %s", r.status, excerpt(r.body))
		}
		aid := strings.Split(r.header.Get("Location"), "/")[2]
		a, err := s.svc.Assessment(ctx, app.System("test"), aid)
		if err != nil || a.CatalogID != basicID || a.CatalogVersion != basicVersion {
			t.Fatalf("assessment made on %q %q, %v", a.CatalogID, a.CatalogVersion, err)
		}
		r = admin.post("/new", form("org", "ISO Co"))
		if r.status != http.StatusSeeOther {
			t.Fatalf("creating on the default: %d %s", r.status, excerpt(r.body))
		}
		iso, _ := s.svc.Assessment(ctx, app.System("test"), strings.Split(r.header.Get("Location"), "/")[2])
		if iso.CatalogID != catalog.Builtin().ID {
			t.Errorf("the default made an assessment on %q", iso.CatalogID)
		}
		if r := admin.post("/new", form("org", "Nope", "catalog", "no-such@1")); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "no-such") {
			t.Errorf("an unknown catalog: %d %s", r.status, excerpt(r.body))
		}
		// The list counts the assessments made on each catalog.
		if row := rowOf(admin.get("/catalogs").body, basicID); !strings.Contains(row, `<td class="d use">1</td>`) {
			t.Errorf("the stored catalog's row does not count its assessment: %s", row)
		}

		// An account that may not start assessments.
		if got := catalogOptions(viewer.get("/new").body); len(got) != 1 || got[0] != builtin {
			t.Errorf("an account that may not create sees %q", got)
		}
		if r := viewer.get("/catalogs"); r.status != http.StatusForbidden {
			t.Errorf("catalogs page for an account that may not create: %d", r.status)
		}
		if r := viewer.uploadCatalog("basic-catalog.json", basicCatalog(t)); r.status != http.StatusForbidden {
			t.Errorf("upload by an account that may not create: %d", r.status)
		}
		if r := viewer.post("/new", form("org", "Sneaky", "catalog", stored)); r.status != http.StatusForbidden {
			t.Errorf("creating on a stored catalog without the right: %d", r.status)
		}
		if strings.Contains(viewer.get("/").body, `href="/catalogs"`) {
			t.Error("the portfolio links an account that may not create to the catalogs")
		}
	})
}

// Upload errors show on the catalogs page with a 4xx, saying which problem
// and where; nothing is stored.
func TestCatalogUploadErrors(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		s := newSite(t, e.open(t), web.Config{})
		admin, _ := s.user("root", true)
		if r := admin.uploadCatalog("basic-catalog.json", basicCatalog(t)); r.status != http.StatusOK {
			t.Fatalf("import: %d %s", r.status, excerpt(r.body))
		}
		var doc map[string]any
		if err := json.Unmarshal(basicCatalog(t), &doc); err != nil {
			t.Fatal(err)
		}
		delete(doc["catalog"].(map[string]any)["metadata"].(map[string]any), "title")
		noTitle, _ := json.Marshal(doc)
		changed := bytes.Replace(basicCatalog(t), []byte("Internal Organization"), []byte("Internal organisation"), 1)
		for _, tc := range []struct {
			name    string
			file    []byte
			status  int
			message []string
		}{
			{"not JSON", []byte("ref,title\nAC-1,Policy\n"), http.StatusUnprocessableEntity, []string{"not JSON", "line 1"}},
			{"schema", noTitle, http.StatusUnprocessableEntity, []string{"/catalog/metadata", "title"}},
			{"a profile", []byte(`{"profile":{}}`), http.StatusUnprocessableEntity, []string{"profile"}},
			{"other content, same id and version", changed, http.StatusConflict, []string{basicID, "raise the version"}},
			{"no file", nil, http.StatusUnprocessableEntity, []string{"choose"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var r response
				if tc.file == nil {
					r = admin.post("/catalogs", form())
				} else {
					r = admin.uploadCatalog("catalog.json", tc.file)
				}
				if r.status != tc.status {
					t.Errorf("status %d, want %d: %s", r.status, tc.status, excerpt(r.body))
				}
				if !strings.Contains(r.body, `id="catalog-file"`) || !strings.Contains(r.body, `role="alert"`) {
					t.Errorf("the error is not shown on the catalogs page: %s", excerpt(r.body))
				}
				for _, m := range tc.message {
					if !strings.Contains(r.body, m) {
						t.Errorf("the message does not say %q: %s", m, excerpt(r.body))
					}
				}
			})
		}
		list, err := s.svc.Catalogs(context.Background(), app.System("test"))
		if err != nil || len(list) != 2 {
			t.Errorf("after the failed uploads: %d catalogs, %v", len(list), err)
		}
	})
}

// rowOf returns the table row that mentions key.
func rowOf(body, key string) string {
	i := strings.Index(body, key)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := strings.Index(body[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return body[start : i+end]
}
