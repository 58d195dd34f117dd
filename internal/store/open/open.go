// Package open picks the store engine from a --db value: a postgres:// DSN
// opens PostgreSQL, anything else is a SQLite file path.
package open

import (
	"context"
	"time"

	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/store/sqlite"
	"github.com/isogap/isogap/internal/store/sqlstore"
)

// DefaultDB is the SQLite file used when no --db is given.
const DefaultDB = "isogap.db"

// Store opens the database named by dsn and checks its schema. A SQLite file
// that isogap never touched is set up on the spot; anything else on an
// outdated schema is refused with a message to run "isogap migrate".
// The store stamps what it writes with clock, the service's clock (nil: the
// system clock).
func Store(ctx context.Context, dsn string, clock func() time.Time) (store.Store, error) {
	if postgres.IsDSN(dsn) {
		return postgres.Open(ctx, dsn, postgres.Options{Clock: clock})
	}
	if dsn == "" {
		dsn = DefaultDB
	}
	return sqlite.Open(ctx, dsn, sqlite.Options{AutoInit: true, Clock: clock})
}

// StoreInit is Store, but sets up a PostgreSQL database that isogap never
// touched as well (the target of a copy). An outdated schema is still refused.
func StoreInit(ctx context.Context, dsn string, clock func() time.Time) (store.Store, error) {
	if !postgres.IsDSN(dsn) {
		return Store(ctx, dsn, clock)
	}
	raw, err := postgres.Open(ctx, dsn, postgres.Options{SkipCheck: true, MaxConns: 2})
	if err != nil {
		return nil, err
	}
	m, err := postgres.Migrations()
	if err == nil {
		w := raw.DB().Write
		err = m.Check(ctx, w, postgres.Dialect, w)
	}
	raw.Close()
	if err != nil {
		return nil, err
	}
	return Store(ctx, dsn, clock)
}

// Raw opens the database without the schema check (for copies and tests).
func Raw(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	if postgres.IsDSN(dsn) {
		return postgres.Open(ctx, dsn, postgres.Options{SkipCheck: true})
	}
	return sqlite.Open(ctx, dsn, sqlite.Options{SkipCheck: true})
}

// Migrate brings the database's schema to the latest version.
func Migrate(ctx context.Context, dsn string) (from, to int64, err error) {
	if postgres.IsDSN(dsn) {
		return postgres.Migrate(ctx, dsn)
	}
	if dsn == "" {
		dsn = DefaultDB
	}
	return sqlite.Migrate(ctx, dsn)
}
