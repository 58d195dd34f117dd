package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestFormsRefuseHostileValues posts hostile values through the item,
// evidence and scope forms: each is refused with the field named, nothing
// is stored, and the JSON export still works.
func TestFormsRefuseHostileValues(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newFixture(t, e)
		ctx := context.Background()
		A := "/a/" + f.a.ID
		big := strings.Repeat("x", 200_000) // over every field limit, under the 1 MiB cap on a form (which answers 413)
		cases := []struct {
			name, path, field string
			form              url.Values
		}{
			{"effort NaN", "/items/A.5.15", "effort_days", form("version", "1", "effort", "NaN")},
			{"effort Inf", "/items/A.5.15", "effort_days", form("version", "1", "effort", "+Inf")},
			{"effort -1", "/items/A.5.15", "effort_days", form("version", "1", "effort", "-1")},
			{"effort 1e309", "/items/A.5.15", "effort_days", form("version", "1", "effort", "1e309")},
			{"owner invalid UTF-8", "/items/A.5.15", "owner", form("version", "1", "owner", "\xff\xfeAnn")},
			{"owner NUL", "/items/A.5.15", "owner", form("version", "1", "owner", "Ann\x00")},
			{"notes escape", "/items/A.5.15", "notes", form("version", "1", "notes", "a\x1b[2J")},
			{"action 200 KB", "/items/A.5.15", "action", form("version", "1", "action", big)},
			{"target date 0000", "/items/A.5.15", "target_date", form("version", "1", "target_date", "0000-01-01")},
			{"target date 9999", "/items/A.5.15", "target_date", form("version", "1", "target_date", "9999-12-31")},
			{"quick edit owner", "/matrix/A.5.15", "owner", form("version", "1", "owner", "\xff\xfe")},
			{"javascript: link", "/items/A.5.15/evidence", "url", form("url", "javascript:alert(1)")},
			{"data: link", "/items/A.5.15/evidence", "url", form("url", "data:text/html,<b>x</b>")},
			{"evidence NUL", "/items/A.5.15/evidence", "text", form("text", "policy\x00")},
			{"org invalid UTF-8", "/scope", "org", form("version", "1", "org", "Acme\xff", "target_score", "4")},
			{"scope NUL", "/scope", "scope", form("version", "1", "org", "Acme", "scope", "a\x00", "target_score", "4")},
			{"employees", "/scope", "employees", form("version", "1", "org", "Acme", "employees", "-1", "target_score", "4")},
			{"200 KB stakeholder", "/stakeholders", "stakeholders[0].name", form("version", "1", "sh_name", big, "sh_department", "", "sh_email", "")},
		}
		for _, tc := range cases {
			r := f.assessor.post(A+tc.path, tc.form)
			if r.status != 422 || !strings.Contains(r.body, tc.field) {
				t.Errorf("%s: %d, want 422 naming %s: %s", tc.name, r.status, tc.field, excerpt(r.body))
			}
		}
		it, err := f.st.GetItem(ctx, f.a.ID, "A.5.15")
		if err != nil || it.Version != 1 || len(it.Evidence) != 0 {
			t.Errorf("refused posts changed the item: %+v %v", it, err)
		}
		if a := f.assessment(f.a.ID); a.Version != 1 {
			t.Errorf("refused posts changed the assessment: %+v", a)
		}
		if r := f.assessor.get(A + "/download/json"); r.status != 200 {
			t.Errorf("JSON export: %d %s", r.status, excerpt(r.body))
		}
	})
}
