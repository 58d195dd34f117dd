package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

func newService(t *testing.T) (*app.Service, assess.Assessment) {
	t.Helper()
	st, _ := sqliteStore(t)
	svc := app.New(st, app.Config{})
	a, err := svc.CreateAssessment(context.Background(), app.System("test"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	return svc, a
}

func ptr[T any](v T) *T { return &v }

func TestUpdateItemRules(t *testing.T) {
	ctx := context.Background()
	svc, a := newService(t)
	it, err := svc.UpdateItem(ctx, app.System("ann"), a.ID, " a.5.15 ", 0, app.ItemPatch{Score: ptr(assess.Score(3)), Owner: ptr("  Priya ")})
	if err != nil {
		t.Fatal(err)
	}
	if it.Ref != "A.5.15" || it.Score != 3 || it.Owner != "Priya" || it.Version != 2 {
		t.Errorf("updated item: %+v", it)
	}
	// A patch that changes nothing writes nothing.
	same, err := svc.UpdateItem(ctx, app.System("bob"), a.ID, "A.5.15", 0, app.ItemPatch{Score: ptr(assess.Score(3))})
	if err != nil || same.Version != 2 {
		t.Errorf("no-op patch: version %d, %v", same.Version, err)
	}
	// An edit based on version 1 is a conflict carrying both values.
	_, err = svc.UpdateItem(ctx, app.System("bob"), a.ID, "A.5.15", 1, app.ItemPatch{Owner: ptr("Bob")})
	var ce *assess.ConflictError
	if !errors.As(err, &ce) || ce.Current.Owner != "Priya" || ce.Attempted.Owner != "Bob" {
		t.Fatalf("stale edit: %v", err)
	}
	for name, tc := range map[string]struct {
		ref   string
		patch app.ItemPatch
		field string
	}{
		"N/A without justification": {"A.5.1", app.ItemPatch{Applicable: ptr(false)}, "justification"},
		"clause N/A":                {"4.1", app.ItemPatch{Applicable: ptr(false), Justification: ptr("no")}, "applicable"},
		"score out of range":        {"4.1", app.ItemPatch{Score: ptr(assess.Score(6))}, "score"},
		"unknown department":        {"4.1", app.ItemPatch{Department: ptr("Marketing")}, "department"},
		"negative effort":           {"4.1", app.ItemPatch{EffortDays: ptr(-2.0)}, "effort_days"},
		"unknown reason":            {"A.5.1", app.ItemPatch{Inclusion: ptr([]string{"gut feeling"})}, "inclusion"},
		"unknown ref":               {"A.5.99", app.ItemPatch{Score: ptr(assess.Score(2))}, "ref"},
	} {
		_, err := svc.UpdateItem(ctx, app.System("ann"), a.ID, tc.ref, 0, tc.patch)
		var fe *assess.FieldErrors
		if !errors.As(err, &fe) || fe.List[0].Where != tc.field {
			t.Errorf("%s: %v, want an error on field %q", name, err, tc.field)
		}
	}
	// Labels are accepted for reasons and stored as codes.
	it, err = svc.UpdateItem(ctx, app.System("ann"), a.ID, "A.5.1", 0, app.ItemPatch{Inclusion: ptr([]string{"Risk assessment", "legal-contractual", "risk-assessment"})})
	if err != nil || strings.Join(it.Inclusion, ",") != "risk-assessment,legal-contractual" {
		t.Errorf("inclusion: %v %v", it.Inclusion, err)
	}
	// Marking a control applicable again clears the old justification.
	if _, err := svc.UpdateItem(ctx, app.System("ann"), a.ID, "A.5.2", 0, app.ItemPatch{Applicable: ptr(false), Justification: ptr("none")}); err != nil {
		t.Fatal(err)
	}
	it, err = svc.UpdateItem(ctx, app.System("ann"), a.ID, "A.5.2", 0, app.ItemPatch{Applicable: ptr(true)})
	if err != nil || !it.Applicable || it.Justification != "" {
		t.Errorf("re-included control: %+v %v", it, err)
	}
}

func TestEvidenceRules(t *testing.T) {
	ctx := context.Background()
	svc, a := newService(t)
	content := []byte("backup report")
	ev, err := svc.AddEvidence(ctx, app.System("ann"), a.ID, "A.8.13", app.NewEvidence{FileName: `C:\Users\ann\..\report".pdf`, Content: content})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if ev.FileName != "report_.pdf" || ev.Size != int64(len(content)) || ev.SHA256 != hex.EncodeToString(sum[:]) || ev.Kind != assess.EvidenceFile {
		t.Errorf("file evidence: %+v", ev)
	}
	for name, in := range map[string]app.NewEvidence{
		"empty":          {},
		"bad link":       {URL: "javascript:alert(1)"},
		"empty file":     {FileName: "x.pdf", Content: []byte{}},
		"too large file": {FileName: "x.bin", Content: make([]byte, app.MaxEvidenceFile+1)},
	} {
		if _, err := svc.AddEvidence(ctx, app.System("ann"), a.ID, "A.8.13", in); assess.KindOf(err) != assess.KindInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	it, _ := svc.Item(ctx, app.System("test"), a.ID, "A.8.13")
	if len(it.Evidence) != 1 {
		t.Errorf("refused evidence was stored: %d entries", len(it.Evidence))
	}
}

// An edit and the evidence given with it land together or not at all.
func TestEditAndEvidenceShareOneTransaction(t *testing.T) {
	ctx := context.Background()
	svc, a := newService(t)
	ann := app.System("ann")
	_, err := svc.UpdateItem(ctx, ann, a.ID, "4.1", 0, app.ItemPatch{Score: ptr(assess.Score(5))},
		app.NewEvidence{Text: "policy"}, app.NewEvidence{URL: "ftp://nope"})
	if assess.KindOf(err) != assess.KindInvalid {
		t.Fatalf("expected the link to be refused: %v", err)
	}
	it, err := svc.Item(ctx, ann, a.ID, "4.1")
	if err != nil {
		t.Fatal(err)
	}
	if it.Score != 0 || len(it.Evidence) != 0 {
		t.Errorf("part of the edit landed although the transaction failed: %+v", it)
	}
	it, err = svc.UpdateItem(ctx, ann, a.ID, "4.1", 0, app.ItemPatch{Score: ptr(assess.Score(5))}, app.NewEvidence{Text: "policy"})
	if err != nil || it.Score != 5 || len(it.Evidence) != 1 {
		t.Errorf("edit with evidence: %+v %v", it, err)
	}
}

func TestDemoIsDeterministicAndRealistic(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	svc, _ := newService(t)
	cat, _ := svc.Catalog(context.Background(), "", "")
	a1, i1 := app.DemoAssessment(cat, now, app.DemoSeed)
	a2, i2 := app.DemoAssessment(cat, now, app.DemoSeed)
	a1.ID, a2.ID = "", ""
	if err := assess.DiffRecords(assess.Record{Assessment: a1, Items: i1}, assess.Record{Assessment: a2, Items: i2}); err != nil {
		t.Fatalf("demo differs between runs: %v", err)
	}
	r := assess.Compute(cat, a1, i1)
	if r.Overall.NotApplicable < 2 || r.Overall.Assessed < 90 || r.Overall.Coverage == 1 || r.Overall.Readiness < 0.3 || r.Overall.Readiness > 0.7 {
		t.Errorf("demo figures are not those of a company partway through: %+v", r.Overall)
	}
	if len(r.Flagged()) != 1 {
		t.Errorf("the demo should show one 5 without evidence: %v", r.Flagged())
	}
	for s := 1; s <= 5; s++ {
		if r.Scores[s] == 0 {
			t.Errorf("no item scored %d in the demo", s)
		}
	}
	for _, it := range i1 {
		if err := assess.ValidateItem(cat, it); err != nil {
			t.Errorf("demo item invalid: %v", err)
		}
	}
}

func FuzzParseExport(f *testing.F) {
	// The seed is built without a database: fuzzing instruments every
	// package, and a database would make each worker's start-up crawl.
	a, items := app.DemoAssessment(catalog.Builtin(), time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), app.DemoSeed)
	e := app.Export{Format: app.ExportFormat, Record: assess.Record{Assessment: a, Items: items}}
	var buf bytes.Buffer
	e.WriteJSON(&buf)
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/3])
	f.Add([]byte(`{"format":"isogap-assessment/v1","assessment":{"id":"x"},"items":[{"ref":"4.1","score":9}]}`))
	f.Add([]byte(`{"format":"isogap-assessment/v1","catalog":{"format":"isogap-catalog/v1"},"items":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, cat, err := app.ParseExport(data)
		if err != nil {
			if assess.KindOf(err) != assess.KindInvalid || err.Error() == "" {
				t.Fatalf("a bad file must give an invalid-input error that says why: %v", err)
			}
			return
		}
		// Whatever passes the checks can be computed.
		assess.Compute(cat, e.Assessment, e.Items)
	})
}
