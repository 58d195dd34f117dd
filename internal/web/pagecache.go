package web

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/isogap/isogap/internal/lru"
)

// The page cache. A page of an assessment is a function of its ETag
// (pageTag: revision, principal, access, URL, build, day), so the bytes
// rendered for a tag can answer every later request that arrives with the
// same tag, from anyone who computes it: the request still resolves its
// session and asks for the revision (the one cheap query that keeps
// several instances on one database correct), but loads, computes and
// renders nothing. A write raises the revision, so the next request
// computes a new tag and renders afresh; the old entry ages out.
//
// Nothing of a page may depend on the request beyond its tag: the pages
// carry no CSRF token (cross-site posts are refused by their headers), no
// nonce (the CSP allows scripts and styles from this origin only), and
// their notices come from the URL's ?ok= code, which the tag covers; the
// signed-in user's name comes from the principal, which it covers too.
// Headers that vary per request (Set-Cookie, the security headers) are
// written by the handlers in front and never kept.

// defaultPageCache is the cache's bound when Config.PageCacheBytes is 0:
// some 230 matrix pages of the demo with their gzip form.
const defaultPageCache = 64 << 20

// entryOverhead is what an entry costs besides its bytes (its key twice,
// the list element and the map slot), roughly.
const entryOverhead = 256

// cachedPage is a rendered page: its plain and gzip-compressed bytes.
type cachedPage struct {
	tag   string
	plain []byte
	gz    []byte // nil: too small to be worth compressing
}

func (p *cachedPage) size() int64 {
	return int64(len(p.plain)+len(p.gz)+2*len(p.tag)) + entryOverhead
}

// pageCache keeps pages by ETag, least recently used first out once their
// bytes pass max.
type pageCache struct {
	max   int64
	pages *lru.Cache[string, *cachedPage]

	hits, misses atomic.Int64
}

// newPageCache bounds a cache at max bytes; max < 0 turns it off (nil).
func newPageCache(max int64) *pageCache {
	if max < 0 {
		return nil
	}
	if max == 0 {
		max = defaultPageCache
	}
	return &pageCache{max: max, pages: lru.New[string](0, max, (*cachedPage).size)}
}

func (c *pageCache) get(tag string) *cachedPage {
	if c == nil {
		return nil
	}
	p, ok := c.pages.Get(tag)
	if !ok {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	return p
}

func (c *pageCache) put(p *cachedPage) {
	if c == nil || p.size() > c.max/4 {
		// One page may not push out most of the others.
		return
	}
	c.pages.Put(p.tag, p)
}

// newCachedPage keeps a rendered page with its gzip form, compressed once
// here rather than on every answer.
func newCachedPage(tag string, body []byte) *cachedPage {
	p := &cachedPage{tag: tag, plain: body}
	if len(body) >= minCompress {
		// Once per revision, so the default level rather than the
		// middleware's faster one; the best would cost half as much again
		// for 4 % less.
		p.gz = gzipped(body, gzip.DefaultCompression)
	}
	return p
}

// writePage answers with a kept page: gzip-compressed when the client
// takes it (so the compress layer lets it through as it is), plain
// otherwise.
func writePage(w http.ResponseWriter, r *http.Request, p *cachedPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("ETag", p.tag)
	h.Set("Cache-Control", pageCacheControl)
	body := p.plain
	if p.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = p.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
