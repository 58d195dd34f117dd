package web_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
)

// conflictRow returns the row of the conflict table for a field.
func conflictRow(body, field string) string {
	i := strings.Index(body, `<th scope="row">`+field+`</th>`)
	if i < 0 {
		return ""
	}
	row := body[i:]
	return row[:strings.Index(row, "</tr>")]
}

// Saves through the web, on one fixture per engine.
func TestSaves(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			f := newFixture(t, e)
			t.Run("conflict names who saved each field", func(t *testing.T) { conflictNamesWhoSavedEachField(t, f) })
			t.Run("no valid version, no save", func(t *testing.T) { saveWithoutVersionIsRefused(t, f) })
		})
	}
}

// The conflict page names, for each field, who saved it since the form was
// opened: not the item's last saver, who may have changed another field.
func conflictNamesWhoSavedEachField(t *testing.T, f *fixture) {
	A := "/a/" + f.a.ID + "/items/A.5.15"
	it, _ := f.svc.Item(context.Background(), app.System("test"), f.a.ID, "A.5.15")
	opened := itoa(int64(it.Version))
	if r := f.contributor.post(A, form("version", opened, "action", "Theirs: buy a tool")); r.status != 303 {
		t.Fatalf("contributor's save: %d %s", r.status, excerpt(r.body))
	}
	if r := f.admin.post(A, form("version", itoa(int64(it.Version+1)), "score", "2")); r.status != 303 {
		t.Fatalf("administrator's save: %d %s", r.status, excerpt(r.body))
	}
	r := f.assessor.post(A, form("version", opened, "action", "Mine: write the procedure", "notes", "My note"))
	if r.status != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", r.status)
	}
	action, notes := conflictRow(r.body, "action"), conflictRow(r.body, "notes")
	if !strings.Contains(action, "Theirs: buy a tool") || !strings.Contains(action, "saved by Carl Example") || strings.Contains(action, "Root Example") {
		t.Errorf("the action row does not name the contributor who saved it: %q", action)
	}
	if !strings.Contains(notes, "unchanged since you opened it") || strings.Contains(notes, "saved by") {
		t.Errorf("the notes row names someone, though nobody changed the notes: %q", notes)
	}
}

// A save without the version its form was opened at cannot be checked
// against newer saves: it is refused, naming the field, and changes
// nothing. (Read as 0 it meant "the current version" and overwrote.)
func saveWithoutVersionIsRefused(t *testing.T, f *fixture) {
	ctx := context.Background()
	A := "/a/" + f.a.ID
	inline := &client{site: f.site, cookie: f.assessor.cookie, header: http.Header{"X-Isogap-Inline": {"1"}}}
	it, _ := f.svc.Item(ctx, app.System("test"), f.a.ID, "A.8.8")
	a, _ := f.svc.Assessment(ctx, app.System("test"), f.a.ID)
	for _, tc := range []struct {
		name string
		c    *client
		path string
		form []string
	}{
		{"item form", f.assessor, A + "/items/A.8.8", []string{"score", "4", "owner", "Mallory"}},
		{"matrix row", f.assessor, A + "/matrix/A.8.8", []string{"score", "4", "owner", "Mallory"}},
		{"inline matrix row", inline, A + "/matrix/A.8.8", []string{"score", "4", "owner", "Mallory"}},
		{"scope", f.assessor, A + "/scope", []string{"org", "Mallory Inc", "scope", "Nothing"}},
		{"stakeholders", f.assessor, A + "/stakeholders", []string{"sh_name", "Mallory", "sh_department", "HR"}},
	} {
		for _, version := range []string{"absent", "", "abc", "1e309", "0", "-1", "99999999999999999999"} {
			kv := tc.form
			if version != "absent" {
				kv = append([]string{"version", version}, kv...)
			}
			r := tc.c.post(tc.path, form(kv...))
			if r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s with version %q: status %d, want 400 or 422", tc.name, version, r.status)
			} else if !strings.Contains(r.body, "version: ") {
				t.Errorf("%s with version %q: the answer does not name the field:\n%s", tc.name, version, excerpt(r.body))
			}
		}
	}
	if now, _ := f.svc.Item(ctx, app.System("test"), f.a.ID, "A.8.8"); !reflect.DeepEqual(now, it) {
		t.Errorf("refused saves changed the item: %+v", now)
	}
	if now, _ := f.svc.Assessment(ctx, app.System("test"), f.a.ID); !reflect.DeepEqual(now, a) {
		t.Errorf("refused saves changed the assessment: %+v", now)
	}
}
