package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// hostile texts no field may store.
var hostile = map[string]string{
	"invalid UTF-8": "\xff\xfeAnn",
	"NUL":           "Ann\x00Example",
	"escape":        "Ann\x1b[2J",
	"1 MiB":         strings.Repeat("x", 1<<20),
}

// refused checks that err is a field error naming a place that contains where.
func refused(t *testing.T, what string, err error, where string) {
	t.Helper()
	var fe *assess.FieldErrors
	if !errors.As(err, &fe) {
		t.Errorf("%s: want a field error naming %s, got %v", what, where, err)
		return
	}
	for _, f := range fe.List {
		if strings.Contains(f.Where, where) {
			return
		}
	}
	t.Errorf("%s: %s not named in %v", what, where, err)
}

func exportJSON(t *testing.T, svc *app.Service, p app.Principal, id string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var f app.Format
	for _, f = range app.DefaultFormats() {
		if f.Name == "json" {
			break
		}
	}
	if err := svc.Export(context.Background(), p, id, f, &buf); err != nil {
		t.Fatalf("JSON export: %v", err)
	}
	return buf.Bytes()
}

// TestHostileValuesAreRefusedEverywhere sends hostile values through the
// service's edits, evidence and a JSON import: each is refused with the
// field named and nothing is stored, so the export and a copy to
// PostgreSQL still work afterwards.
func TestHostileValuesAreRefusedEverywhere(t *testing.T) {
	ctx := context.Background()
	st, _ := sqliteStore(t)
	svc := app.New(st, app.Config{})
	cli := app.System("cli")
	u, err := svc.CreateUser(ctx, cli, app.NewUser{Login: "mallory", Name: "Mallory Example", Password: "long enough password", CreatesAssessments: true})
	if err != nil {
		t.Fatal(err)
	}
	me := app.Principal{User: u}
	a, err := svc.CreateAssessment(ctx, me, app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	good := exportJSON(t, svc, me, a.ID)

	// Item edits.
	patches := map[string]func(string) app.ItemPatch{
		"owner":          func(v string) app.ItemPatch { return app.ItemPatch{Owner: &v} },
		"action":         func(v string) app.ItemPatch { return app.ItemPatch{Action: &v} },
		"notes":          func(v string) app.ItemPatch { return app.ItemPatch{Notes: &v} },
		"inclusion_note": func(v string) app.ItemPatch { return app.ItemPatch{InclusionNote: &v} },
		"justification":  func(v string) app.ItemPatch { no := false; return app.ItemPatch{Applicable: &no, Justification: &v} },
	}
	for field, patch := range patches {
		for name, v := range hostile {
			_, err := svc.UpdateItem(ctx, me, a.ID, "A.5.15", 0, patch(v))
			refused(t, field+" "+name, err, field)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 0, 1e300} {
		_, err := svc.UpdateItem(ctx, me, a.ID, "A.5.15", 0, app.ItemPatch{EffortDays: ptr(f)})
		refused(t, "effort", err, "effort_days")
	}
	for _, d := range []string{"0000-01-01", "9999-12-31"} {
		date, _ := assess.ParseDate(d)
		_, err := svc.UpdateItem(ctx, me, a.ID, "A.5.15", 0, app.ItemPatch{TargetDate: &date})
		refused(t, "target date "+d, err, "target_date")
	}

	// Evidence.
	for _, u := range []string{"javascript:alert(1)", "data:text/html,<script>alert(1)</script>"} {
		_, err := svc.AddEvidence(ctx, me, a.ID, "A.5.15", app.NewEvidence{URL: u})
		refused(t, "link "+u, err, "url")
	}
	for name, v := range hostile {
		_, err := svc.AddEvidence(ctx, me, a.ID, "A.5.15", app.NewEvidence{Text: "x" + v})
		refused(t, "evidence text "+name, err, "text")
	}

	// The assessment's header.
	cur, err := svc.Assessment(ctx, me, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	headers := map[string]func(*assess.Assessment, string){
		"org":                  func(a *assess.Assessment, v string) { a.Org = v },
		"scope":                func(a *assess.Assessment, v string) { a.Scope = "x" + v },
		"interfaces":           func(a *assess.Assessment, v string) { a.Interfaces = "x" + v },
		"boundaries.units":     func(a *assess.Assessment, v string) { a.Boundaries.Units = []string{v} },
		"stakeholders[0].name": func(a *assess.Assessment, v string) { a.Stakeholders = []assess.Stakeholder{{Name: v}} },
		"exclusions[0].what":   func(a *assess.Assessment, v string) { a.Exclusions = []assess.Exclusion{{What: v}} },
	}
	for field, set := range headers {
		for name, v := range hostile {
			next := cur
			set(&next, v)
			_, err := svc.UpdateAssessment(ctx, me, next, cur.Version)
			refused(t, field+" "+name, err, field)
		}
	}
	for _, n := range []int{-1, math.MaxInt32} {
		next := cur
		next.Employees = n
		_, err := svc.UpdateAssessment(ctx, me, next, cur.Version)
		refused(t, "employees", err, "employees")
	}

	// A JSON import is checked like a form.
	imports := []struct {
		name, where string
		edit        func(e map[string]any)
	}{
		{"javascript: link", "evidence[0].url", func(e map[string]any) {
			item(e, 0)["evidence"] = []any{map[string]any{"id": 1, "kind": "link", "url": "javascript:alert(1)", "text": "", "date": "", "added_by": "x", "added_at": "2027-01-01T00:00:00Z"}}
		}},
		{"data: link", "evidence[0].url", func(e map[string]any) {
			item(e, 0)["evidence"] = []any{map[string]any{"id": 1, "kind": "link", "url": "data:text/html,<b>x</b>", "text": "", "date": "", "added_by": "x", "added_at": "2027-01-01T00:00:00Z"}}
		}},
		{"NUL owner", "owner", func(e map[string]any) { item(e, 0)["owner"] = "Ann\x00" }},
		{"1 MiB stakeholder", "stakeholders[0].name", func(e map[string]any) {
			e["assessment"].(map[string]any)["stakeholders"] = []any{map[string]any{"name": hostile["1 MiB"], "department": "", "email": ""}}
		}},
		{"negative effort", "effort_days", func(e map[string]any) { item(e, 0)["effort_days"] = -1 }},
		{"effort 1e309", "", func(e map[string]any) { item(e, 0)["effort_days"] = json.Number("1e309") }},
		{"year 0000", "target_date", func(e map[string]any) { item(e, 0)["target_date"] = "0000-01-01" }},
		{"year 9999", "target_date", func(e map[string]any) { item(e, 0)["target_date"] = "9999-12-31" }},
		{"escape in a history actor", "history[0].actor", func(e map[string]any) {
			e["history"] = []any{map[string]any{"assessment_id": "x", "field": "owner", "old": "", "new": "Ann", "actor": "Ann\x1b[2J", "at": "2027-01-01T00:00:00Z", "version": 2}}
		}},
	}
	for _, tc := range imports {
		var e map[string]any
		if err := json.Unmarshal(good, &e); err != nil {
			t.Fatal(err)
		}
		tc.edit(e)
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.ImportJSON(ctx, me, bytes.NewReader(data), app.ImportOptions{})
		if tc.where == "" {
			if assess.KindOf(err) != assess.KindInvalid {
				t.Errorf("import with %s: %v", tc.name, err)
			}
			continue
		}
		refused(t, "import with "+tc.name, err, tc.where)
	}

	// Nothing was stored.
	if now, err := svc.Item(ctx, me, a.ID, "A.5.15"); err != nil || now.Version != 1 || len(now.Evidence) != 0 {
		t.Errorf("the refused edits changed the item: %+v %v", now, err)
	}
	if now, err := svc.Assessment(ctx, me, a.ID); err != nil || now.Version != cur.Version {
		t.Errorf("the refused edits changed the assessment: %+v %v", now, err)
	}
	if list, err := svc.Portfolio(ctx, cli); err != nil || len(list) != 1 {
		t.Errorf("the refused imports stored assessments: %d %v", len(list), err)
	}

	// The export and a copy to PostgreSQL still work.
	exportJSON(t, svc, me, a.ID)
	if _, err := copyDB(ctx, st, postgresStore(t), nil); err != nil {
		t.Errorf("copy to PostgreSQL: %v", err)
	}
}

func item(e map[string]any, i int) map[string]any { return e["items"].([]any)[i].(map[string]any) }

// TestImportMarksImportedNames: a user's import cannot write history in
// somebody else's name; the command line restores an export as it is.
func TestImportMarksImportedNames(t *testing.T) {
	ctx := context.Background()
	svc, a := newService(t)
	if _, err := svc.UpdateItem(ctx, app.System("Alice Auditor"), a.ID, "A.5.15", 0, app.ItemPatch{Score: ptr(assess.Score(5))},
		app.NewEvidence{Text: "Access policy v2"}); err != nil {
		t.Fatal(err)
	}
	data := exportJSON(t, svc, app.System("cli"), a.ID)
	u, err := svc.CreateUser(ctx, app.System("cli"), app.NewUser{Login: "mallory", Name: "Mallory Example", Password: "long enough password", CreatesAssessments: true})
	if err != nil {
		t.Fatal(err)
	}
	me := app.Principal{User: u}
	got, err := svc.ImportJSON(ctx, me, bytes.NewReader(data), app.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := svc.History(ctx, me, got.ID, app.HistoryQuery{})
	if err != nil || len(hist) == 0 {
		t.Fatalf("history: %d %v", len(hist), err)
	}
	for _, h := range hist {
		if !strings.HasPrefix(h.Actor, "imported: ") || !strings.HasSuffix(h.Actor, "(by Mallory Example)") {
			t.Errorf("history entry %s %s recorded as by %q", h.Ref, h.Field, h.Actor)
		}
	}
	it, err := svc.Item(ctx, me, got.ID, "A.5.15")
	if err != nil {
		t.Fatal(err)
	}
	if it.UpdatedBy != "imported: Alice Auditor (by Mallory Example)" || it.Evidence[0].AddedBy != "imported: Alice Auditor (by Mallory Example)" {
		t.Errorf("imported item by %q, evidence by %q", it.UpdatedBy, it.Evidence[0].AddedBy)
	}
	// The command line keeps the names: it restores whole exports.
	restored, err := svc.ImportJSON(ctx, app.System("cli"), bytes.NewReader(data), app.ImportOptions{AsNew: true})
	if err != nil {
		t.Fatal(err)
	}
	if it, err := svc.Item(ctx, app.System("cli"), restored.ID, "A.5.15"); err != nil || it.UpdatedBy != "Alice Auditor" {
		t.Errorf("restored item by %q, %v", it.UpdatedBy, err)
	}
}
