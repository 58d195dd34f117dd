package lru

import (
	"strconv"
	"sync"
	"testing"
)

func TestBounds(t *testing.T) {
	c := New[string, []byte](3, 10, func(b []byte) int64 { return int64(len(b)) })
	c.Put("a", make([]byte, 4))
	c.Put("b", make([]byte, 4))
	if _, ok := c.Get("a"); !ok { // a is now the most recent
		t.Fatal("a went before the cache was full")
	}
	c.Put("c", make([]byte, 4)) // 12 > 10: b, used longest ago, goes
	if _, ok := c.Get("b"); ok {
		t.Error("b kept past the cost bound")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s went, b should have", k)
		}
	}
	c.Put("a", make([]byte, 1)) // replaced: its cost counts once
	c.Put("d", make([]byte, 1))
	c.Put("e", make([]byte, 1)) // 4 values > 3: c goes
	if n, cost := c.Len(), c.Cost(); n != 3 || cost != 3 {
		t.Errorf("%d values costing %d kept, want 3 costing 3 (a, d and e)", n, cost)
	}
	if _, ok := c.Get("c"); ok {
		t.Error("c kept past the number bound")
	}
	c.Put("huge", make([]byte, 11))
	if _, ok := c.Get("huge"); ok {
		t.Error("a value costing more than the bound was kept")
	}
	c.Put("a", make([]byte, 11)) // replacing with a value too big drops the key
	if _, ok := c.Get("a"); ok {
		t.Error("a kept with a value costing more than the bound")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New[int, string](50, 0, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				k := (g*1000 + i) % 200
				c.Put(k, strconv.Itoa(k))
				if v, ok := c.Get(k); ok && v != strconv.Itoa(k) {
					t.Errorf("key %d holds %q", k, v)
				}
			}
		}()
	}
	wg.Wait()
	if n := c.Len(); n > 50 {
		t.Errorf("%d values kept, bound 50", n)
	}
}
