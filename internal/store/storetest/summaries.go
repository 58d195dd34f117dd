package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// testSummaries: a kept summary comes back with the listing and is current
// until the next write of its assessment; keeping one writes nothing
// (the revision stays); summaries of missing assessments are dropped; a
// deleted assessment's summary goes with it. A listing has no scope,
// whether its summary is current or not (Scopes reads it).
func testSummaries(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, items := create(t, st, "Acme")
	b, _ := create(t, st, "Beta")
	listing := func(id string) store.Listing {
		t.Helper()
		ls, err := st.Listings(ctx, []string{id})
		if err != nil || len(ls) != 1 {
			t.Fatalf("Listings(%s): %d, %v", id, len(ls), err)
		}
		return ls[0]
	}
	la := listing(a.ID)
	if la.Kept != 0 || la.Assessment.Org != "Acme" || la.Assessment.Scope != "" || la.Assessment.TargetScore != a.TargetScore ||
		len(la.Assessment.Exclusions) != len(a.Exclusions) || !la.Assessment.UpdatedAt.Equal(a.UpdatedAt) || la.Revision == 0 {
		t.Fatalf("listing before any summary: %+v", la)
	}
	withScope := la.Assessment
	withScope.Scope = a.Scope // kept or not, it is not listed
	want := store.Summary{Assessment: withScope, Revision: la.Revision, Headline: assess.Headline{
		Overall:    assess.Figures{Applicable: 120, Assessed: 7, AtTarget: 3, NotApplicable: 3, Readiness: 1.0 / 3, Coverage: 7.0 / 120},
		AuditReady: false, Blockers: 117,
	}}
	ghost := store.Summary{Assessment: assess.Assessment{ID: "nosuchthing"}, Revision: 5}
	if err := st.PutSummaries(ctx, []store.Summary{want, ghost, {Assessment: assess.Assessment{ID: b.ID}, Revision: 1}}); err != nil {
		t.Fatal(err)
	}
	la = listing(a.ID)
	got, ok := la.Current()
	if !ok || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want.Headline) {
		t.Errorf("kept summary: %+v %v, want %+v", got, ok, want.Headline)
	}
	if l := la.Assessment; l.Org != "Acme" || l.Scope != "" || l.Lead != a.Lead || !l.CreatedAt.Equal(a.CreatedAt) || !l.UpdatedAt.Equal(a.UpdatedAt) ||
		l.TargetScore != a.TargetScore || l.TargetScore == 0 || l.CatalogID != a.CatalogID || l.CatalogVersion != a.CatalogVersion || l.Version != a.Version || l.Version == 0 {
		t.Errorf("header kept with the summary: %+v", l)
	}
	if rev, _ := st.Revision(ctx, a.ID); rev != want.Revision {
		t.Errorf("keeping a summary changed the revision: %d, was %d", rev, want.Revision)
	}
	all, err := st.Listings(ctx, nil)
	if err != nil || len(all) != 2 {
		t.Fatalf("every listing: %d, %v", len(all), err)
	}
	// Kept again at a newer revision: replaced.
	want.Revision++
	want.Blockers = 3
	if err := st.PutSummaries(ctx, []store.Summary{want}); err != nil {
		t.Fatal(err)
	}
	if la = listing(a.ID); la.Kept != want.Revision || la.Blockers != 3 {
		t.Errorf("summary kept again: %+v", la)
	}
	// Any write makes the kept summary stale.
	if err := st.PutSummaries(ctx, []store.Summary{{Assessment: a, Revision: la.Revision, Headline: want.Headline}}); err != nil {
		t.Fatal(err)
	}
	it := items[0]
	it.Score = 4
	if _, err := st.UpdateItem(ctx, a.ID, it, 1, "ann", nil); err != nil {
		t.Fatal(err)
	}
	if la = listing(a.ID); la.Kept == 0 || la.Kept == la.Revision || la.Assessment.TargetScore != a.TargetScore {
		t.Errorf("after an item changed: %+v", la)
	}
	if err := st.DeleteAssessment(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.LoadRecord(ctx, assess.Record{Assessment: a, Items: items}); err != nil {
		t.Fatal(err)
	}
	if la = listing(a.ID); la.Kept != 0 {
		t.Errorf("an assessment deleted and loaded again under its id kept its old summary: %+v", la)
	}
}

// testScopes: Scopes returns the scope of each assessment asked for, as
// last written, and leaves out ids of no assessment, however many ids
// are asked at once.
func testScopes(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	b, _ := create(t, st, "Beta")
	_, _ = create(t, st, "Not asked")
	a.Scope = "The platform and the two offices"
	if _, err := st.UpdateAssessment(ctx, a, a.Version, "ann", nil); err != nil {
		t.Fatal(err)
	}
	ids := []string{a.ID}
	for i := range 1200 {
		ids = append(ids, fmt.Sprintf("missing%d", i))
	}
	ids = append(ids, b.ID)
	got, err := st.Scopes(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{a.ID: a.Scope, b.ID: b.Scope}; fmt.Sprint(got) != fmt.Sprint(want) || b.Scope == "" {
		t.Errorf("Scopes: %q, want %q", got, want)
	}
	if got, err := st.Scopes(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("Scopes of none: %q, %v", got, err)
	}
}
