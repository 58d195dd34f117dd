// Package sqlstore implements store.Store once, in portable SQL, for both
// engines. The engine packages (sqlite, postgres) open the connections, run
// their own migrations and hand over a Dialect for the few differences.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// Dialect holds what differs between engines.
type Dialect struct {
	Name string
	// Numbered placeholders ($1, $2 …) instead of "?".
	Numbered bool
	// IsRetryable reports a transient error (a serialization failure or a
	// deadlock) after which a whole transaction may run again.
	IsRetryable func(error) bool
	// Snapshot are the options of a read-only transaction that sees one
	// consistent state of the database.
	Snapshot *sql.TxOptions
	// CacheStatements keeps the statements the store runs prepared, for an
	// engine (or driver) that would parse each one every time.
	CacheStatements bool
	// QueueWriters: write transactions wait for one of the write pool's
	// connections in the order they came. database/sql hands a freed
	// connection to a random waiter, which under load kept some saves
	// waiting many times as long as the others.
	QueueWriters bool
	// WritingCTEs: a WITH clause may hold INSERT and UPDATE statements
	// (PostgreSQL). A write of several statements is then sent as one,
	// which shortens the time a writer holds an assessment's lock by the
	// round trips it saves.
	WritingCTEs bool
}

// DB is a database opened by an engine package.
type DB struct {
	// Read serves queries outside transactions; Write serves transactions.
	// They may be the same pool.
	Read, Write *sql.DB
	Dialect     Dialect
	// OnClose runs after both pools are closed (an engine may clean up).
	OnClose func() error
	// Clock stamps what the store records (versions, evidence, history);
	// it is the clock the service was given.
	Clock func() time.Time

	retried atomic.Int64

	cachesMu sync.Mutex
	caches   map[*sql.DB]*stmtCache

	writeTurn     chan struct{} // holds a token while a write transaction runs (QueueWriters)
	writeTurnOnce sync.Once
}

// takeTurn waits, in arrival order (a channel's waiters are served first
// come, first served), until fewer write transactions of this process run
// than the write pool has connections; release gives the turn to the next.
func (db *DB) takeTurn(ctx context.Context) (release func(), err error) {
	// The pool's size is read once: Stats takes the pool's lock, and this
	// runs before every write transaction.
	db.writeTurnOnce.Do(func() {
		if slots := db.Write.Stats().MaxOpenConnections; db.Dialect.QueueWriters && slots > 0 {
			db.writeTurn = make(chan struct{}, slots)
		}
	})
	if db.writeTurn == nil {
		return func() {}, nil
	}
	select {
	case db.writeTurn <- struct{}{}:
		return func() { <-db.writeTurn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Store implements store.Store on a DB, optionally inside a transaction.
type Store struct {
	db *DB
	tx *sql.Tx
	// pool is where tx came from (the write or the read pool).
	pool *sql.DB
	// locked holds the assessments a write transaction has locked, with
	// the revision it raised each to: once is enough for the whole
	// transaction.
	locked map[string]int64
	// headers holds the headers of the assessments it locked, as they are
	// now: the lock reads them, and the writes to them (touch,
	// UpdateAssessment, DeleteAssessment) drop them.
	headers map[string]assess.Assessment
	// stmts are the transaction's prepared bulk inserts (see insertRows).
	stmts map[string]*sql.Stmt
}

var _ store.Store = (*Store)(nil)

// New wraps an opened DB. A DB without a clock uses the system's.
func New(db *DB) *Store {
	if db.Clock == nil {
		db.Clock = time.Now
	}
	return &Store{db: db}
}

// now is the time to stamp on what is written.
func (s *Store) now() time.Time { return assess.Stamp(s.db.Clock()) }

// DB returns the underlying database (for engine packages and tests).
func (s *Store) DB() *DB { return s.db }

func (s *Store) Engine() string { return s.db.Dialect.Name }

// Retried counts the transaction attempts that failed with a transient error
// (a deadlock or a serialization failure) since the database was opened.
// Each is time lost; writers that take their locks in one order cause none.
func (s *Store) Retried() int64 { return s.db.retried.Load() }

// Stats reports the store's connection pools and retried transactions.
func (s *Store) Stats() store.Stats {
	st := store.Stats{Engine: s.Engine(), TxRetries: s.Retried()}
	if s.db.Read == s.db.Write {
		st.Pools = []store.PoolStats{poolStats("main", s.db.Write)}
	} else {
		st.Pools = []store.PoolStats{poolStats("read", s.db.Read), poolStats("write", s.db.Write)}
	}
	return st
}

var _ store.StatsReporter = (*Store)(nil)

func poolStats(name string, db *sql.DB) store.PoolStats {
	s := db.Stats()
	return store.PoolStats{
		Pool: name, MaxOpen: s.MaxOpenConnections, InUse: s.InUse, Idle: s.Idle,
		WaitCount: s.WaitCount, WaitDuration: s.WaitDuration,
		Closed: map[string]int64{"max_idle": s.MaxIdleClosed, "max_idle_time": s.MaxIdleTimeClosed, "max_lifetime": s.MaxLifetimeClosed},
	}
}

func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("sqlstore: Close inside a transaction")
	}
	s.db.closeStatements()
	err := s.db.Write.Close()
	if s.db.Read != s.db.Write {
		err = errors.Join(err, s.db.Read.Close())
	}
	if s.db.OnClose != nil {
		err = errors.Join(err, s.db.OnClose())
	}
	return err
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader is where a read goes: the transaction, or the read pool.
func (s *Store) reader() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.db.Read
}

// q rewrites a query's "?" placeholders for the engine.
func (s *Store) q(query string) string {
	if !s.db.Dialect.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s.tx == nil {
		panic("sqlstore: write outside a transaction")
	}
	query = s.q(query)
	if st := s.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.tx.ExecContext(ctx, query, args...)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = s.q(query)
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.reader().QueryContext(ctx, query, args...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = s.q(query)
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.reader().QueryRowContext(ctx, query, args...)
}

// maxAttempts bounds the re-runs of a transaction after transient errors.
const maxAttempts = 8

// InTx runs fn in a transaction on the write pool. Inside a transaction it
// joins the one already open. Transient engine errors re-run the whole
// transaction; fn must therefore have no effects outside the Store.
func (s *Store) InTx(ctx context.Context, fn func(store.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		err = s.runTx(ctx, fn)
		if err == nil || s.db.Dialect.IsRetryable == nil || !s.db.Dialect.IsRetryable(err) {
			return err
		}
		s.db.retried.Add(1)
	}
	return err
}

func (s *Store) runTx(ctx context.Context, fn func(store.Store) error) (err error) {
	if c := s.db.cacheOf(s.db.Write); c != nil {
		c.prepare(ctx, s.db.Write)
	}
	release, err := s.db.takeTurn(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx, err := beginTx(ctx, s.db.Write, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			return
		}
		if cerr := tx.Commit(); cerr != nil {
			err = fmt.Errorf("commit: %w", cerr)
		}
	}()
	return fn(&Store{db: s.db, tx: tx, pool: s.db.Write, locked: map[string]int64{}, headers: map[string]assess.Assessment{}})
}

// beginTx begins a transaction on a connection that works. A statement
// cancelled with its request (a client that went away while its write
// waited for a lock) costs the driver that connection; database/sql
// notices only when it next hands it out and tries just twice more, so
// after a burst of such requests the next person's request could fail with
// "bad connection". Each try discards one broken connection, so as many
// tries as the pool holds connections reach a working one.
func beginTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions) (*sql.Tx, error) {
	tries := db.Stats().MaxOpenConnections + 1
	for {
		tx, err := db.BeginTx(ctx, opts)
		tries--
		if err == nil || !errors.Is(err, driver.ErrBadConn) || tries <= 0 || ctx.Err() != nil {
			return tx, err
		}
	}
}

// read runs fn on one consistent view: the current transaction, or a
// read-only snapshot transaction on the read pool (never taking a write lock).
func (s *Store) read(ctx context.Context, fn func(t *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	if c := s.db.cacheOf(s.db.Read); c != nil {
		c.prepare(ctx, s.db.Read)
	}
	tx, err := beginTx(ctx, s.db.Read, s.db.Dialect.Snapshot)
	if err != nil {
		return fmt.Errorf("begin read transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(&Store{db: s.db, tx: tx, pool: s.db.Read})
}

// ReadTx runs fn on one consistent, read-only view of the database.
func (s *Store) ReadTx(ctx context.Context, fn func(store.Store) error) error {
	return s.read(ctx, func(t *Store) error { return fn(t) })
}

// write runs fn in the current transaction or a new one.
func (s *Store) write(ctx context.Context, fn func(t *Store) error) error {
	return s.InTx(ctx, func(st store.Store) error { return fn(st.(*Store)) })
}

func notFound(what, id string) error {
	return assess.Errorf(assess.KindNotFound, "%s %q not found", what, id)
}
