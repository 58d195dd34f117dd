package assess

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/catalog"
)

// TestReplayExtendEqualsFullReplay plays a random history forwards and,
// after chunks of random length, extends one Replay by the chunk: its
// points must be those of replaying the whole history so far, to the bit.
// Moments (several changes at one time) sometimes span two chunks.
func TestReplayExtendEqualsFullReplay(t *testing.T) {
	cat := catalog.Builtin()
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		a := Assessment{TargetScore: 2 + rng.IntN(4), CreatedAt: t0}
		items := make([]Item, len(cat.Items))
		for i, ci := range cat.Items {
			items[i] = Item{Ref: ci.Ref, Applicable: true}
		}
		var history []Change
		var kept Replay
		extended, refused := 0, 0
		for k := 1; k <= 400; k++ {
			at := t0.Add(time.Duration(k/2) * time.Minute) // two steps share a moment
			it := &items[rng.IntN(len(items))]
			ch := Change{ID: int64(len(history) + 1), Ref: it.Ref, At: at}
			switch f := rng.IntN(4); {
			case f == 0:
				ch.Field, ch.Old = "score", scoreText(it.Score)
				it.Score = Score(rng.IntN(6))
				ch.New = scoreText(it.Score)
			case f == 1 && it.Ref[0] == 'A':
				ch.Field, ch.Old = "applicable", yesNo(it.Applicable)
				it.Applicable = !it.Applicable
				ch.New = yesNo(it.Applicable)
			case f == 2 && len(it.Evidence) > 0:
				ch.Field, ch.Old = "evidence", "doc"
				it.Evidence = it.Evidence[1:]
			case f == 2:
				ch.Field, ch.New = "evidence", "doc"
				it.Evidence = append(it.Evidence, Evidence{Text: "doc"})
			default:
				ch.Field, ch.New = "owner", "someone"
			}
			history = append(history, ch)
			if rng.IntN(15) != 0 {
				continue
			}
			full := NewReplay(cat, a, items, history)
			newer := history[len(history)-1:]
			for len(newer) < len(history) && history[len(history)-len(newer)-1].ID > kept.LastID {
				newer = history[len(history)-len(newer)-1:]
			}
			next, ok := kept.Extend(cat, a, items, newer)
			if !ok {
				refused++
				next = full
			} else {
				extended++
			}
			if !samePoints(next.Points, full.Points) {
				t.Fatalf("seed %d, after %d changes: extended %d points, a full replay %d", seed, len(history), len(next.Points), len(full.Points))
			}
			kept = next
		}
		if extended == 0 || refused == 0 {
			t.Errorf("seed %d: %d extended, %d replayed whole: the test misses a path", seed, extended, refused)
		}
	}
}

// TestReplayExtendRefuses: whatever the replay cannot account for makes
// Extend refuse, so the caller replays the whole history.
func TestReplayExtendRefuses(t *testing.T) {
	cat := catalog.Builtin()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Assessment{TargetScore: 4, CreatedAt: t0}
	items := []Item{{Ref: "4.1", Score: 3, Applicable: true}}
	history := []Change{{ID: 1, Ref: "4.1", Field: "score", New: "3", At: t0.Add(time.Hour)}}
	r := NewReplay(cat, a, items, history)
	later := []Change{{ID: 2, Ref: "4.1", Field: "score", Old: "3", New: "4", At: t0.Add(2 * time.Hour)}}
	raised := []Item{{Ref: "4.1", Score: 4, Applicable: true}}
	if _, ok := r.Extend(cat, a, raised, later); !ok {
		t.Fatal("a change recorded after the replay was not replayed on")
	}
	other := a
	other.TargetScore = 5
	sameMoment := []Change{{ID: 2, Ref: "4.1", Field: "score", Old: "3", New: "4", At: t0.Add(time.Hour)}}
	for name, c := range map[string]struct {
		a     Assessment
		items []Item
		newer []Change
	}{
		"another target":                  {other, raised, later},
		"items changed unrecorded":        {a, []Item{{Ref: "4.1", Score: 4, Applicable: true}, {Ref: "4.2", Score: 2, Applicable: true}}, later},
		"nothing recorded, items changed": {a, raised, nil},
		"the last moment goes on":         {a, raised, sameMoment},
		"an id already replayed":          {a, raised, []Change{{ID: 1, Ref: "4.1", Field: "score", Old: "3", New: "4", At: t0.Add(2 * time.Hour)}}},
	} {
		if _, ok := r.Extend(cat, c.a, c.items, c.newer); ok {
			t.Errorf("%s: extended", name)
		}
	}
}

func TestDownsampleKeepsEdgesAndExtremes(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 4))
	var tl []TimePoint
	for i := range 10000 {
		tl = append(tl, TimePoint{At: t0.Add(time.Duration(i) * time.Minute), Readiness: rng.Float64(), Coverage: rng.Float64()})
	}
	tl[4321].Readiness, tl[777].Coverage = 2, -1
	got := Downsample(tl, 50)
	if len(got) > 300 || len(got) < 100 {
		t.Fatalf("%d points from %d in 50 buckets", len(got), len(tl))
	}
	if got[0] != tl[0] || got[len(got)-1] != tl[len(tl)-1] {
		t.Error("the first or the last point is gone")
	}
	if !slices.Contains(got, tl[4321]) || !slices.Contains(got, tl[777]) {
		t.Error("an extreme is gone")
	}
	for i := 1; i < len(got); i++ {
		if !got[i].At.After(got[i-1].At) {
			t.Fatalf("point %d out of order", i)
		}
	}
	if short := tl[:300]; len(Downsample(short, 50)) != 300 {
		t.Error("a short timeline was shortened")
	}
}

func samePoints(a, b []TimePoint) bool {
	return slices.EqualFunc(a, b, func(x, y TimePoint) bool {
		return x.At.Equal(y.At) && x.Readiness == y.Readiness && x.Coverage == y.Coverage
	})
}
