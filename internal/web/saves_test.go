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
			t.Run("inline save answers the matrix's row", func(t *testing.T) { inlineSaveAnswersTheRow(t, f) })
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
	// Fields are named for people ("Target date", not target_date).
	action, notes := conflictRow(r.body, "Action"), conflictRow(r.body, "Notes")
	if !strings.Contains(action, "Theirs: buy a tool") || !strings.Contains(action, "saved by Carl Example") || strings.Contains(action, "Root Example") {
		t.Errorf("the action row does not name the contributor who saved it: %q", action)
	}
	if !strings.Contains(notes, "unchanged since you opened it") || strings.Contains(notes, "saved by") {
		t.Errorf("the notes row names someone, though nobody changed the notes: %q", notes)
	}
	// The history, of the assessment and of the item, names the fields
	// the same way.
	for _, page := range []string{"/a/" + f.a.ID + "/history", A} {
		body := f.assessor.get(page).body
		if !strings.Contains(body, "<td>Action</td>") || strings.Contains(body, "<td>action</td>") {
			t.Errorf("%s: the changed field is not named for people (want <td>Action</td>)", page)
		}
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

// matrixRow returns an item's row of the matrix.
func matrixRow(body, ref string) string {
	i := strings.Index(body, `<tr id="row-`+ref+`"`)
	if i < 0 {
		return ""
	}
	row := body[i:]
	return row[:strings.Index(row, "</tr>")+len("</tr>")]
}

// The row an inline save answers with is the one the matrix shows after
// the save, to the byte, though the save reads no other item: the score,
// the status the assessment's figures give it (a 5 without evidence is
// flagged), the new version for the next save, and the controls the
// person may use. A stale save of the same field is a conflict.
func inlineSaveAnswersTheRow(t *testing.T, f *fixture) {
	ctx := context.Background()
	M := "/a/" + f.a.ID + "/matrix"
	for _, tc := range []struct {
		c     *client
		score string // not the item's score before: each save changes it
	}{{f.assessor, "5"}, {f.contributor, "1"}} {
		c, score := tc.c, tc.score
		inline := &client{site: f.site, cookie: c.cookie, header: http.Header{"X-Isogap-Inline": {"1"}}}
		it, _ := f.svc.Item(ctx, app.System("test"), f.a.ID, "A.5.15")
		r := inline.post(M+"/A.5.15", form("version", itoa(int64(it.Version)), "return", M, "was_score", "", "score", score,
			"was_owner", it.Owner, "owner", it.Owner, "was_priority", "", "priority", "High", "was_target_date", "", "target_date", ""))
		if r.status != http.StatusOK {
			t.Fatalf("inline save: %d %s", r.status, excerpt(r.body))
		}
		page := c.get(M)
		want := matrixRow(page.body, "A.5.15")
		if got := matrixRow(r.body, "A.5.15"); got == "" || got != want {
			t.Errorf("the saved row:\n%s\nthe matrix's row:\n%s", got, want)
		}
		if strings.Contains(want, "no evidence") != (score == "5") || !strings.Contains(want, `name="version" value="`+itoa(int64(it.Version+1))+`"`) {
			t.Errorf("the matrix's row after the save: %s", want)
		}
		stale := inline.post(M+"/A.5.15", form("version", itoa(int64(it.Version)), "return", M, "was_score", "", "score", "3"))
		if stale.status != http.StatusConflict {
			t.Errorf("stale inline save: %d, want 409", stale.status)
		}
	}
}
