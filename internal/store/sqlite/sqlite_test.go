package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/sqlite"
	"github.com/isogap/isogap/internal/store/storetest"
)

func engine() storetest.Engine {
	return storetest.Engine{
		Fresh: func(t testing.TB) string {
			path := filepath.Join(t.TempDir(), "isogap.db")
			if _, _, err := sqlite.Migrate(context.Background(), path); err != nil {
				t.Fatal(err)
			}
			return path
		},
		Open: func(t testing.TB, dsn string) store.Store {
			st, err := sqlite.Open(context.Background(), dsn, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
}

func TestContract(t *testing.T) { storetest.Run(t, engine()) }

func TestRevisionUpgrade(t *testing.T) {
	storetest.RevisionUpgrade(t, engine(), storetest.Schema{
		Empty:  func(t testing.TB) string { return filepath.Join(t.TempDir(), "isogap.db") },
		Driver: "sqlite",
		To:     func(ctx context.Context, db *sql.DB, v int64) error { return sqlite.Migrations.To(ctx, db, v) },
	})
}

func TestPackedSummariesUpgrade(t *testing.T) {
	storetest.PackedSummariesUpgrade(t, storetest.Schema{
		Empty:  func(t testing.TB) string { return filepath.Join(t.TempDir(), "isogap.db") },
		Driver: "sqlite",
		To:     func(ctx context.Context, db *sql.DB, v int64) error { return sqlite.Migrations.To(ctx, db, v) },
	})
}

func BenchmarkItemUpdates(b *testing.B) { storetest.BenchmarkItemUpdates(b, engine()) }

func BenchmarkPortfolio1000(b *testing.B) { storetest.BenchmarkPortfolio(b, engine(), 1000) }

func TestSchemaVersionChecks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	// A file isogap never touched is refused without AutoInit …
	if _, err := sqlite.Open(ctx, path, sqlite.Options{}); assess.KindOf(err) != assess.KindSchema || !strings.Contains(err.Error(), "isogap migrate") {
		t.Fatalf("fresh file without AutoInit: %v", err)
	}
	// … and set up with it.
	st, err := sqlite.Open(ctx, path, sqlite.Options{AutoInit: true})
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := sqlite.Migrations.Latest()
	if v, err := sqlite.Migrations.Version(ctx, st.DB().Read, sqlite.Dialect); err != nil || v != latest || latest < 1 {
		t.Fatalf("version %d (latest %d): %v", v, latest, err)
	}
	// A schema newer than this build knows is refused.
	if _, err := st.DB().Write.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, latest+1); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = sqlite.Open(ctx, path, sqlite.Options{AutoInit: true})
	if assess.KindOf(err) != assess.KindSchema || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer schema: %v", err)
	}
	if _, _, err := sqlite.Migrate(ctx, path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("migrate on a newer schema: %v", err)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	path := engine().Fresh(t)
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Hold several read connections at once so the pool must open new ones.
	var conns []*sql.Conn
	for i := 0; i < 4; i++ {
		c, err := st.DB().Read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	w, err := st.DB().Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conns = append(conns, w)
	for i, c := range conns {
		var fk, busy int
		var mode string
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if fk != 1 || busy < 1000 || mode != "wal" {
			t.Errorf("connection %d: foreign_keys=%d busy_timeout=%d journal_mode=%s", i, fk, busy, mode)
		}
		c.Close()
	}
}

// A database migrated by a build that lacked a lower-numbered migration
// (00003 applied, 00002 not) is refused until "isogap migrate" applies it.
func TestMissingMigrationIsApplied(t *testing.T) {
	ctx := context.Background()
	path := engine().Fresh(t)
	st, err := sqlite.Open(ctx, path, sqlite.Options{SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := sqlite.Migrations.Latest()
	// Undo migration 00002 as if it had never existed.
	for _, q := range []string{"DROP TABLE login_failures", "DROP TABLE memberships", "DROP TABLE sessions", "DROP TABLE setup_done", "DROP TABLE users",
		"DELETE FROM goose_db_version WHERE version_id = 2"} {
		if _, err := st.DB().Write.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	if latest < 3 {
		t.Fatalf("latest migration is %d: this test needs one above 00002", latest)
	}
	_, err = sqlite.Open(ctx, path, sqlite.Options{})
	if assess.KindOf(err) != assess.KindSchema || !strings.Contains(err.Error(), "[2]") {
		t.Fatalf("open with migration 2 missing: %v", err)
	}
	if _, _, err := sqlite.Migrate(ctx, path); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	st2, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("after migrate: %v", err)
	}
	defer st2.Close()
	if n, err := st2.CountUsers(ctx); err != nil || n != 0 {
		t.Errorf("accounts tables after migrate: %d %v", n, err)
	}
}

// A kept summary whose value does not unpack (written by a later format,
// or damaged) counts as none: the listing carries the assessment's own
// header, and the caller computes the figures again.
func TestUnreadableSummaryCountsAsNone(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, engine().Fresh(t), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, items := storetest.NewAssessment("Acme")
	if err := st.CreateAssessment(ctx, a, items); err != nil {
		t.Fatal(err)
	}
	ls, err := st.Listings(ctx, nil)
	if err != nil || len(ls) != 1 {
		t.Fatalf("listings: %v %v", ls, err)
	}
	sum := store.Summary{Assessment: ls[0].Assessment, Revision: ls[0].Revision, Headline: assess.Headline{Blockers: 3}}
	sum.Assessment.Org = "Kept name"
	if err := st.PutSummaries(ctx, []store.Summary{sum}); err != nil {
		t.Fatal(err)
	}
	if ls, err = st.Listings(ctx, nil); err != nil || ls[0].Kept != sum.Revision || ls[0].Assessment.Org != "Kept name" {
		t.Fatalf("kept summary: %+v %v", ls, err)
	}
	// Cut short by its last byte first: every figure before it unpacks.
	for _, bad := range []string{`substr(summary, 1, length(summary) - 1)`, `x'02'`, `x'01ff'`, `''`} {
		if _, err := st.DB().Write.Exec(`UPDATE assessment_summaries SET summary = ` + bad); err != nil {
			t.Fatal(err)
		}
		ls, err = st.Listings(ctx, nil)
		if err != nil || len(ls) != 1 {
			t.Fatalf("%s: %v %v", bad, ls, err)
		}
		if _, ok := ls[0].Current(); ok || ls[0].Kept != 0 || ls[0].Blockers != 0 || ls[0].Assessment.Org != "Acme" || ls[0].Assessment.TargetScore != a.TargetScore {
			t.Errorf("%s: %+v", bad, ls[0])
		}
	}
}

// A command that only reads opens one connection: each one costs SQLite a
// parse of the whole schema, so the write pool waits for the first write.
func TestReadsOpenOneConnection(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, engine().Fresh(t), sqlite.Options{AutoInit: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	open := func() map[string]int {
		n := map[string]int{}
		for _, p := range st.Stats().Pools {
			n[p.Pool] = p.InUse + p.Idle
		}
		return n
	}
	if _, err := st.ListAssessments(ctx); err != nil {
		t.Fatal(err)
	}
	if n := open(); n["read"] != 1 || n["write"] != 0 {
		t.Fatalf("after opening and one read: connections %v, want read 1, write 0", n)
	}
	if err := st.PutCatalog(ctx, "x", "1", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if n := open(); n["write"] != 1 {
		t.Fatalf("after a write: connections %v, want write 1", n)
	}
}
