package web_test

import (
	"context"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/web"
)

var (
	changeRowRE = regexp.MustCompile(`<tr id="change-(\d+)">`)
	olderRE     = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)
	newerRE     = regexp.MustCompile(`<a href="([^"]*)" rel="prev">`)
)

// TestHistoryPagesWhileChangesArrive walks the history page by page, older
// and then newer, while new changes are recorded between the pages: every
// change is shown exactly once, in order, and the links keep the filter.
func TestHistoryPagesWhileChangesArrive(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		st := e.open(t)
		s := newSite(t, st, web.Config{})
		admin, u := s.user("ann", true)
		a := loadLongHistory(t, st, s.svc.Now(), 345)
		me := app.Principal{User: u}
		n := 0
		arrive := func() {
			n++
			sc := assess.Score(1 + n%5)
			if _, err := s.svc.UpdateItem(ctx, me, a.ID, "A.5.1", 0, app.ItemPatch{Score: &sc}); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(q store.HistoryQuery) []int64 {
			hist, err := st.History(ctx, a.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, h := range hist {
				out = append(out, h.ID)
			}
			return out
		}
		// walk follows one kind of link from path to the end, a change
		// arriving before each page after the first, and returns the ids
		// each page showed (newest first on a page).
		walk := func(path string, next *regexp.Regexp, ref string) [][]int64 {
			var pages [][]int64
			for path != "" {
				if len(pages) > 20 {
					t.Fatalf("more than 20 pages from %s", path)
				}
				if len(pages) > 0 {
					arrive()
				}
				r := admin.get(path)
				if r.status != 200 {
					t.Fatalf("GET %s: %d\n%s", path, r.status, excerpt(r.body))
				}
				var page []int64
				for _, m := range changeRowRE.FindAllStringSubmatch(r.body, -1) {
					id, _ := strconv.ParseInt(m[1], 10, 64)
					page = append(page, id)
				}
				if len(page) > 100 {
					t.Fatalf("%s: %d changes on one page", path, len(page))
				}
				pages = append(pages, page)
				path = ""
				if m := next.FindStringSubmatch(r.body); m != nil {
					link := html.UnescapeString(m[1])
					if ref != "" && !strings.Contains(link, "ref="+ref) {
						t.Fatalf("the link %s lost the filter", link)
					}
					path = "/a/" + a.ID + "/history" + link
				}
			}
			return pages
		}
		for _, ref := range []string{"", "A.5.1"} {
			q := "?"
			if ref != "" {
				q += "ref=" + ref + "&"
			}
			// Newest first down to the oldest: what was there when the
			// first page was read, each once, whatever arrived meanwhile.
			want := ids(store.HistoryQuery{Ref: ref})
			slices.Reverse(want)
			older := slices.Concat(walk("/a/"+a.ID+"/history"+q, olderRE, ref)...)
			if !slices.Equal(older, want) {
				t.Errorf("ref %q: walking to older changes showed %d ids, want %d\n%v", ref, len(older), len(want), older)
			}
			// From the oldest page up to the newest: each once, with what
			// arrived meanwhile.
			oldest := want[len(want)-1]
			var up []int64
			for _, page := range walk("/a/"+a.ID+"/history"+q+"after="+strconv.FormatInt(oldest-1, 10), newerRE, ref) {
				slices.Reverse(page)
				up = append(up, page...)
			}
			if all := ids(store.HistoryQuery{Ref: ref}); !slices.Equal(up, all) {
				t.Errorf("ref %q: walking to newer changes showed %d ids, want %d", ref, len(up), len(all))
			}
		}
		if r := admin.get("/a/" + a.ID + "/history?before=soon"); r.status != 422 || !strings.Contains(r.body, "before=") {
			t.Errorf("a bad page bound: %d\n%s", r.status, excerpt(r.body))
		}
	})
}
