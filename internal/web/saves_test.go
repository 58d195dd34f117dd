package web_test

import (
	"context"
	"net/http"
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

// The conflict page names, for each field, who saved it since the form was
// opened: not the item's last saver, who may have changed another field.
func TestConflictNamesWhoSavedEachField(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			f := newFixture(t, e)
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
		})
	}
}
