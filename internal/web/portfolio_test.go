package web_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/web"
)

// TestPortfolioPages: a long portfolio comes a hundred to a page, in
// order, with links between the pages, and a search by organisation
// narrows it; every assessment is on exactly one page, with its scope.
func TestPortfolioPages(t *testing.T) {
	s := newSite(t, engines[0].open(t), web.Config{})
	if _, err := s.svc.CreateDemoClients(context.Background(), app.System("test"), 230, 3, nil); err != nil {
		t.Fatal(err)
	}
	admin, _ := s.user("ada", true)
	row := regexp.MustCompile(`<a href="/a/([a-z0-9]+)/">`)
	scoped := regexp.MustCompile(`<a href="/a/([a-z0-9]+)/">[^<]*</a><div class="sub">([^<]*)</div>`)
	seen := map[string]bool{}
	shown := map[string]string{} // the scope under each organisation
	path, pages := "/", 0
	for path != "" {
		r := admin.get(path)
		if r.status != 200 {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		pages++
		ids := row.FindAllStringSubmatch(r.body, -1)
		if want := []int{100, 100, 30}[min(pages, 3)-1]; len(ids) != want {
			t.Errorf("page %d lists %d assessments, want %d", pages, len(ids), want)
		}
		for _, m := range scoped.FindAllStringSubmatch(r.body, -1) {
			shown[m[1]] = m[2]
		}
		for _, m := range ids {
			if seen[m[1]] {
				t.Errorf("%s is on two pages", m[1])
			}
			seen[m[1]] = true
		}
		if pages == 1 && !strings.Contains(r.body, "230 assessments") {
			t.Error("the first page does not say how many assessments there are")
		}
		next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(r.body)
		path = ""
		if next != nil {
			path = strings.ReplaceAll(next[1], "&amp;", "&")
		}
	}
	if pages != 3 || len(seen) != 230 {
		t.Errorf("%d pages listing %d assessments, want 3 and 230", pages, len(seen))
	}
	list, err := s.svc.Portfolio(context.Background(), app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	// Every row shows its assessment's scope, which the portfolio itself
	// leaves out.
	for _, e := range list {
		a, err := s.svc.Assessment(context.Background(), app.System("test"), e.Assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := shown[a.ID]; !ok || got != html.EscapeString(a.Scope) || a.Scope == "" {
			t.Errorf("%s shows the scope %q, want %q", a.ID, got, a.Scope)
		}
	}
	org := list[0].Assessment.Org
	word := strings.ToUpper(strings.Fields(org)[0])
	want := 0
	for _, e := range list {
		if strings.Contains(strings.ToLower(e.Assessment.Org), strings.ToLower(word)) {
			want++
		}
	}
	r := admin.get("/?q=" + word)
	if got := len(row.FindAllString(r.body, -1)); got != min(want, 100) || !strings.Contains(r.body, "matching “"+word+"”") {
		t.Errorf("searching %q lists %d, want %d", word, got, want)
	}
	if r := admin.get("/?q=nothing+like+this"); !strings.Contains(r.body, "No assessment") || row.MatchString(r.body) {
		t.Error("a search that matches nothing lists assessments")
	}
}
