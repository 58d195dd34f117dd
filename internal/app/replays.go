package app

import (
	"container/list"
	"context"
	"sync"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// Bounds of the replays a Service keeps: readiness over time of the
// assessments viewed last, each up to the change it replayed.
const (
	maxReplays      = 256
	maxReplayPoints = 1 << 20 // about 32 MB of points in all
)

// replayCache keeps the last replays, least recently used out first. A
// replay is only a starting point: every view checks it against the
// database (assess.Replay.Extend), so several instances stay correct.
type replayCache struct {
	mu     sync.Mutex
	order  *list.List // of *replayEntry, most recent first
	byID   map[string]*list.Element
	points int
}

type replayEntry struct {
	id string
	r  assess.Replay
}

func newReplayCache() *replayCache {
	return &replayCache{order: list.New(), byID: map[string]*list.Element{}}
}

func (c *replayCache) get(id string) (assess.Replay, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[id]
	if !ok {
		return assess.Replay{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*replayEntry).r, true
}

func (c *replayCache) put(id string, r assess.Replay) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		c.points -= len(e.Value.(*replayEntry).r.Points)
		c.order.Remove(e)
		delete(c.byID, id)
	}
	if len(r.Points) > maxReplayPoints {
		return
	}
	c.byID[id] = c.order.PushFront(&replayEntry{id: id, r: r})
	c.points += len(r.Points)
	for c.order.Len() > maxReplays || c.points > maxReplayPoints {
		e := c.order.Back()
		old := e.Value.(*replayEntry)
		c.points -= len(old.r.Points)
		c.order.Remove(e)
		delete(c.byID, old.id)
	}
}

// timeline is readiness over time of a view: the kept replay extended by
// the changes recorded since, or else the whole history replayed. The
// points are shared with the cache; callers only read them (appending
// copies, as the slice has no spare capacity).
func (s *Service) timeline(ctx context.Context, v View) ([]assess.TimePoint, error) {
	id := v.Assessment.ID
	if kept, ok := s.replays.get(id); ok {
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
				s.replays.put(id, r)
			}
			return r.Points, nil
		}
	}
	hist, err := s.store.History(ctx, id, store.HistoryQuery{})
	if err != nil {
		return nil, err
	}
	r := assess.NewReplay(v.Catalog, v.Assessment, v.Items, hist)
	s.replays.put(id, r)
	return r.Points, nil
}
