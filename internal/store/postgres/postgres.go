// Package postgres runs isogap's store on a PostgreSQL server, for several
// isogap instances sharing one database.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations are the PostgreSQL schema migrations. A session lock keeps
// instances that start together from migrating twice.
func Migrations() (sqlstore.Migrations, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return sqlstore.Migrations{}, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return sqlstore.Migrations{}, err
	}
	return sqlstore.Migrations{
		Dialect:     goose.DialectPostgres,
		FS:          sub,
		TableExists: `SELECT to_regclass(?) IS NOT NULL`,
		Locker:      locker,
	}, nil
}

// Dialect is PostgreSQL's: numbered placeholders, read snapshots, and
// re-runs after serialization failures.
var Dialect = sqlstore.Dialect{
	Name:         "postgres",
	Numbered:     true,
	WritingCTEs:  true,
	QueueWriters: true,
	Snapshot:     &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	IsRetryable: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
	},
}

// IsDSN reports whether a --db value names a PostgreSQL server.
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Options tune Open.
type Options struct {
	// SkipCheck opens the database whatever its schema version (for "migrate").
	SkipCheck bool
	// MaxConns bounds the pool that serves reads, and WriteConns the one
	// that serves write transactions, which wait for it in the order they
	// came. Each defaults to the number of CPUs, at least 4 (pgxpool's
	// default). Writers to one assessment take turns on its lock anyway:
	// more connections only add server processes competing for the CPUs.
	// Measured with scripts/bench-web on two cores, score saves went from
	// about 270 a second with one pool of 16 to about 350 with two of 4,
	// and their p99 from about 500 ms to about 230 ms. The DSN may set
	// them (read_conns, write_conns) when these are zero.
	MaxConns, WriteConns int
	// Clock stamps what is written (default: the system clock).
	Clock func() time.Time
}

// Open connects to the server and checks the schema version.
func Open(ctx context.Context, dsn string, opt Options) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	for _, p := range []struct {
		name string
		n    *int
	}{{"read_conns", &opt.MaxConns}, {"write_conns", &opt.WriteConns}} {
		v, ok := cfg.RuntimeParams[p.name]
		if !ok {
			continue
		}
		// isogap's, not the server's: the server would refuse it.
		delete(cfg.RuntimeParams, p.name)
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, assess.Errorf(assess.KindInvalid, "postgres: %s=%q in the DSN: give a whole number of connections, at least 1", p.name, v)
		}
		if *p.n == 0 {
			*p.n = n
		}
	}
	if opt.MaxConns == 0 {
		opt.MaxConns = max(4, runtime.NumCPU())
	}
	if opt.WriteConns == 0 {
		opt.WriteConns = max(4, runtime.NumCPU())
	}
	pool := func(conns int) *sql.DB {
		db := stdlib.OpenDB(*cfg)
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return db
	}
	read, write := pool(opt.MaxConns), pool(opt.WriteConns)
	s := sqlstore.New(&sqlstore.DB{Read: read, Write: write, Dialect: Dialect, Clock: opt.Clock})
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	// One connection for a command that only reads: the write pool
	// connects when something is written.
	if err := read.PingContext(pingCtx); err != nil {
		s.Close()
		return nil, fmt.Errorf("postgres: cannot connect (is the server running and the DSN right?): %w", err)
	}
	if !opt.SkipCheck {
		m, err := Migrations()
		if err != nil {
			s.Close()
			return nil, err
		}
		if err := m.Check(ctx, read, Dialect, nil); err != nil {
			s.Close()
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	return s, nil
}

// Migrate brings the server's schema to the latest version.
func Migrate(ctx context.Context, dsn string) (from, to int64, err error) {
	s, err := Open(ctx, dsn, Options{SkipCheck: true, MaxConns: 2})
	if err != nil {
		return 0, 0, err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	m, err := Migrations()
	if err != nil {
		return 0, 0, err
	}
	return m.Migrate(ctx, s.DB().Write, Dialect)
}
