package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/web"
)

// A page asked for again with nothing changed comes from the page cache
// (plain and gzip-compressed alike), with the same bytes and ETag; after a
// write it is rendered afresh with the new content; and two users never
// get each other's page, though both are kept.
func TestPageCache(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := newSite(t, e.open(t), web.Config{})
		admin, _ := s.user("root", true)
		viewer, vu := s.user("vera", false)
		cli := app.System("cli")
		a, err := s.svc.CreateDemo(ctx, cli)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.PutMember(ctx, cli, a.ID, app.MemberInput{Login: vu.Login, Role: "viewer"}); err != nil {
			t.Fatal(err)
		}
		matrix := "/a/" + a.ID + "/matrix"
		hits := s.web.PageCacheHits
		// get asks for a page as a browser does the first time (no
		// If-None-Match) and checks whether it came from the cache.
		get := func(c *client, path string, fromCache bool) response {
			t.Helper()
			before := hits()
			res := c.get(path)
			if res.status != 200 || res.header.Get("ETag") == "" {
				t.Fatalf("GET %s: %d, ETag %q", path, res.status, res.header.Get("ETag"))
			}
			if got := hits() - before; got != map[bool]int64{false: 0, true: 1}[fromCache] {
				t.Fatalf("GET %s: %d cache hits, want from the cache: %v", path, got, fromCache)
			}
			return res
		}

		first := get(admin, matrix, false)
		again := get(admin, matrix, true)
		if again.body != first.body || again.header.Get("ETag") != first.header.Get("ETag") {
			t.Fatal("the page from the cache differs from the one rendered")
		}
		// Compressed: the kept gzip form, which is the same page.
		admin.header = http.Header{"Accept-Encoding": {"gzip"}}
		z := get(admin, matrix, true)
		admin.header = nil
		if z.header.Get("Content-Encoding") != "gzip" || !strings.Contains(z.header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("gzip from the cache: Content-Encoding %q, Vary %q", z.header.Get("Content-Encoding"), z.header.Get("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader([]byte(z.body)))
		if err != nil {
			t.Fatal(err)
		}
		if plain, err := io.ReadAll(zr); err != nil || string(plain) != first.body {
			t.Fatalf("the gzip page from the cache does not decompress to the page (%v)", err)
		}

		// Another user: their own page, never the admin's, kept apart.
		vpage := get(viewer, matrix, false)
		if !strings.Contains(vpage.body, "Vera Example") || strings.Contains(vpage.body, "Root Example") {
			t.Fatal("the viewer's page does not show the viewer signed in, or shows the admin")
		}
		if vagain := get(viewer, matrix, true); vagain.body != vpage.body {
			t.Fatal("the viewer's page from the cache differs from the one rendered")
		}
		if res := get(admin, matrix, true); !strings.Contains(res.body, "Root Example") || strings.Contains(res.body, "Vera Example") {
			t.Fatal("the admin got a page that is not theirs")
		}

		// A write: rendered afresh, with a new ETag and the new content;
		// then kept again.
		v, _, err := s.svc.View(ctx, cli, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		owner := "Olga Ownerton"
		if _, err := s.svc.UpdateItem(ctx, cli, a.ID, v.Items[0].Ref, v.Items[0].Version, app.ItemPatch{Owner: &owner}); err != nil {
			t.Fatal(err)
		}
		after := get(admin, matrix, false)
		if after.header.Get("ETag") == first.header.Get("ETag") || !strings.Contains(after.body, owner) {
			t.Fatalf("after a write: ETag %q (was %q), shows the new owner: %v", after.header.Get("ETag"), first.header.Get("ETag"), strings.Contains(after.body, owner))
		}
		get(admin, matrix, true)
		if res := get(viewer, matrix, false); !strings.Contains(res.body, owner) {
			t.Fatal("the viewer's page after a write does not show it")
		}
		// A notice is part of the URL, so of the tag: never served to a
		// plain view of the page.
		if res := get(admin, matrix+"?ok=saved", false); !strings.Contains(res.body, "Saved.") {
			t.Fatal("no notice on ?ok=saved")
		}
		if res := get(admin, matrix, true); strings.Contains(res.body, `class="notice"`) {
			t.Fatal("the plain page shows the notice of another URL")
		}
	})
}

// With the cache turned off every view is rendered.
func TestPageCacheOff(t *testing.T) {
	s := newSite(t, engines[0].open(t), web.Config{PageCacheBytes: -1})
	admin, _ := s.user("root", true)
	a, err := s.svc.CreateDemo(context.Background(), app.System("cli"))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if res := admin.get("/a/" + a.ID + "/matrix"); res.status != 200 || res.header.Get("ETag") == "" {
			t.Fatalf("matrix: %d", res.status)
		}
	}
	if n := s.web.PageCacheHits(); n != 0 {
		t.Fatalf("%d hits with the cache off", n)
	}
}
