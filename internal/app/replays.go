package app

import (
	"context"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/lru"
	"github.com/isogap/isogap/internal/store"
)

// Bounds of the replays a Service keeps: readiness over time of the
// assessments viewed last, each up to the change it replayed.
const (
	maxReplays      = 256
	maxReplayPoints = 1 << 20 // about 32 MB of points in all
)

// newReplayCache keeps the last replays, least recently used out first. A
// replay is only a starting point: every view checks it against the
// database (assess.Replay.Extend), so several instances stay correct.
func newReplayCache() *lru.Cache[string, assess.Replay] {
	return lru.New[string](maxReplays, maxReplayPoints, func(r assess.Replay) int64 { return int64(len(r.Points)) })
}

// timeline is readiness over time of a view: the kept replay extended by
// the changes recorded since, or else the whole history replayed. The
// points are shared with the cache; callers only read them (appending
// copies, as the slice has no spare capacity).
func (s *Service) timeline(ctx context.Context, v View) ([]assess.TimePoint, error) {
	id := v.Assessment.ID
	if kept, ok := s.replays.Get(id); ok {
		first, err := s.store.History(ctx, id, store.HistoryQuery{Limit: 1, Oldest: true})
		if err != nil {
			return nil, err
		}
		newer, err := s.store.History(ctx, id, store.HistoryQuery{AfterID: kept.LastID})
		if err != nil {
			return nil, err
		}
		if r, ok := kept.Extend(v.Catalog, v.Assessment, v.Items, newer); ok && len(first) > 0 && first[0].ID == kept.FirstID {
			if len(newer) > 0 {
				s.replays.Put(id, r)
			}
			return r.Points, nil
		}
	}
	hist, err := s.store.History(ctx, id, store.HistoryQuery{})
	if err != nil {
		return nil, err
	}
	r := assess.NewReplay(v.Catalog, v.Assessment, v.Items, hist)
	s.replays.Put(id, r)
	return r.Points, nil
}
