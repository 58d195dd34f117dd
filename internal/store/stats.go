package store

import "time"

// PoolStats is what one connection pool of a store reports, for an
// operator's metrics: the same fields whatever the engine.
type PoolStats struct {
	// Pool names the pool: "read" and "write" where reads and writes have
	// pools of their own (SQLite), "main" where one pool serves both.
	Pool string
	// MaxOpen is the most connections the pool opens (0: no limit).
	MaxOpen int
	// InUse and Idle are the connections open now, busy or not.
	InUse, Idle int
	// WaitCount is how many times a caller waited for a connection, and
	// WaitDuration how long in total, since the pool opened.
	WaitCount    int64
	WaitDuration time.Duration
	// Closed counts the connections closed since the pool opened, by
	// reason: "max_idle", "max_idle_time", "max_lifetime".
	Closed map[string]int64
}

// Stats is what a store reports of its work since it opened.
type Stats struct {
	// Engine names the database engine: "sqlite" or "postgres".
	Engine string
	Pools  []PoolStats
	// TxRetries counts the transactions re-run after a transient error (a
	// deadlock or a serialization failure).
	TxRetries int64
}

// StatsReporter is a store that reports its Stats. The engines implement it;
// a store seen only as a Store may be asked with a type assertion.
type StatsReporter interface {
	Stats() Stats
}
