package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

func testPlanSettings(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	ps, err := st.PlanSettings(ctx, a.ID)
	if err != nil || ps.Version != 0 || len(ps.Values) != 0 {
		t.Fatalf("settings before any save: %+v %v", ps, err)
	}
	if _, err := st.PlanSettings(ctx, "nope"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("settings of a missing assessment: %v", err)
	}
	if _, err := st.PutPlanSettings(ctx, "nope", map[string]string{"day_rate": "1"}, 0, "ann", nil); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("saving settings of a missing assessment: %v", err)
	}
	v1 := map[string]string{"day_rate": "650", "currency": "GBP", "capacity.Samir Okafor": "2"}
	got, err := st.PutPlanSettings(ctx, a.ID, v1, 0, "ann", []assess.Change{{Field: "plan.day_rate", New: "650"}, {Field: "plan.currency", New: "GBP"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.UpdatedBy != "ann" || !reflect.DeepEqual(got.Values, v1) {
		t.Errorf("saved: %+v", got)
	}
	again, _ := st.PlanSettings(ctx, a.ID)
	if !reflect.DeepEqual(again, got) {
		t.Errorf("read back differs:\n%+v\n%+v", again, got)
	}
	// A save based on version 0 again is a conflict and changes nothing.
	if _, err := st.PutPlanSettings(ctx, a.ID, map[string]string{"day_rate": "1"}, 0, "bob", nil); assess.KindOf(err) != assess.KindConflict {
		t.Errorf("stale save: %v, want a conflict", err)
	}
	v2 := map[string]string{"day_rate": "700"}
	if got, err = st.PutPlanSettings(ctx, a.ID, v2, 1, "bob", []assess.Change{{Field: "plan.day_rate", Old: "650", New: "700"}}); err != nil || got.Version != 2 {
		t.Fatalf("second save: %+v %v", got, err)
	}
	if now, _ := st.PlanSettings(ctx, a.ID); !reflect.DeepEqual(now.Values, v2) || now.UpdatedBy != "bob" {
		t.Errorf("after the second save: %+v", now)
	}
	hist, _ := st.History(ctx, a.ID, store.HistoryQuery{})
	if len(hist) != 3 || hist[2].Field != "plan.day_rate" || hist[2].Old != "650" || hist[2].Version != 2 || hist[2].Actor != "bob" || hist[2].Ref != "" {
		t.Errorf("history: %+v", hist)
	}
	// Settings go with their assessment.
	if err := st.DeleteAssessment(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	b, _ := create(t, st, "Next")
	if ps, err := st.PlanSettings(ctx, b.ID); err != nil || ps.Version != 0 {
		t.Errorf("a new assessment has settings: %+v %v", ps, err)
	}
}

// testPlanSettingsRace saves first settings from two pools at once: exactly
// one save wins, the other is a conflict.
func testPlanSettingsRace(t *testing.T, e Engine) {
	ctx := context.Background()
	dsn := e.Fresh(t)
	s1, s2 := e.Open(t, dsn), e.Open(t, dsn)
	defer s1.Close()
	defer s2.Close()
	a, items := NewAssessment("Race")
	if err := s1.CreateAssessment(ctx, a, items); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 5; round++ {
		base, err := s1.PlanSettings(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, st := range []store.Store{s1, s2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = st.PutPlanSettings(ctx, a.ID, map[string]string{"runs": string(rune('1' + i))}, base.Version, "w", nil)
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case assess.KindOf(err) == assess.KindConflict:
				conflicts++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("round %d: %d saves and %d conflicts, want one each", round, ok, conflicts)
		}
		if now, _ := s2.PlanSettings(ctx, a.ID); now.Version != base.Version+1 {
			t.Fatalf("round %d: version %d, want %d", round, now.Version, base.Version+1)
		}
	}
}

func testSnapshots(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, items := create(t, st, "Acme")
	fill(t, st, a)
	cur, _ := st.ListItems(ctx, a.ID)
	at := assess.Stamp(time.Now()).Add(-time.Hour)
	s1 := store.Snapshot{AssessmentID: a.ID, Name: "baseline", CreatedAt: at, CreatedBy: "ann", Assessment: a, Items: items}
	s2 := store.Snapshot{AssessmentID: a.ID, Name: "after Q1", CreatedAt: at.Add(time.Minute), CreatedBy: "bob", Assessment: a, Items: cur}
	for _, s := range []store.Snapshot{s2, s1} {
		if err := st.CreateSnapshot(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateSnapshot(ctx, s1); assess.KindOf(err) != assess.KindConflict {
		t.Errorf("duplicate name: %v, want a conflict", err)
	}
	if err := st.CreateSnapshot(ctx, store.Snapshot{AssessmentID: "nope", Name: "x", CreatedAt: at}); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("snapshot of a missing assessment: %v", err)
	}
	got, err := st.Snapshot(ctx, a.ID, "after Q1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s2) {
		t.Errorf("snapshot round trip differs (items equal: %v)", reflect.DeepEqual(got.Items, s2.Items))
	}
	list, err := st.Snapshots(ctx, a.ID)
	if err != nil || len(list) != 2 || list[0].Name != "baseline" || list[1].Name != "after Q1" {
		t.Fatalf("list: %v %v", list, err)
	}
	if _, err := st.Snapshot(ctx, a.ID, "nope"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("missing snapshot: %v", err)
	}
	if _, err := st.Snapshots(ctx, "nope"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("snapshots of a missing assessment: %v", err)
	}
	if err := st.DeleteSnapshot(ctx, a.ID, "baseline"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteSnapshot(ctx, a.ID, "baseline"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("deleting twice: %v", err)
	}
	// Snapshots go with their assessment.
	if err := st.DeleteAssessment(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Snapshot(ctx, a.ID, "after Q1"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("snapshot of a deleted assessment: %v", err)
	}
}
