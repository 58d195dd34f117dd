// Package sqlite opens isogap's embedded database: one SQLite file, pure Go.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations are the SQLite schema migrations.
var Migrations = func() sqlstore.Migrations {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err)
	}
	return sqlstore.Migrations{
		Dialect:     goose.DialectSQLite3,
		FS:          sub,
		TableExists: `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?`,
	}
}()

// Dialect is SQLite's: "?" placeholders, write transactions that are
// serial (BEGIN IMMEDIATE on one connection), so no row locks are needed,
// and statements kept prepared (the driver parses every statement it is sent).
var Dialect = sqlstore.Dialect{Name: "sqlite", CacheStatements: true, QueueWriters: true}

// dsn sets the pragmas on every pooled connection, not just the first one.
func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if write {
		// Statement journals in memory: a statement writing many rows
		// needs one, and a temporary file per statement costs more than
		// the rows.
		q.Add("_pragma", "temp_store(MEMORY)")
		// Take the write lock at BEGIN: a transaction that reads and then
		// writes cannot then fail on a lock upgrade.
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Options tune Open.
type Options struct {
	// AutoInit migrates a database that isogap never touched (a new file).
	AutoInit bool
	// SkipCheck opens the database whatever its schema version (for "migrate").
	SkipCheck bool
	// Clock stamps what is written (default: the system clock).
	Clock func() time.Time
}

// Open opens (and creates) the SQLite file at path with a one-connection
// write pool beside a read pool, and checks the schema version.
func Open(ctx context.Context, path string, opt Options) (*sqlstore.Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, assess.Errorf(assess.KindInvalid, "database %s: folder %s does not exist", path, dir)
		}
	}
	write, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	db := &sqlstore.DB{Read: read, Write: write, Dialect: Dialect, Clock: opt.Clock}
	s := sqlstore.New(db)
	// One connection for a command that only reads: the read pool opens
	// the file and checks its schema, and the write pool connects when
	// something is written (or a new file is set up). Each connection
	// costs SQLite a parse of the whole schema.
	if err := read.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if !opt.SkipCheck {
		var setup *sql.DB
		if opt.AutoInit {
			setup = write
		}
		if err := Migrations.Check(ctx, read, Dialect, setup); err != nil {
			s.Close()
			return nil, fmt.Errorf("database %s: %w", path, err)
		}
	}
	return s, nil
}

// Migrate brings the file's schema to the latest version.
func Migrate(ctx context.Context, path string) (from, to int64, err error) {
	s, err := Open(ctx, path, Options{SkipCheck: true})
	if err != nil {
		return 0, 0, err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	return Migrations.Migrate(ctx, s.DB().Write, Dialect)
}
