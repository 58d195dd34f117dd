package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxCached bounds the statements kept prepared per pool: the store's
// queries are a fixed set, but a few carry a list of ids (IN lists) and
// must not fill it.
const maxCached = 256

// stmtCache keeps the statements a pool has run prepared, for an engine
// that parses every statement it is sent otherwise (SQLite: parsing cost
// as much as running an item save). A statement first seen inside a
// transaction cannot be prepared on its pool then (the pool may have no
// other connection: SQLite's write pool has one), so it is prepared just
// before the next transaction on that pool begins.
type stmtCache struct {
	mu      sync.Mutex
	ready   map[string]*sql.Stmt
	pending map[string]bool
}

// cacheOf returns the statement cache of a pool, or nil if the engine
// keeps none.
func (db *DB) cacheOf(pool *sql.DB) *stmtCache {
	if !db.Dialect.CacheStatements {
		return nil
	}
	db.cachesMu.Lock()
	defer db.cachesMu.Unlock()
	if db.caches == nil {
		db.caches = map[*sql.DB]*stmtCache{}
	}
	c := db.caches[pool]
	if c == nil {
		c = &stmtCache{ready: map[string]*sql.Stmt{}, pending: map[string]bool{}}
		db.caches[pool] = c
	}
	return c
}

// get returns the prepared statement for query, preparing it on pool now
// if now is set; otherwise it is noted to be prepared later (prepare).
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string, now bool) *sql.Stmt {
	c.mu.Lock()
	st := c.ready[query]
	full := len(c.ready)+len(c.pending) >= maxCached
	if st == nil && !now && !full {
		c.pending[query] = true
	}
	c.mu.Unlock()
	if st != nil || !now || full {
		return st
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil // the statement runs unprepared, and reports its error then
	}
	return c.keep(query, st)
}

// keep stores a prepared statement, unless another goroutine stored one first.
func (c *stmtCache) keep(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if prev := c.ready[query]; prev != nil {
		st.Close()
		return prev
	}
	c.ready[query] = st
	return st
}

// prepare prepares the statements seen in transactions since the last
// time, on pool, before a transaction takes one of its connections.
func (c *stmtCache) prepare(ctx context.Context, pool *sql.DB) {
	c.mu.Lock()
	var todo []string
	for q := range c.pending {
		todo = append(todo, q)
	}
	c.mu.Unlock()
	for _, q := range todo {
		if st, err := pool.PrepareContext(ctx, q); err == nil {
			c.keep(q, st)
		} else {
			c.mu.Lock()
			delete(c.pending, q) // it runs unprepared, and reports its error then
			c.mu.Unlock()
		}
	}
}

// close closes every prepared statement.
func (db *DB) closeStatements() {
	db.cachesMu.Lock()
	defer db.cachesMu.Unlock()
	for _, c := range db.caches {
		for _, st := range c.ready {
			st.Close()
		}
	}
	db.caches = nil
}

// stmt returns the prepared form of query (rewritten for the engine) for
// this store: bound to its transaction, or on the read pool; nil if there
// is none (yet).
func (s *Store) stmt(ctx context.Context, query string) *sql.Stmt {
	pool := s.pool
	if pool == nil {
		pool = s.db.Read
	}
	c := s.db.cacheOf(pool)
	if c == nil {
		return nil
	}
	st := c.get(ctx, pool, query, s.tx == nil)
	if st == nil || s.tx == nil {
		return st
	}
	return s.tx.StmtContext(ctx, st)
}
