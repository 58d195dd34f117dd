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
// readiness and coverage after every moment something changed, oldest
// first, starting with the assessment's creation. Only the fields that move
// the figures are replayed: score, applicability and evidence.
func Timeline(cat *catalog.Catalog, a Assessment, items []Item, history []Change) []TimePoint {
	type state struct {
		score      Score
		applicable bool
		evidence   int
	}
	cur := make(map[string]*state, len(items))
	for _, it := range items {
		cur[it.Ref] = &state{it.Score, it.Applicable, len(it.Evidence)}
	}
	figures := func(at time.Time) TimePoint {
		list := make([]Item, 0, len(cur))
		for ref, s := range cur {
			it := Item{Ref: ref, Score: s.score, Applicable: s.applicable}
			if s.evidence > 0 {
				it.Evidence = make([]Evidence, s.evidence)
			}
			list = append(list, it)
		}
		r := Compute(cat, a, list)
		return TimePoint{At: at, Readiness: r.Overall.Readiness, Coverage: r.Overall.Coverage}
	}
	var points []TimePoint
	for i := len(history) - 1; i >= 0; {
		at := history[i].At
		points = append(points, figures(at))
		// Undo every change recorded at this moment.
		for ; i >= 0 && history[i].At.Equal(at); i-- {
			h := history[i]
			s := cur[h.Ref]
			if s == nil {
				continue
			}
			switch h.Field {
			case "score":
				n, _ := strconv.Atoi(h.Old)
				s.score = Score(n)
			case "applicable":
				s.applicable = h.Old != "no"
			case "evidence":
				if h.New != "" {
					s.evidence = max(0, s.evidence-1)
				}
				if h.Old != "" {
					s.evidence++
				}
			}
		}
	}
	start := a.CreatedAt
	if len(history) > 0 && history[0].At.Before(start) {
		start = history[0].At
	}
	points = append(points, figures(start))
	// Oldest first.
	for i, j := 0, len(points)-1; i < j; i, j = i+1, j-1 {
		points[i], points[j] = points[j], points[i]
	}
	return points
}
