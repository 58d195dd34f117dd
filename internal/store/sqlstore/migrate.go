package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/isogap/isogap/internal/assess"
)

// versionTable is where goose records applied migrations.
const versionTable = "goose_db_version"

// Migrations are an engine's numbered schema migrations.
type Migrations struct {
	Dialect goose.Dialect
	FS      fs.FS
	// TableExists is a query with one placeholder (the table name) that
	// returns one row with a true or non-zero value when the table exists.
	TableExists string
	// Locker, if set, keeps concurrent migrators apart (several instances
	// starting against one server).
	Locker lock.SessionLocker
}

// Latest is the newest schema version this build knows.
func (m Migrations) Latest() (int64, error) {
	names, err := fs.Glob(m.FS, "*.sql")
	if err != nil {
		return 0, err
	}
	var latest int64
	for _, n := range names {
		v, err := strconv.ParseInt(strings.SplitN(path.Base(n), "_", 2)[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("migration %s: name must start with its number", n)
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// Version reads the schema version of a database without changing it; 0 for
// a database isogap never touched.
func (m Migrations) Version(ctx context.Context, db *sql.DB, d Dialect) (int64, error) {
	d.CacheStatements = false // a handle of its own, closed without the store
	s := &Store{db: &DB{Read: db, Write: db, Dialect: d}}
	var exists bool
	if err := s.queryRow(ctx, m.TableExists, versionTable).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v sql.NullInt64
	if err := s.queryRow(ctx, `SELECT MAX(version_id) FROM `+versionTable+` WHERE is_applied`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v.Int64, nil
}

// Migrate applies every pending migration, each in its own transaction, and
// reports the versions before and after.
func (m Migrations) Migrate(ctx context.Context, db *sql.DB, d Dialect) (from, to int64, err error) {
	if from, err = m.Version(ctx, db, d); err != nil {
		return 0, 0, err
	}
	latest, err := m.Latest()
	if err != nil {
		return from, from, err
	}
	if from > latest {
		return from, from, newerSchema(from, latest)
	}
	if err := m.To(ctx, db, 0); err != nil {
		return from, from, fmt.Errorf("migrate: %w", err)
	}
	to, err = m.Version(ctx, db, d)
	return from, to, err
}

// To brings a database's schema up or down to version exactly (the
// applied migrations numbered up to it); 0 means the latest.
func (m Migrations) To(ctx context.Context, db *sql.DB, version int64) error {
	// Migrations of parallel features may be numbered below one already
	// applied (00002 after 00003); each stands alone, so apply it anyway.
	opts := []goose.ProviderOption{goose.WithSlog(slog.New(slog.DiscardHandler)), goose.WithAllowOutofOrder(true)}
	if m.Locker != nil {
		opts = append(opts, goose.WithSessionLocker(m.Locker))
	}
	p, err := goose.NewProvider(m.Dialect, db, m.FS, opts...)
	if err != nil {
		return err
	}
	if version == 0 {
		_, err = p.Up(ctx)
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if cur > version {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

// Check refuses a schema this build does not know; it only reads db, so a
// store can check through its read pool and leave the write pool
// unconnected until something is written. A database that isogap never
// touched is migrated through setup when it is not nil (a fresh SQLite file).
func (m Migrations) Check(ctx context.Context, db *sql.DB, d Dialect, setup *sql.DB) error {
	v, err := m.Version(ctx, db, d)
	if err != nil {
		return err
	}
	latest, err := m.Latest()
	if err != nil {
		return err
	}
	switch {
	case v == latest:
		missing, err := m.missing(ctx, db, d)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return assess.Errorf(assess.KindSchema,
				"the database schema lacks migration(s) %v that this isogap needs: run \"isogap migrate\" (with the same --db) to apply them", missing)
		}
		return nil
	case v > latest:
		return newerSchema(v, latest)
	case v == 0 && setup != nil:
		_, _, err := m.Migrate(ctx, setup, d)
		return err
	default:
		return assess.Errorf(assess.KindSchema,
			"the database schema is at version %d and this isogap needs version %d: run \"isogap migrate\" (with the same --db) to upgrade it", v, latest)
	}
}

// missing lists the known migrations a database has not applied, below
// its newest applied one.
func (m Migrations) missing(ctx context.Context, db *sql.DB, d Dialect) ([]int64, error) {
	d.CacheStatements = false // a handle of its own, closed without the store
	s := &Store{db: &DB{Read: db, Write: db, Dialect: d}}
	rows, err := s.query(ctx, `SELECT version_id FROM `+versionTable+` WHERE is_applied`)
	if err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := fs.Glob(m.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, n := range names {
		v, err := strconv.ParseInt(strings.SplitN(path.Base(n), "_", 2)[0], 10, 64)
		if err == nil && !applied[v] {
			out = append(out, v)
		}
	}
	return out, nil
}

func newerSchema(v, latest int64) error {
	return assess.Errorf(assess.KindSchema,
		"the database schema is at version %d, newer than this isogap knows (%d): use a newer isogap release with this database", v, latest)
}
