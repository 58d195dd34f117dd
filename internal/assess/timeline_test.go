package assess

import (
	"testing"
	"time"
)

func TestTimelineReplaysHistory(t *testing.T) {
	cat := tiny(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Assessment{TargetScore: 4, CreatedAt: t0}
	at := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	// Day 1: 4.1 scored 3. Day 2: 4.1 raised to 5 and evidence added.
	// Day 3: A.2.1 excluded. Day 4: A.1.1 scored 1.
	history := []Change{
		{Ref: "4.1", Field: "score", Old: "", New: "3", At: at(1)},
		{Ref: "4.1", Field: "score", Old: "3", New: "5", At: at(2)},
		{Ref: "4.1", Field: "evidence", New: "policy", At: at(2)},
		{Ref: "A.2.1", Field: "applicable", Old: "yes", New: "no", At: at(3)},
		{Ref: "A.1.1", Field: "score", Old: "", New: "1", At: at(4)},
	}
	items := []Item{item("4.1", 5, true), item("4.2", 0, false), item("A.1.1", 1, false), item("A.1.2", 0, false), na("A.2.1", "x")}
	got := Timeline(cat, a, items, history)
	want := []TimePoint{
		{at(0), 0, 0},
		{at(1), 0.5 / 5, 1.0 / 5},
		{at(2), 1.0 / 5, 1.0 / 5},
		{at(3), 1.0 / 4, 1.0 / 4},
		{at(4), 1.0 / 4, 2.0 / 4},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d points: %+v", len(got), got)
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) || !near(got[i].Readiness, want[i].Readiness) || !near(got[i].Coverage, want[i].Coverage) {
			t.Errorf("point %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// The last point is today's figures.
	r := Compute(cat, a, items)
	if last := got[len(got)-1]; !near(last.Readiness, r.Overall.Readiness) {
		t.Errorf("last point %v, current readiness %v", last.Readiness, r.Overall.Readiness)
	}
}
