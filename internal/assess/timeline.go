package assess

import (
	"slices"
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
	return NewReplay(cat, a, items, history).Points
}

// Replay is a Timeline kept with what it was replayed from, so that a later
// view replays only the changes recorded since (Extend) and gets the same
// points as a replay of the whole history.
type Replay struct {
	// Points is the timeline, oldest first. It is shared: do not modify it.
	Points []TimePoint
	// FirstID and LastID are the ids of the oldest and the newest change
	// replayed (0: none). History is only ever added to, but an assessment
	// deleted and loaded again has new ids: a caller that finds another
	// oldest id replays the whole history.
	FirstID, LastID int64
	lastAt          time.Time
	// What the points depend on besides the history: the catalog, the
	// target, the creation time and each item's part in the figures as
	// the replay found them.
	cat     *catalog.Catalog
	target  Score
	created time.Time
	state   []replayItem
}

// replayItem is what of an item the figures read.
type replayItem struct {
	score      Score
	applicable bool
	evidence   int
}

// replayer undoes changes from a state of the items.
type replayer struct {
	cat    *catalog.Catalog
	target Score
	cur    map[string]*Item
	total  Figures
}

func newReplayer(cat *catalog.Catalog, a Assessment, items []Item) *replayer {
	r := &replayer{cat: cat, target: targetOf(a), cur: make(map[string]*Item, len(cat.Items))}
	for _, it := range items {
		r.cur[it.Ref] = &Item{Ref: it.Ref, Score: it.Score, Applicable: it.Applicable, Evidence: make([]Evidence, len(it.Evidence))}
	}
	for _, ci := range cat.Items {
		it := r.cur[ci.Ref]
		if it == nil {
			it = &Item{Ref: ci.Ref, Applicable: true}
			r.cur[ci.Ref] = it
		}
		r.total.add(statusOf(ci, *it, r.target))
	}
	return r
}

// state is each catalog item's part in the figures, in catalog order.
func (r *replayer) state() []replayItem {
	out := make([]replayItem, len(r.cat.Items))
	for i, ci := range r.cat.Items {
		it := r.cur[ci.Ref]
		out[i] = replayItem{score: it.Score, applicable: it.Applicable, evidence: len(it.Evidence)}
	}
	return out
}

func (r *replayer) point(at time.Time) TimePoint {
	f := r.total
	f.finish()
	return TimePoint{At: at, Readiness: f.Readiness, Coverage: f.Coverage}
}

// undo takes back history (oldest first) and returns the figures after
// each moment it held, newest first.
func (r *replayer) undo(history []Change) []TimePoint {
	var points []TimePoint
	for i := len(history) - 1; i >= 0; {
		at := history[i].At
		moved := false
		var before TimePoint
		// Undo every change recorded at this moment.
		for ; i >= 0 && history[i].At.Equal(at); i-- {
			h := history[i]
			it := r.cur[h.Ref]
			ci, ok := r.cat.Item(h.Ref)
			if it == nil || !ok || (h.Field != "score" && h.Field != "applicable" && h.Field != "evidence") {
				continue
			}
			if !moved {
				before, moved = r.point(at), true
			}
			r.total.remove(statusOf(ci, *it, r.target))
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
			r.total.add(statusOf(ci, *it, r.target))
		}
		if moved {
			points = append(points, before)
		}
	}
	return points
}

// NewReplay replays the whole history (oldest first) from the current items.
func NewReplay(cat *catalog.Catalog, a Assessment, items []Item, history []Change) Replay {
	r := newReplayer(cat, a, items)
	out := Replay{cat: cat, target: r.target, created: a.CreatedAt, state: r.state()}
	points := r.undo(history)
	start := a.CreatedAt
	if len(history) > 0 {
		if history[0].At.Before(start) {
			start = history[0].At
		}
		out.FirstID = history[0].ID
		out.LastID, out.lastAt = history[len(history)-1].ID, history[len(history)-1].At
	}
	points = append(points, r.point(start))
	slices.Reverse(points)
	out.Points = slices.Clip(points)
	return out
}

// Extend replays only the changes recorded after r (newer, oldest first,
// every id above r.LastID) from the current items. It reports false when
// that would not give what NewReplay gives over the whole history: the
// catalog, target or creation time changed, r replayed no change, the
// newest moment r replayed goes on in newer, or undoing newer does not
// lead back to the items r started from (a change recorded out of order,
// or items written without a change in the history). The caller then
// replays the whole history.
func (r Replay) Extend(cat *catalog.Catalog, a Assessment, items []Item, newer []Change) (Replay, bool) {
	if r.cat != cat || r.target != targetOf(a) || !r.created.Equal(a.CreatedAt) || r.LastID == 0 {
		return Replay{}, false
	}
	if len(newer) > 0 && (newer[0].ID <= r.LastID || newer[0].At.Equal(r.lastAt)) {
		return Replay{}, false
	}
	rp := newReplayer(cat, a, items)
	now := rp.state()
	points := rp.undo(newer)
	if !slices.Equal(rp.state(), r.state) {
		return Replay{}, false
	}
	if len(newer) == 0 {
		return r, true
	}
	slices.Reverse(points)
	out := r
	out.state = now
	out.LastID, out.lastAt = newer[len(newer)-1].ID, newer[len(newer)-1].At
	out.Points = slices.Concat(r.Points, points)
	return out, true
}

// Downsample shortens a timeline for a chart: it cuts the time from the
// first point to the last into buckets of equal length and keeps, of each
// bucket, its first and last point and those with the lowest and highest
// readiness and coverage. The drawn line keeps every peak and trough and
// every level it holds at a bucket's edge, in at most 6 points a bucket.
// A timeline of at most 6·buckets points comes back as it is.
func Downsample(tl []TimePoint, buckets int) []TimePoint {
	if buckets < 1 || len(tl) <= 6*buckets {
		return tl
	}
	first, span := tl[0].At, tl[len(tl)-1].At.Sub(tl[0].At)
	bucketOf := func(p TimePoint) int {
		if span <= 0 {
			return 0
		}
		return min(buckets-1, int(float64(p.At.Sub(first))/float64(span)*float64(buckets)))
	}
	out := make([]TimePoint, 0, 6*buckets)
	for lo := 0; lo < len(tl); {
		b := bucketOf(tl[lo])
		hi := lo + 1
		for hi < len(tl) && bucketOf(tl[hi]) == b {
			hi++
		}
		keep := []int{lo, hi - 1}
		minR, maxR, minC, maxC := lo, lo, lo, lo
		for i := lo + 1; i < hi; i++ {
			p := tl[i]
			if p.Readiness < tl[minR].Readiness {
				minR = i
			}
			if p.Readiness > tl[maxR].Readiness {
				maxR = i
			}
			if p.Coverage < tl[minC].Coverage {
				minC = i
			}
			if p.Coverage > tl[maxC].Coverage {
				maxC = i
			}
		}
		keep = append(keep, minR, maxR, minC, maxC)
		slices.Sort(keep)
		for _, i := range slices.Compact(keep) {
			out = append(out, tl[i])
		}
		lo = hi
	}
	return out
}
