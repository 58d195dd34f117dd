package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store/sqlstore"
)

// Backup writes a consistent copy of the open database s to dst while other
// connections and processes keep reading and writing it. VACUUM INTO reads
// one snapshot, like any reader in WAL mode, so writers are not held up; the
// copy goes to a temporary file beside dst and is renamed into place only
// once complete, so dst never holds half a backup. An existing dst is
// refused unless force.
func Backup(ctx context.Context, s *sqlstore.Store, dst string, force bool) error {
	tmp, err := TempFor(dst, force)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // gone already once renamed into place
	// The read pool: VACUUM INTO takes no write lock, and the one-connection
	// write pool stays free for the writers.
	if _, err := s.DB().Read.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("back up to %s: %w", dst, err)
	}
	return Seal(ctx, tmp, dst, force)
}

// TempFor refuses an existing dst (unless force) and creates an empty
// temporary file in dst's folder, so the final rename stays on one file system.
func TempFor(dst string, force bool) (string, error) {
	if err := refuseExisting(dst, force); err != nil {
		return "", err
	}
	dir := filepath.Dir(dst)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", assess.Errorf(assess.KindInvalid, "backup %s: folder %s does not exist", dst, dir)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}

func refuseExisting(dst string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Stat(dst); err == nil {
		return assess.Errorf(assess.KindConflict, "%s already exists: choose another name, or add --force to replace it", dst)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Seal turns the finished database at tmp into the backup dst: one
// self-contained file (rollback journal, so no -wal file belongs with it),
// synced to disk, then moved into place. Without force an existing dst is
// never replaced, not even one that appeared while the backup ran.
func Seal(ctx context.Context, tmp, dst string, force bool) error {
	db, err := sql.Open("sqlite", "file:"+tmp+"?"+url.Values{"_pragma": {"journal_mode(DELETE)"}}.Encode())
	if err != nil {
		return err
	}
	err = db.PingContext(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("back up to %s: %w", dst, err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := publish(tmp, dst, force); err != nil {
		return err
	}
	syncDir(filepath.Dir(dst))
	return nil
}

// publish moves tmp to dst. Without force, a hard link is the move that
// fails rather than replace a file created in the meantime.
func publish(tmp, dst string, force bool) error {
	if !force {
		err := os.Link(tmp, dst)
		if err == nil {
			return os.Remove(tmp)
		}
		if errors.Is(err, fs.ErrExist) {
			return refuseExisting(dst, false)
		}
		// No hard links here (some file systems): check, then rename.
		if err := refuseExisting(dst, false); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dst)
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename in dir durable. Some systems cannot sync a folder;
// the rename stands regardless, so that is no failure.
func syncDir(dir string) {
	_ = syncFile(dir)
}

// OpenBackup opens a backup file read-only after checking it: SQLite's
// integrity check must pass and its schema must be the one this isogap
// uses. The caller reads it through the store and closes it.
func OpenBackup(ctx context.Context, path string) (*sqlstore.Store, int64, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, 0, assess.Errorf(assess.KindNotFound, "backup %s does not exist", path)
	case err != nil:
		return nil, 0, err
	case st.IsDir():
		return nil, 0, assess.Errorf(assess.KindInvalid, "backup %s is a folder, not a file", path)
	case st.Size() == 0:
		return nil, 0, assess.Errorf(assess.KindInvalid, "backup %s is empty", path)
	}
	q := url.Values{"mode": {"ro"}}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, 0, err
	}
	db.SetMaxOpenConns(1)
	s := sqlstore.New(&sqlstore.DB{Read: db, Write: db, Dialect: Dialect})
	fail := func(err error) (*sqlstore.Store, int64, error) {
		s.Close()
		return nil, 0, err
	}
	if err := integrity(ctx, db); err != nil {
		return fail(assess.Errorf(assess.KindInvalid, "backup %s is damaged: %v", path, err))
	}
	v, err := Migrations.Version(ctx, db, Dialect)
	if err != nil {
		return fail(assess.Errorf(assess.KindInvalid, "backup %s: %v", path, err))
	}
	if v == 0 {
		return fail(assess.Errorf(assess.KindInvalid, "backup %s is a SQLite file but holds no isogap database", path))
	}
	if err := Migrations.Check(ctx, db, Dialect, nil); err != nil {
		return fail(fmt.Errorf("backup %s: %w", path, err))
	}
	return s, v, nil
}

// integrity runs PRAGMA integrity_check and returns what it found wrong.
func integrity(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		n := len(problems)
		return fmt.Errorf("the integrity check found %d problems: %s", n, strings.Join(problems[:min(3, n)], "; "))
	}
	return nil
}

// Holdings names the tables of the SQLite file at path that hold rows
// (bookkeeping aside: the schema version, the revision counter); an
// empty list for a file that does not exist or holds nothing (a database
// isogap set up and nobody used yet).
func Holdings(ctx context.Context, path string) ([]string, error) {
	if st, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	// Read-write, though it only reads: as the last connection it then
	// tidies the write-ahead log away when it closes.
	db, err := sql.Open("sqlite", "file:"+path+"?"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN ('goose_db_version', 'revision_counter', 'assessment_summaries')
		ORDER BY name`) // bookkeeping and what is computed from the data are not data
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var full []string
	for _, name := range tables {
		var any bool
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM "`+strings.ReplaceAll(name, `"`, `""`)+`")`).Scan(&any); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if any {
			full = append(full, name)
		}
	}
	return full, nil
}

// Install puts a checked backup file in place as the database target: the
// file is copied beside target, synced, and renamed over it, so target is
// either the old database or the whole backup. A target that another
// process has open (a running server) is refused: replacing the file under
// it would lose its writes or mix its write-ahead log into the backup.
func Install(ctx context.Context, backup, target string) error {
	dir := filepath.Dir(target)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return assess.Errorf(assess.KindInvalid, "database %s: folder %s does not exist", target, dir)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone already once renamed into place
	if st, err := os.Stat(target); err == nil {
		_ = tmp.Chmod(st.Mode().Perm()) // the restored file keeps the old one's permissions
	}
	src, err := os.Open(backup)
	if err != nil {
		tmp.Close()
		return err
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s beside %s: %w", backup, target, err)
	}
	if err := checkUnused(ctx, target); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	// A shared-memory index left beside the old file describes no log now.
	if err := os.Remove(target + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	syncDir(dir)
	return nil
}

// checkUnused opens and closes target: as the last connection, SQLite then
// folds its write-ahead log into the file and deletes it. A log still there
// afterwards means another process has the database open.
func checkUnused(ctx context.Context, target string) error {
	if _, err := os.Stat(target); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(target + "-wal"); err == nil {
			return assess.Errorf(assess.KindConflict, "%s-wal exists without its database: remove it before restoring", target)
		}
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+target+"?"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("database %s: %w", target, err)
	}
	if _, err := os.Stat(target + "-wal"); err == nil {
		return assess.Errorf(assess.KindConflict, "database %s is in use by another program (is \"isogap serve\" running on it?): stop it before restoring", target)
	}
	return nil
}
