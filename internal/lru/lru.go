// Package lru is a cache that keeps the values used last within a bound on
// their number and their total cost (bytes, points), safe for concurrent use.
package lru

import (
	"container/list"
	"sync"
)

// Cache keeps values by key, least recently used out first once there are
// more than MaxLen of them or their costs add up to more than MaxCost.
type Cache[K comparable, V any] struct {
	maxLen  int   // 0: no bound on the number
	maxCost int64 // 0: no bound on the cost
	cost    func(V) int64

	mu    sync.Mutex
	total int64
	order list.List // of *entry[K, V], most recent in front
	byKey map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	cost int64
}

// New makes a cache bounded at maxLen values and maxCost in all, where cost
// gives a value's cost (nil: every value costs 1).
func New[K comparable, V any](maxLen int, maxCost int64, cost func(V) int64) *Cache[K, V] {
	if cost == nil {
		cost = func(V) int64 { return 1 }
	}
	return &Cache[K, V]{maxLen: maxLen, maxCost: maxCost, cost: cost, byKey: map[K]*list.Element{}}
}

// Get returns the value kept for key and marks it used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry[K, V]).val, true
}

// Put keeps val for key in place of what was kept for it, and lets the
// values used longest ago go until the cache is within its bounds. A value
// costing more than maxCost on its own is not kept (and its key is dropped).
func (c *Cache[K, V]) Put(key K, val V) {
	cost := c.cost(val)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.remove(e)
	}
	if c.maxCost > 0 && cost > c.maxCost {
		return
	}
	c.byKey[key] = c.order.PushFront(&entry[K, V]{key: key, val: val, cost: cost})
	c.total += cost
	for (c.maxLen > 0 && c.order.Len() > c.maxLen) || (c.maxCost > 0 && c.total > c.maxCost) {
		c.remove(c.order.Back())
	}
}

// Len is the number of values kept.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Cost is the total cost of the values kept.
func (c *Cache[K, V]) Cost() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

func (c *Cache[K, V]) remove(e *list.Element) {
	en := c.order.Remove(e).(*entry[K, V])
	delete(c.byKey, en.key)
	c.total -= en.cost
}
