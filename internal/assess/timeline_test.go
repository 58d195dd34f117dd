package assess

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/catalog"
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

// TestTimelineMatchesComputeAtEveryMoment plays a random history forwards,
// computing the figures after each moment with Compute, and checks that
// replaying it backwards from the end gives the same points.
func TestTimelineMatchesComputeAtEveryMoment(t *testing.T) {
	cat := catalog.Builtin()
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Assessment{TargetScore: 4, CreatedAt: t0}
	state := map[string]*Item{}
	for _, ci := range cat.Items {
		state[ci.Ref] = &Item{Ref: ci.Ref, Applicable: true}
	}
	snapshot := func() []Item {
		var out []Item
		for _, ci := range cat.Items {
			out = append(out, *state[ci.Ref])
		}
		return out
	}
	want := []TimePoint{{At: t0}}
	var history []Change
	for k := 1; k <= 300; k++ {
		at := t0.Add(time.Duration(k) * time.Minute)
		relevant := false
		// One to three changes at the same moment.
		for n := 1 + rng.IntN(3); n > 0; n-- {
			ci := cat.Items[rng.IntN(len(cat.Items))]
			it := state[ci.Ref]
			switch f := rng.IntN(4); {
			case f == 0:
				old := scoreText(it.Score)
				it.Score = Score(rng.IntN(6))
				history = append(history, Change{Ref: ci.Ref, Field: "score", Old: old, New: scoreText(it.Score), At: at})
				relevant = true
			case f == 1 && ci.IsControl():
				old := yesNo(it.Applicable)
				it.Applicable = !it.Applicable
				history = append(history, Change{Ref: ci.Ref, Field: "applicable", Old: old, New: yesNo(it.Applicable), At: at})
				relevant = true
			case f == 2:
				if len(it.Evidence) > 0 && rng.IntN(2) == 0 {
					it.Evidence = it.Evidence[1:]
					history = append(history, Change{Ref: ci.Ref, Field: "evidence", Old: "doc", At: at})
				} else {
					it.Evidence = append(it.Evidence, Evidence{Text: "doc"})
					history = append(history, Change{Ref: ci.Ref, Field: "evidence", New: "doc", At: at})
				}
				relevant = true
			default:
				history = append(history, Change{Ref: ci.Ref, Field: "owner", Old: it.Owner, New: "someone", At: at})
				it.Owner = "someone"
			}
		}
		if relevant {
			r := Compute(cat, a, snapshot())
			want = append(want, TimePoint{At: at, Readiness: r.Overall.Readiness, Coverage: r.Overall.Coverage})
		}
	}
	got := Timeline(cat, a, snapshot(), history)
	if len(got) != len(want) {
		t.Fatalf("%d points, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) || math.Abs(got[i].Readiness-want[i].Readiness) > 1e-9 || math.Abs(got[i].Coverage-want[i].Coverage) > 1e-9 {
			t.Fatalf("point %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func BenchmarkTimelineDemoSizedHistory(b *testing.B) {
	cat := catalog.Builtin()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var items []Item
	var history []Change
	for i, ci := range cat.Items {
		items = append(items, Item{Ref: ci.Ref, Score: Score(1 + i%5), Applicable: true})
		for k := 1; k <= 1+i%5; k++ {
			history = append(history, Change{Ref: ci.Ref, Field: "score", Old: scoreText(Score(k - 1)), New: scoreText(Score(k)), At: t0.Add(time.Duration(i*5+k) * time.Hour)})
		}
	}
	a := Assessment{TargetScore: 4, CreatedAt: t0}
	b.ReportAllocs()
	for b.Loop() {
		Timeline(cat, a, items, history)
	}
}
