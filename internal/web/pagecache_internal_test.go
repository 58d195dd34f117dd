package web

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// The cache holds no more than its bound, dropping the least recently
// used pages first, and is safe to use from many requests at once.
func TestPageCacheBound(t *testing.T) {
	page := func(i int) *cachedPage {
		return newCachedPage(fmt.Sprintf(`W/"%d"`, i), []byte(strings.Repeat("<p>row</p>", 200)))
	}
	one := page(0).size()
	c := newPageCache(10*one + 64) // tags grow by a character from 10 on
	for i := range 10 {
		c.put(page(i))
	}
	c.get(`W/"0"`) // 0 is now the most recent; 1 the least
	c.put(page(10))
	if c.get(`W/"1"`) != nil {
		t.Error("the least recently used page was kept past the bound")
	}
	for _, i := range []int{0, 2, 10} {
		if c.get(fmt.Sprintf(`W/"%d"`, i)) == nil {
			t.Errorf("page %d was dropped", i)
		}
	}
	if n := c.pages.Cost(); n > c.max {
		t.Errorf("%d bytes kept, bound %d", n, c.max)
	}
	// A page larger than a quarter of the bound is not kept.
	big := newCachedPage(`W/"big"`, []byte(strings.Repeat("x", int(3*one))))
	c.put(big)
	if c.get(big.tag) != nil {
		t.Error("a page of a third of the bound was kept")
	}

	pages := make([]*cachedPage, 8*20)
	for i := range pages {
		pages[i] = page(1000 + i)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				c.put(pages[g*20+i%20])
				c.get(fmt.Sprintf(`W/"%d"`, 1000+g*20+i%25))
			}
		})
	}
	wg.Wait()
	if n := c.pages.Cost(); n > c.max {
		t.Errorf("after concurrent use: %d bytes (bound %d), %d pages", n, c.max, c.pages.Len())
	}
}
