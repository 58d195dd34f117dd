// Package storetest is the contract every store.Store implementation must
// pass: the same tests run against SQLite and PostgreSQL.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// Engine gives the suite databases to work on.
type Engine struct {
	// Fresh returns the DSN of a new, empty, migrated database.
	Fresh func(t testing.TB) string
	// Open opens a store on a DSN; each call gets its own connection pool,
	// as a second isogap process would.
	Open func(t testing.TB, dsn string) store.Store
}

// Run runs the contract suite.
func Run(t *testing.T, e Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e Engine)
	}{
		{"CreateGetList", testCreateGetList},
		{"NotFound", testNotFound},
		{"UpdateItemAndHistory", testUpdateItemAndHistory},
		{"StaleVersionConflict", testStaleVersionConflict},
		{"UpdateAssessmentConflict", testUpdateAssessmentConflict},
		{"Evidence", testEvidence},
		{"TransactionRollsBack", testTransactionRollsBack},
		{"RecordRoundTrip", testRecordRoundTrip},
		{"Delete", testDelete},
		{"Catalogs", testCatalogs},
		{"ListItemsOf", testListItemsOf},
		{"ConcurrentWritersTwoPools", testConcurrentWriters},
		{"EvidenceAndUpdatesTwoPools", testEvidenceAndUpdates},
		{"Users", testUsers},
		{"FirstAdminRace", testFirstAdminRace},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"SessionList", testSessionList},
		{"Factors", testFactors},
		{"SiteSecurity", testSiteSecurity},
		{"SSO", testSSO},
		{"Idempotency", testIdempotency},
		{"Memberships", testMemberships},
		{"LoginFailures", testLoginFailures},
		{"PlanSettings", testPlanSettings},
		{"PlanSettingsConcurrentFirstSave", testPlanSettingsRace},
		{"Snapshots", testSnapshots},
		{"Interviews", testInterviews},
		{"InterviewRecord", testInterviewRecord},
		{"Revision", testRevision},
		{"HistoryPages", testHistoryPages},
		{"HeaderInWriteTransaction", testHeaderInWriteTransaction},
		{"ItemAtRevision", testItemAtRevision},
		{"Summaries", testSummaries},
		{"Scopes", testScopes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, e) })
	}
}

func fresh(t testing.TB, e Engine) store.Store {
	t.Helper()
	st := e.Open(t, e.Fresh(t))
	t.Cleanup(func() { st.Close() })
	return st
}

// NewAssessment builds an assessment with one item per built-in catalog item.
func NewAssessment(org string) (assess.Assessment, []assess.Item) {
	cat := catalog.Builtin()
	now := assess.Stamp(time.Now())
	a := assess.Assessment{
		ID: assess.NewID(), Org: org, Scope: "Everything we run",
		Boundaries: assess.Boundaries{Units: []string{"Eng"}, Locations: []string{"Remote"}, Services: []string{"SaaS"}, Systems: []string{"AWS"}},
		Interfaces: "Okta", Exclusions: []assess.Exclusion{{What: "Sales office", Justification: "no data"}},
		Stakeholders: []assess.Stakeholder{{Name: "Ann", Department: "HR", Email: "ann@example.com"}},
		TargetScore:  4, Employees: 50, Lead: "Ann", CatalogID: cat.ID, CatalogVersion: cat.Version, Version: 1,
		CreatedAt: now, UpdatedAt: now,
	}
	items := make([]assess.Item, len(cat.Items))
	for i, ci := range cat.Items {
		items[i] = assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department, Version: 1, UpdatedAt: now, UpdatedBy: "setup"}
	}
	return a, items
}

func create(t testing.TB, st store.Store, org string) (assess.Assessment, []assess.Item) {
	t.Helper()
	a, items := NewAssessment(org)
	if err := st.CreateAssessment(context.Background(), a, items); err != nil {
		t.Fatal(err)
	}
	return a, items
}

func testCreateGetList(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, items := create(t, st, "Zeta Ltd")
	b, _ := create(t, st, "Alpha Ltd")
	got, err := st.GetAssessment(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("stored assessment differs:\n got %+v\nwant %+v", got, a)
	}
	list, err := st.ListAssessments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Errorf("list: %v, want Alpha then Zeta", list)
	}
	stored, err := st.ListItems(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, items) {
		t.Errorf("items differ after the round trip (first: %+v vs %+v)", stored[0], items[0])
	}
	refs := make([]string, len(stored))
	for i, it := range stored {
		refs[i] = it.Ref
	}
	if !slices.IsSortedFunc(refs, catalog.CompareRefs) {
		t.Errorf("items are not in catalog order: %v", refs[:12])
	}
	if err := st.CreateAssessment(ctx, a, items); assess.KindOf(err) != assess.KindConflict {
		t.Errorf("creating a duplicate id: %v, want a conflict", err)
	}
}

func testNotFound(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	checks := map[string]error{}
	_, checks["GetAssessment"] = st.GetAssessment(ctx, "nope")
	_, checks["ListItems"] = st.ListItems(ctx, "nope")
	_, checks["GetItem unknown assessment"] = st.GetItem(ctx, "nope", "4.1")
	_, checks["GetItem unknown ref"] = st.GetItem(ctx, a.ID, "4.99")
	_, checks["UpdateItem unknown ref"] = st.UpdateItem(ctx, a.ID, assess.Item{Ref: "4.99"}, 1, "x", nil)
	_, checks["AddEvidence unknown ref"] = st.AddEvidence(ctx, a.ID, "4.99", assess.Evidence{Kind: assess.EvidenceText, Text: "x"}, nil)
	checks["RemoveEvidence"] = st.RemoveEvidence(ctx, a.ID, 42, "x")
	checks["DeleteAssessment"] = st.DeleteAssessment(ctx, "nope")
	checks["LockAssessment"] = st.InTx(ctx, func(tx store.Store) error { return tx.LockAssessment(ctx, "nope") })
	_, checks["GetCatalog"] = st.GetCatalog(ctx, "nope", "1")
	for name, err := range checks {
		if assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("%s: %v, want kind not found", name, err)
		}
	}
}

// createHourAgo stores an assessment created an hour ago, so an edit now
// must move UpdatedAt forward without the test waiting for the clock to tick.
func createHourAgo(t *testing.T, st store.Store, org string) (assess.Assessment, []assess.Item) {
	t.Helper()
	a, items := NewAssessment(org)
	a.CreatedAt = a.CreatedAt.Add(-time.Hour)
	a.UpdatedAt = a.CreatedAt
	if err := st.CreateAssessment(context.Background(), a, items); err != nil {
		t.Fatal(err)
	}
	return a, items
}

func testUpdateItemAndHistory(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := createHourAgo(t, st, "Acme")
	cur, err := st.GetItem(ctx, a.ID, "A.5.15")
	if err != nil {
		t.Fatal(err)
	}
	next := cur
	effort := 2.5
	next.Score, next.Owner, next.Priority, next.TargetDate, next.EffortDays = 3, "Priya", assess.PriorityHigh, assess.NewDate(2027, 3, 31), &effort
	next.Inclusion = []string{assess.ReasonRisk, assess.ReasonLegal}
	changes := assess.DiffItems(cur, next)
	got, err := st.UpdateItem(ctx, a.ID, next, cur.Version, "ann", changes)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != cur.Version+1 || got.Score != 3 || got.Owner != "Priya" || *got.EffortDays != 2.5 || got.UpdatedBy != "ann" ||
		got.TargetDate != assess.NewDate(2027, 3, 31) || !slices.Equal(got.Inclusion, next.Inclusion) {
		t.Errorf("after update: %+v", got)
	}
	again, _ := st.GetItem(ctx, a.ID, "A.5.15")
	if !reflect.DeepEqual(again, got) {
		t.Errorf("read back differs:\n%+v\n%+v", again, got)
	}
	hist, err := st.History(ctx, a.ID, store.HistoryQuery{Ref: "A.5.15"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != len(changes) || len(hist) < 5 {
		t.Fatalf("history has %d entries, want %d", len(hist), len(changes))
	}
	for i, h := range hist {
		if h.Field != changes[i].Field || h.Old != changes[i].Old || h.New != changes[i].New || h.Actor != "ann" ||
			h.Version != got.Version || h.Ref != "A.5.15" || h.At.IsZero() {
			t.Errorf("history[%d] = %+v, want %+v by ann at version %d", i, h, changes[i], got.Version)
		}
	}
	if lim, _ := st.History(ctx, a.ID, store.HistoryQuery{Limit: 2}); len(lim) != 2 || lim[1].ID != hist[len(hist)-1].ID {
		t.Errorf("limit 2 gives %+v, want the newest two", lim)
	}
	if other, _ := st.History(ctx, a.ID, store.HistoryQuery{Ref: "A.5.16"}); len(other) != 0 {
		t.Errorf("another item's history: %v", other)
	}
	// Clearing the effort override is kept as NULL, not 0.
	cleared := got
	cleared.EffortDays = nil
	got2, err := st.UpdateItem(ctx, a.ID, cleared, got.Version, "ann", assess.DiffItems(got, cleared))
	if err != nil || got2.EffortDays != nil {
		t.Errorf("cleared effort: %v %v", got2.EffortDays, err)
	}
	// The assessment is touched by the item's edit: it was updated when the item was.
	aa, err := st.GetAssessment(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !aa.UpdatedAt.After(a.UpdatedAt) || !aa.UpdatedAt.Equal(got2.UpdatedAt) {
		t.Errorf("assessment updated at %v, want the last item edit's %v (created %v)", aa.UpdatedAt, got2.UpdatedAt, a.UpdatedAt)
	}
}

func testStaleVersionConflict(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	base, _ := st.GetItem(ctx, a.ID, "6.1.2")
	mine, theirs := base, base
	theirs.Score, theirs.Owner = 4, "Theirs"
	mine.Score, mine.Owner = 2, "Mine"
	if _, err := st.UpdateItem(ctx, a.ID, theirs, base.Version, "bob", assess.DiffItems(base, theirs)); err != nil {
		t.Fatal(err)
	}
	_, err := st.UpdateItem(ctx, a.ID, mine, base.Version, "ann", assess.DiffItems(base, mine))
	var ce *assess.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("stale update: %v, want *assess.ConflictError", err)
	}
	if ce.Current.Owner != "Theirs" || ce.Current.Score != 4 || ce.Attempted.Owner != "Mine" || ce.BaseVersion != base.Version {
		t.Errorf("conflict must carry both values: current %+v attempted %+v", ce.Current, ce.Attempted)
	}
	now, _ := st.GetItem(ctx, a.ID, "6.1.2")
	if now.Owner != "Theirs" || now.Version != base.Version+1 {
		t.Errorf("the refused update changed the item: %+v", now)
	}
	hist, _ := st.History(ctx, a.ID, store.HistoryQuery{Ref: "6.1.2"})
	for _, h := range hist {
		if h.Actor == "ann" {
			t.Errorf("the refused update left history: %+v", h)
		}
	}
	// A caller that takes the conflict and commits the rest of its
	// transaction keeps nothing of the refused update either: no history,
	// no touch (an engine may send the update, its history and the touch
	// as one statement).
	before, _ := st.GetAssessment(ctx, a.ID)
	err = st.InTx(ctx, func(tx store.Store) error {
		_, err := tx.UpdateItem(ctx, a.ID, mine, base.Version, "carl", assess.DiffItems(base, mine))
		if !errors.As(err, &ce) {
			t.Errorf("stale update in a transaction: %v, want *assess.ConflictError", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hist, _ = st.History(ctx, a.ID, store.HistoryQuery{Ref: "6.1.2"})
	for _, h := range hist {
		if h.Actor == "carl" {
			t.Errorf("the refused update, its transaction committed, left history: %+v", h)
		}
	}
	if after, _ := st.GetAssessment(ctx, a.ID); !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("the refused update touched the assessment: %v, was %v", after.UpdatedAt, before.UpdatedAt)
	}
}

func testUpdateAssessmentConflict(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	b := a
	b.Scope, b.TargetScore = "New scope", 5
	got, err := st.UpdateAssessment(ctx, b, a.Version, "ann", assess.DiffAssessments(a, b))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != a.Version+1 || got.Scope != "New scope" {
		t.Errorf("updated: %+v", got)
	}
	if _, err := st.UpdateAssessment(ctx, b, a.Version, "bob", nil); assess.KindOf(err) != assess.KindConflict {
		t.Errorf("stale assessment update: %v, want a conflict", err)
	}
	hist, _ := st.History(ctx, a.ID, store.HistoryQuery{})
	if len(hist) != 2 || hist[0].Field != "scope" || hist[0].Ref != "" {
		t.Errorf("assessment history: %+v", hist)
	}
}

func testEvidence(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	other, _ := create(t, st, "Other")
	content := []byte("%PDF-1.7 pretend\x00\x01\x02")
	before, _ := st.GetItem(ctx, a.ID, "A.8.13")
	e1, err := st.AddEvidence(ctx, a.ID, "A.8.13", assess.Evidence{Kind: assess.EvidenceText, Text: "Restore test passed", AddedBy: "ann", Date: assess.NewDate(2026, 10, 1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := st.AddEvidence(ctx, a.ID, "A.8.13", assess.Evidence{Kind: assess.EvidenceFile, Text: "Report", FileName: "restore.pdf",
		ContentType: "application/pdf", Size: int64(len(content)), SHA256: "abc", AddedBy: "ann"}, content)
	if err != nil {
		t.Fatal(err)
	}
	// Evidence ids count per assessment.
	o1, err := st.AddEvidence(ctx, other.ID, "4.1", assess.Evidence{Kind: assess.EvidenceLink, URL: "https://x.example", AddedBy: "bob"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e1.ID != 1 || e2.ID != 2 || o1.ID != 1 {
		t.Errorf("evidence ids %d %d %d, want 1 2 1", e1.ID, e2.ID, o1.ID)
	}
	it, _ := st.GetItem(ctx, a.ID, "A.8.13")
	if len(it.Evidence) != 2 || it.Version != before.Version+2 || it.Evidence[0].Date != assess.NewDate(2026, 10, 1) || it.Evidence[1].FileName != "restore.pdf" {
		t.Errorf("item after evidence: version %d, evidence %+v", it.Version, it.Evidence)
	}
	ev, got, err := st.EvidenceContent(ctx, a.ID, e2.ID)
	if err != nil || string(got) != string(content) || ev.ContentType != "application/pdf" || ev.Size != int64(len(content)) {
		t.Errorf("file content: %q %+v %v", got, ev, err)
	}
	if _, _, err := st.EvidenceContent(ctx, other.ID, e2.ID); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("evidence of another assessment must not be found by id: %v", err)
	}
	if err := st.RemoveEvidence(ctx, a.ID, e1.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	it, _ = st.GetItem(ctx, a.ID, "A.8.13")
	if len(it.Evidence) != 1 || it.Evidence[0].ID != e2.ID || it.Version != before.Version+3 {
		t.Errorf("after removal: %+v", it)
	}
	hist, _ := st.History(ctx, a.ID, store.HistoryQuery{Ref: "A.8.13"})
	if len(hist) != 3 || hist[0].Field != "evidence" || hist[2].Old != "Restore test passed" || hist[2].Actor != "bob" {
		t.Errorf("evidence history: %+v", hist)
	}
}

func testTransactionRollsBack(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	boom := errors.New("boom")
	err := st.InTx(ctx, func(tx store.Store) error {
		cur, err := tx.GetItem(ctx, a.ID, "4.1")
		if err != nil {
			return err
		}
		next := cur
		next.Score = 5
		if _, err := tx.UpdateItem(ctx, a.ID, next, cur.Version, "ann", assess.DiffItems(cur, next)); err != nil {
			return err
		}
		if _, err := tx.AddEvidence(ctx, a.ID, "4.1", assess.Evidence{Kind: assess.EvidenceText, Text: "x"}, nil); err != nil {
			return err
		}
		b, items := NewAssessment("Inside")
		if err := tx.CreateAssessment(ctx, b, items); err != nil {
			return err
		}
		// Inside the transaction the writes are visible.
		if got, _ := tx.GetItem(ctx, a.ID, "4.1"); got.Score != 5 || len(got.Evidence) != 1 {
			return fmt.Errorf("write not visible in its own transaction: %+v", got)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want the function's error", err)
	}
	it, _ := st.GetItem(ctx, a.ID, "4.1")
	if it.Score != 0 || it.Version != 1 || len(it.Evidence) != 0 {
		t.Errorf("rolled-back writes are visible: %+v", it)
	}
	if list, _ := st.ListAssessments(ctx); len(list) != 1 {
		t.Errorf("rolled-back assessment is visible: %d assessments", len(list))
	}
	if h, _ := st.History(ctx, a.ID, store.HistoryQuery{}); len(h) != 0 {
		t.Errorf("rolled-back history is visible: %+v", h)
	}
}

// fill gives an assessment scores, evidence and history.
func fill(t *testing.T, st store.Store, a assess.Assessment) {
	t.Helper()
	ctx := context.Background()
	for i, ref := range []string{"4.1", "6.1.2", "A.5.15", "A.8.13", "A.7.12"} {
		cur, err := st.GetItem(ctx, a.ID, ref)
		if err != nil {
			t.Fatal(err)
		}
		next := cur
		next.Score = assess.Score(i + 1)
		next.Owner = fmt.Sprintf("owner %d", i)
		next.Notes = "line one\nline two, with ünïcode"
		if ref == "A.7.12" {
			next.Applicable, next.Justification, next.Score = false, "no cabling", 0
		}
		if _, err := st.UpdateItem(ctx, a.ID, next, cur.Version, "ann", assess.DiffItems(cur, next)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AddEvidence(ctx, a.ID, "A.8.13", assess.Evidence{Kind: assess.EvidenceFile, FileName: "r.bin", Size: 3, SHA256: "x", AddedBy: "ann"}, []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddEvidence(ctx, a.ID, "4.1", assess.Evidence{Kind: assess.EvidenceLink, URL: "https://wiki.example/ctx", AddedBy: "ann"}, nil); err != nil {
		t.Fatal(err)
	}
}

// filesOf reads an assessment's evidence files through EvidenceFiles.
// loadWithFiles loads rec with its files into a fresh store (as an import
// does), checks that the store gives back the same record and files, and
// returns that store.
func loadWithFiles(t *testing.T, e Engine, rec assess.Record, files map[int64][]byte) store.Store {
	t.Helper()
	dst := fresh(t, e)
	withFiles := rec
	withFiles.Files = files
	if err := dst.LoadRecord(context.Background(), withFiles); err != nil {
		t.Fatal(err)
	}
	back, err := dst.Record(context.Background(), rec.Assessment.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := assess.DiffRecords(rec, back); err != nil {
		t.Error(err)
	}
	if got := filesOf(t, dst, rec.Assessment.ID); !reflect.DeepEqual(got, files) {
		t.Errorf("files after load: %v, want %v", got, files)
	}
	return dst
}

func filesOf(t *testing.T, st store.Store, aid string) map[int64][]byte {
	t.Helper()
	files := map[int64][]byte{}
	var last int64
	err := st.EvidenceFiles(context.Background(), aid, func(id int64, content []byte) error {
		if id <= last {
			t.Errorf("files out of order: %d after %d", id, last)
		}
		last = id
		files[id] = content
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func testRecordRoundTrip(t *testing.T, e Engine) {
	ctx := context.Background()
	src := fresh(t, e)
	a, _ := create(t, src, "Acme")
	fill(t, src, a)
	if _, err := src.PutPlanSettings(ctx, a.ID, map[string]string{"day_rate": "650"}, 0, "ann", []assess.Change{{Field: "plan.day_rate", New: "650"}}); err != nil {
		t.Fatal(err)
	}
	snapItems, _ := src.ListItems(ctx, a.ID)
	if err := src.CreateSnapshot(ctx, store.Snapshot{AssessmentID: a.ID, Name: "baseline", CreatedAt: assess.Stamp(time.Now()), CreatedBy: "ann", Assessment: a, Items: snapItems}); err != nil {
		t.Fatal(err)
	}
	rec, err := src.Record(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Plan == nil || rec.Plan.Values["day_rate"] != "650" || len(rec.Snapshots) != 1 || len(rec.Snapshots[0].Items) != 123 {
		t.Fatalf("record lacks the plan or the snapshot: %+v, %d snapshots", rec.Plan, len(rec.Snapshots))
	}
	if len(rec.Items) != 123 || len(rec.History) < 8 || rec.Files != nil {
		t.Fatalf("record: %d items, %d history, %d files (contents are streamed, not read)", len(rec.Items), len(rec.History), len(rec.Files))
	}
	files := filesOf(t, src, a.ID)
	if len(files) != 1 || string(files[1]) != "\x00\x01\x02" {
		t.Fatalf("evidence files: %v", files)
	}
	// A record loads with its files given (an import) ...
	dst := loadWithFiles(t, e, rec, files)
	// ... or without them, each file added afterwards (a copy).
	dst2 := fresh(t, e)
	if err := dst2.LoadRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if got := filesOf(t, dst2, a.ID); len(got) != 0 {
		t.Errorf("a record loaded without files has contents: %v", got)
	}
	if err := dst2.PutEvidenceFile(ctx, a.ID, 2, []byte("x")); assess.KindOf(err) != assess.KindInvalid {
		t.Errorf("content for link evidence: %v, want invalid", err)
	}
	if err := dst2.PutEvidenceFile(ctx, a.ID, 99, []byte("x")); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("content for missing evidence: %v, want not found", err)
	}
	if err := dst2.PutEvidenceFile(ctx, a.ID, 1, files[1]); err != nil {
		t.Fatal(err)
	}
	if got := filesOf(t, dst2, a.ID); !reflect.DeepEqual(got, files) {
		t.Errorf("files after PutEvidenceFile: %v, want %v", got, files)
	}
	// A walk stops at the first error and returns it.
	stop := errors.New("stop")
	if err := src.EvidenceFiles(ctx, a.ID, func(int64, []byte) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("walk error: %v", err)
	}
	// Loading again into the same database is refused, not merged.
	if err := dst.LoadRecord(ctx, rec); assess.KindOf(err) != assess.KindConflict {
		t.Errorf("second load: %v, want a conflict", err)
	}
	// New evidence after a load continues the numbering.
	ev, err := dst.AddEvidence(ctx, a.ID, "4.1", assess.Evidence{Kind: assess.EvidenceText, Text: "more"}, nil)
	if err != nil || ev.ID != 3 {
		t.Errorf("evidence after load: id %d, %v; want 3", ev.ID, err)
	}
}

func testDelete(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	keep, _ := create(t, st, "Keep")
	fill(t, st, a)
	fill(t, st, keep)
	if err := st.DeleteAssessment(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetAssessment(ctx, a.ID); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("deleted assessment still found: %v", err)
	}
	if h, _ := st.History(ctx, a.ID, store.HistoryQuery{}); len(h) != 0 {
		t.Errorf("history of a deleted assessment remains: %d", len(h))
	}
	rec, err := st.Record(ctx, keep.ID)
	if err != nil || len(rec.Items) != 123 || len(filesOf(t, st, keep.ID)) != 1 {
		t.Errorf("the other assessment was harmed: %v", err)
	}
	if got := filesOf(t, st, a.ID); len(got) != 0 {
		t.Errorf("files of a deleted assessment remain: %d", len(got))
	}
}

func testCatalogs(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	if err := st.PutCatalog(ctx, "acme", "1", []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCatalog(ctx, "acme", "2", []byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	}
	// A stored version never changes.
	if err := st.PutCatalog(ctx, "acme", "1", []byte(`{"v":"changed"}`)); err != nil {
		t.Fatal(err)
	}
	for version, want := range map[string]string{"1": `{"v":1}`, "2": `{"v":2}`} {
		got, err := st.GetCatalog(ctx, "acme", version)
		if err != nil || string(got) != want {
			t.Errorf("catalog acme %s: %s %v, want %s", version, got, err, want)
		}
	}
	list, err := st.Catalogs(ctx)
	if err != nil || len(list) != 2 || list[0].Version != "1" || list[1].Version != "2" {
		t.Errorf("catalogs: %+v %v", list, err)
	}
}

func testListItemsOf(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	var ids []string
	for i := 0; i < 3; i++ {
		a, _ := create(t, st, fmt.Sprintf("Org %d", i))
		fill(t, st, a)
		ids = append(ids, a.ID)
	}
	m, err := st.ListItemsOf(ctx, append(ids, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 3 {
		t.Fatalf("got %d assessments", len(m))
	}
	scores, err := st.ScoresOf(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.Builtin()
	for _, id := range ids {
		one, _ := st.ListItems(ctx, id)
		if !reflect.DeepEqual(m[id], one) {
			t.Errorf("ListItemsOf and ListItems disagree for %s", id)
		}
		a, _ := st.GetAssessment(ctx, id)
		full, fast := assess.Compute(cat, a, one), assess.Compute(cat, a, scores[id])
		if !reflect.DeepEqual(full.Overall, fast.Overall) || !reflect.DeepEqual(full.Blockers, fast.Blockers) || len(scores[id]) != 123 {
			t.Errorf("ScoresOf gives other figures than ListItems for %s: %+v vs %+v", id, fast.Overall, full.Overall)
		}
	}
}

// testConcurrentWriters hammers the same items from two stores (two pools,
// as two isogap processes) and many goroutines. Every acknowledged update
// must be in the history, every refused one must have been a conflict, and
// the versions must count the acknowledged updates exactly.
func testConcurrentWriters(t *testing.T, e Engine) {
	ctx := context.Background()
	dsn := e.Fresh(t)
	s1, s2 := e.Open(t, dsn), e.Open(t, dsn)
	defer s1.Close()
	defer s2.Close()
	a, items := NewAssessment("Busy")
	if err := s1.CreateAssessment(ctx, a, items); err != nil {
		t.Fatal(err)
	}
	refs := []string{"4.1", "A.5.15", "A.8.8"}
	const workers, perWorker = 8, 25
	var acked, conflicts atomic.Int64
	type ack struct {
		ref     string
		version int
		owner   string
	}
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		st := []store.Store{s1, s2}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				ref := refs[(w+i)%len(refs)]
				cur, err := st.GetItem(ctx, a.ID, ref)
				if err != nil {
					errs <- err
					return
				}
				next := cur
				next.Owner = fmt.Sprintf("w%d-%d", w, i)
				next.Score = assess.Score(1 + (w+i)%5)
				got, err := st.UpdateItem(ctx, a.ID, next, cur.Version, next.Owner, assess.DiffItems(cur, next))
				var ce *assess.ConflictError
				switch {
				case err == nil:
					acked.Add(1)
					mu.Lock()
					acks = append(acks, ack{ref, got.Version, next.Owner})
					mu.Unlock()
				case errors.As(err, &ce):
					if ce.Current.Version <= cur.Version {
						errs <- fmt.Errorf("conflict without a newer version: %d <= %d", ce.Current.Version, cur.Version)
						return
					}
					conflicts.Add(1)
				default:
					errs <- fmt.Errorf("update %s: %w", ref, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if acked.Load()+conflicts.Load() != workers*perWorker {
		t.Fatalf("%d acked + %d conflicts != %d attempts", acked.Load(), conflicts.Load(), workers*perWorker)
	}
	if acked.Load() == 0 {
		t.Fatal("no update succeeded")
	}
	total := 0
	for _, ref := range refs {
		it, _ := s2.GetItem(ctx, a.ID, ref)
		var n int
		for _, k := range acks {
			if k.ref == ref {
				n++
			}
		}
		if it.Version != 1+n {
			t.Errorf("%s: version %d, but %d updates were acknowledged", ref, it.Version, n)
		}
		total += n
	}
	hist, err := s1.History(ctx, a.ID, store.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, h := range hist {
		if h.Field == "owner" {
			seen[fmt.Sprintf("%s@%d=%s", h.Ref, h.Version, h.New)] = true
		}
	}
	for _, k := range acks {
		if !seen[fmt.Sprintf("%s@%d=%s", k.ref, k.version, k.owner)] {
			t.Errorf("acknowledged update %+v is missing from the history", k)
		}
	}
	if len(seen) != total {
		t.Errorf("history has %d owner changes, %d updates were acknowledged", len(seen), total)
	}
	t.Logf("%d updates acknowledged, %d refused as conflicts", acked.Load(), conflicts.Load())
}

// testEvidenceAndUpdates adds and removes evidence and updates the same
// item from two stores at once. Each write takes the assessment before the
// item, so none deadlocks (and is run again): the engine must count none.
func testEvidenceAndUpdates(t *testing.T, e Engine) {
	ctx := context.Background()
	dsn := e.Fresh(t)
	stores := []store.Store{e.Open(t, dsn), e.Open(t, dsn)}
	for _, st := range stores {
		defer st.Close()
	}
	a, items := NewAssessment("Busy")
	if err := stores[0].CreateAssessment(ctx, a, items); err != nil {
		t.Fatal(err)
	}
	const ref, workers, perWorker = "A.8.13", 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				st := stores[(w+i)%2]
				var err error
				switch w % 3 {
				case 0:
					var ev assess.Evidence
					ev, err = st.AddEvidence(ctx, a.ID, ref, assess.Evidence{Kind: assess.EvidenceText, Text: "kept", AddedBy: "auditor"}, nil)
					if err == nil && i%2 == 0 {
						err = st.RemoveEvidence(ctx, a.ID, ev.ID, "auditor")
					}
				default:
					var cur assess.Item
					if cur, err = st.GetItem(ctx, a.ID, ref); err != nil {
						break
					}
					next := cur
					next.Notes = fmt.Sprintf("w%d-%d", w, i)
					_, err = st.UpdateItem(ctx, a.ID, next, cur.Version, "editor", assess.DiffItems(cur, next))
					var ce *assess.ConflictError
					if errors.As(err, &ce) {
						err = nil // the store's contract: a stale version is refused
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var retried int64
	for _, st := range stores {
		r, ok := st.(interface{ Retried() int64 })
		if !ok {
			t.Fatalf("%T does not count its retried transactions", st)
		}
		retried += r.Retried()
	}
	if retried != 0 {
		t.Errorf("%d transaction attempts hit a deadlock (or a serialization failure), want 0", retried)
	}
}

// BenchmarkItemUpdates measures item updates through the store, each a
// compare-and-swap with its history, in one goroutine.
func BenchmarkItemUpdates(b *testing.B, e Engine) {
	ctx := context.Background()
	st := fresh(b, e)
	a, _ := create(b, st, "Bench")
	refs := catalog.Builtin().Items
	versions := map[string]int{}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		ref := refs[i%len(refs)].Ref
		i++
		base := max(1, versions[ref])
		it := assess.Item{Ref: ref, Applicable: true, Score: assess.Score(1 + i%5), Owner: fmt.Sprint("o", i)}
		got, err := st.UpdateItem(ctx, a.ID, it, base, "bench", []assess.Change{{Field: "score", New: "x"}, {Field: "owner", New: it.Owner}})
		if err != nil {
			b.Fatal(err)
		}
		versions[ref] = got.Version
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkPortfolio measures reading the items of many assessments at once,
// what the portfolio's readiness figures need.
func BenchmarkPortfolio(b *testing.B, e Engine, n int) {
	ctx := context.Background()
	st := fresh(b, e)
	var ids []string
	err := st.InTx(ctx, func(tx store.Store) error {
		for i := 0; i < n; i++ {
			a, items := NewAssessment(fmt.Sprintf("Client %04d", i))
			for j := range items {
				items[j].Score = assess.Score((i + j) % 6)
			}
			if err := tx.CreateAssessment(ctx, a, items); err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cat := catalog.Builtin()
	b.ResetTimer()
	for b.Loop() {
		list, err := st.ListAssessments(ctx)
		if err != nil {
			b.Fatal(err)
		}
		m, err := st.ScoresOf(ctx, ids)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range list {
			assess.Compute(cat, a, m[a.ID])
		}
	}
}
