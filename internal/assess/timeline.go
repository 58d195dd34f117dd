package assess

import (
	"strconv"
	"time"

	"github.com/isogap/isogap/internal/catalog"
)

// TimePoint is the overall readiness and coverage after the changes recorded
// at one moment.
type TimePoint struct {
	At        time.Time `json:"at"`
	Readiness float64   `json:"readiness"`
	Coverage  float64   `json:"coverage"`
}

// Timeline replays the history backwards from the current items and returns
// readiness and coverage after every moment the figures could move (a
// score, an applicability or evidence changed), oldest first, starting with
// the assessment's creation. Each item's part in the figures comes from the
// same rules as Compute; the running totals are adjusted item by item, so a
// long history costs one step per change, not a full computation per moment.
func Timeline(cat *catalog.Catalog, a Assessment, items []Item, history []Change) []TimePoint {
	target := targetOf(a)
	cur := make(map[string]*Item, len(cat.Items))
	for _, it := range items {
		cur[it.Ref] = &Item{Ref: it.Ref, Score: it.Score, Applicable: it.Applicable, Evidence: make([]Evidence, len(it.Evidence))}
	}
	var total Figures
	for _, ci := range cat.Items {
		it := cur[ci.Ref]
		if it == nil {
			it = &Item{Ref: ci.Ref, Applicable: true}
			cur[ci.Ref] = it
		}
		total.add(statusOf(ci, *it, target))
	}
	point := func(at time.Time) TimePoint {
		f := total
		f.finish()
		return TimePoint{At: at, Readiness: f.Readiness, Coverage: f.Coverage}
	}
	var points []TimePoint
	for i := len(history) - 1; i >= 0; {
		at := history[i].At
		moved := false
		var before TimePoint
		// Undo every change recorded at this moment.
		for ; i >= 0 && history[i].At.Equal(at); i-- {
			h := history[i]
			it := cur[h.Ref]
			ci, ok := cat.Item(h.Ref)
			if it == nil || !ok || (h.Field != "score" && h.Field != "applicable" && h.Field != "evidence") {
				continue
			}
			if !moved {
				before, moved = point(at), true
			}
			total.remove(statusOf(ci, *it, target))
			switch h.Field {
			case "score":
				n, _ := strconv.Atoi(h.Old)
				it.Score = Score(n)
			case "applicable":
				it.Applicable = h.Old != "no"
			case "evidence":
				n := len(it.Evidence)
				if h.New != "" {
					n = max(0, n-1)
				}
				if h.Old != "" {
					n++
				}
				it.Evidence = make([]Evidence, n)
			}
			total.add(statusOf(ci, *it, target))
		}
		if moved {
			points = append(points, before)
		}
	}
	start := a.CreatedAt
	if len(history) > 0 && history[0].At.Before(start) {
		start = history[0].At
	}
	points = append(points, point(start))
	// Oldest first.
	for i, j := 0, len(points)-1; i < j; i, j = i+1, j-1 {
		points[i], points[j] = points[j], points[i]
	}
	return points
}
