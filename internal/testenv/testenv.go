// Package testenv finds the real programs and servers tests need, and skips
// (or, under CI=true, fails) with a message saying what to install.
package testenv

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// CI reports whether the tests run in CI, where nothing may be skipped.
func CI() bool { return os.Getenv("CI") == "true" }

// Missing skips the test, or fails it under CI=true.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	msg := fmt.Sprintf("%s is not available; %s", what, install)
	if CI() {
		t.Fatal(msg + " (CI=true: a missing dependency fails the run)")
	}
	t.Skip(msg)
}

// SkipIfShort skips a slow test under -short, except under CI=true, where
// nothing may be skipped: there -short does not stop it and it runs.
func SkipIfShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() && !CI() {
		t.Skip("-short: " + what + " skipped")
	}
}

// PostgresDSN returns the DSN of the test PostgreSQL server.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("ISOGAP_TEST_POSTGRES")
	if dsn == "" {
		Missing(t, "PostgreSQL (ISOGAP_TEST_POSTGRES is not set)",
			"run the tests with scripts/test, which starts a throwaway server (apt-get install postgresql), or set ISOGAP_TEST_POSTGRES to a DSN")
	}
	return dsn
}

var schemaSeq atomic.Int64

// PostgresSchema creates an empty schema on the test server and returns a
// DSN whose search_path points at it: a fresh database for one test, dropped
// when the test ends.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	admin := PostgresDSN(t)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema on %s: %v", redact(admin), err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + name + " CASCADE")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("ISOGAP_TEST_POSTGRES is not a URL DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the server"
	}
	return u.Redacted()
}

// Program returns the path of a program, or skips/fails naming the package.
func Program(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, "install it with: apt-get install "+debianPackage)
	}
	return p
}

// DebianPython returns the Python interpreter that sees Debian's python3-*
// packages (not another python3 earlier on PATH), checking a module imports.
func DebianPython(t testing.TB, module, debianPackage string) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import "+module).Run() == nil {
			return path
		}
	}
	Missing(t, "python3 with "+module, "install it with: apt-get install "+debianPackage)
	return ""
}

// Trim shortens output for error messages.
func Trim(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return s
}

// LockedBuffer is a buffer a server's goroutines write to (a log, standard
// error) while a test reads it.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// BasicOSCALCatalog returns NIST's sample OSCAL catalog (basic-catalog.json,
// kept in the oscal package's testdata) for the tests of every package that
// imports catalogs.
func BasicOSCALCatalog(t testing.TB) []byte {
	t.Helper()
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testenv: cannot locate its own source file")
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "oscal", "testdata", "basic-catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
