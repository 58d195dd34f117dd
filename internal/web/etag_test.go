package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/interview"
	"github.com/isogap/isogap/internal/web"
)

// conditional sends a GET with If-None-Match.
func (c *client) conditional(path, etag string) response {
	return c.getWith(path, "If-None-Match", etag)
}

// Pages of an assessment carry an ETag; asked again with it, nothing
// changed, they answer 304; after any write (web, the CLI's service calls,
// an import, evidence, an interview answer), a membership change or a new
// day they answer 200 with the new content; and one user's ETag never
// gets another user a 304.
func TestConditionalGet(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		var mu sync.Mutex
		// Late in the evening, so that three hours later is the next day.
		now := time.Now().UTC().Truncate(24 * time.Hour).Add(22 * time.Hour)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		s := newSiteAt(t, e.open(t), web.Config{}, clock)
		admin, _ := s.user("root", true)
		viewer, vu := s.user("vera", false)
		cli := app.System("cli")
		a, err := s.svc.CreateDemo(ctx, cli)
		if err != nil {
			t.Fatal(err)
		}
		A := "/a/" + a.ID
		matrix := A + "/matrix"

		first := admin.get(matrix)
		tag := first.header.Get("ETag")
		if first.status != 200 || tag == "" || !strings.Contains(first.header.Get("Cache-Control"), "no-cache") {
			t.Fatalf("matrix: %d, ETag %q, Cache-Control %q", first.status, tag, first.header.Get("Cache-Control"))
		}
		if res := admin.conditional(matrix, tag); res.status != http.StatusNotModified || res.body != "" {
			t.Fatalf("nothing changed: %d (%d bytes), want 304", res.status, len(res.body))
		}
		// changed checks that the page changed since tag: 200 with a new
		// ETag (and the content looked for), then 304 again with that.
		changed := func(c *client, what, path, tag, want string) string {
			t.Helper()
			res := c.conditional(path, tag)
			if res.status != 200 || res.header.Get("ETag") == tag || res.header.Get("ETag") == "" {
				t.Fatalf("after %s: %d, ETag %q (was %q), want 200 with a new ETag", what, res.status, res.header.Get("ETag"), tag)
			}
			if !strings.Contains(res.body, want) {
				t.Errorf("after %s: the page does not show %q", what, want)
			}
			next := res.header.Get("ETag")
			if again := c.conditional(path, next); again.status != http.StatusNotModified {
				t.Fatalf("after %s, asked again: %d, want 304", what, again.status)
			}
			return next
		}

		// A write from the web: the matrix's inline editor.
		v, _, err := s.svc.View(ctx, cli, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		it := v.Items[0]
		if res := admin.post(matrix+"/"+it.Ref, map[string][]string{"owner": {"Olga Ownerton"}, "version": {itoa(int64(it.Version))}, "return": {matrix}}); res.status >= 400 {
			t.Fatalf("web edit: %d %s", res.status, res.body)
		}
		tag = changed(admin, "a web edit", matrix, tag, "Olga Ownerton")

		// A write through the service, as the CLI does.
		cur, err := s.svc.Item(ctx, cli, a.ID, it.Ref)
		if err != nil {
			t.Fatal(err)
		}
		owner := "Board Secretary"
		if _, err := s.svc.UpdateItem(ctx, cli, a.ID, it.Ref, cur.Version, app.ItemPatch{Owner: &owner}); err != nil {
			t.Fatal(err)
		}
		tag = changed(admin, "a CLI edit", matrix, tag, owner)

		// Evidence.
		if _, err := s.svc.AddEvidence(ctx, cli, a.ID, it.Ref, app.NewEvidence{Text: "Minutes of the board, March"}); err != nil {
			t.Fatal(err)
		}
		itemPage := A + "/items/" + it.Ref
		itemTag := admin.get(itemPage).header.Get("ETag")
		if _, err := s.svc.AddEvidence(ctx, cli, a.ID, it.Ref, app.NewEvidence{Text: "Signed policy PDF, v2"}); err != nil {
			t.Fatal(err)
		}
		changed(admin, "evidence", itemPage, itemTag, "Signed policy PDF, v2")
		tag = changed(admin, "evidence", matrix, tag, "")

		// An import: the JSON export brought back over the same assessment.
		var buf strings.Builder
		if err := s.svc.Export(ctx, cli, a.ID, app.DefaultFormats()[0], &buf); err != nil {
			t.Fatal(err)
		}
		exported := strings.Replace(buf.String(), owner, "Company Secretary", 1)
		if _, err := s.svc.ImportJSON(ctx, cli, strings.NewReader(exported), app.ImportOptions{Replace: true}); err != nil {
			t.Fatal(err)
		}
		tag = changed(admin, "an import", matrix, tag, "Company Secretary")

		// An interview answer (interviews show on the dashboard).
		dash := A + "/"
		dashTag := admin.get(dash).header.Get("ETag")
		iv, err := s.svc.CreateInterview(ctx, cli, a.ID, app.NewInterview{Name: "Jana Novak", Email: "jana@example.com", Refs: []string{"A.6.1"}})
		if err != nil {
			t.Fatal(err)
		}
		dashTag = changed(admin, "a new interview", dash, dashTag, "")
		ivv, err := s.svc.Interview(ctx, cli, a.ID, iv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.AnswerQuestion(ctx, cli, a.ID, iv.ID, app.AnswerInput{QuestionID: ivv.Items[0].Questions[0].ID, Kind: interview.Yes, Comment: "yes"}); err != nil {
			t.Fatal(err)
		}
		changed(admin, "an interview answer", dash, dashTag, "")

		// Another user never gets a 304 for someone else's ETag.
		if _, err := s.svc.PutMember(ctx, cli, a.ID, app.MemberInput{Login: vu.Login, Role: "viewer"}); err != nil {
			t.Fatal(err)
		}
		tag = admin.get(matrix).header.Get("ETag")
		if res := viewer.conditional(matrix, tag); res.status != 200 {
			t.Fatalf("the viewer with the admin's ETag: %d, want 200", res.status)
		}
		vtag := viewer.get(matrix).header.Get("ETag")
		if vtag == "" || vtag == tag {
			t.Fatalf("the viewer's ETag %q, the admin's %q", vtag, tag)
		}
		if res := viewer.conditional(matrix, vtag); res.status != http.StatusNotModified {
			t.Fatalf("the viewer, nothing changed: %d", res.status)
		}
		// A membership change: the viewer becomes a contributor for HR.
		if _, err := s.svc.PutMember(ctx, cli, a.ID, app.MemberInput{Login: vu.Login, Role: "contributor", Departments: []string{"HR"}}); err != nil {
			t.Fatal(err)
		}
		vtag = changed(viewer, "a membership change", matrix, vtag, "Contributor for HR")
		// Removed: no page at all, let alone a 304.
		if err := s.svc.RemoveMember(ctx, cli, a.ID, vu.ID); err != nil {
			t.Fatal(err)
		}
		if res := viewer.conditional(matrix, vtag); res.status != http.StatusNotFound {
			t.Fatalf("a removed member with their old ETag: %d, want 404", res.status)
		}

		// A new day: overdue actions and the forecast's start move.
		tag = admin.get(matrix).header.Get("ETag")
		if res := admin.conditional(matrix, tag); res.status != http.StatusNotModified {
			t.Fatalf("before midnight: %d", res.status)
		}
		mu.Lock()
		now = now.Add(3 * time.Hour)
		mu.Unlock()
		changed(admin, "a new day", matrix, tag, "")

		// Pages that show what the revision does not cover carry no ETag.
		for _, p := range []string{A + "/members", A + "/history", A + "/interviews", "/"} {
			if res := admin.get(p); res.status != 200 || res.header.Get("ETag") != "" || res.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: %d, ETag %q, Cache-Control %q; want no ETag and no-store", p, res.status, res.header.Get("ETag"), res.header.Get("Cache-Control"))
			}
		}
		// An error page never carries one.
		if res := admin.get(A + "/items/9.99"); res.status < 400 || res.header.Get("ETag") != "" {
			t.Errorf("unknown item: %d, ETag %q", res.status, res.header.Get("ETag"))
		}
	})
}
