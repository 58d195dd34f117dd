package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/store/storetest"
	"github.com/isogap/isogap/internal/testenv"
)

func engine() storetest.Engine {
	return storetest.Engine{
		Fresh: func(t testing.TB) string {
			dsn := testenv.PostgresSchema(t)
			if _, _, err := postgres.Migrate(context.Background(), dsn); err != nil {
				t.Fatal(err)
			}
			return dsn
		},
		Open: func(t testing.TB, dsn string) store.Store {
			st, err := postgres.Open(context.Background(), dsn, postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
}

func TestContract(t *testing.T) { storetest.Run(t, engine()) }

func TestRevisionUpgrade(t *testing.T) {
	m, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	storetest.RevisionUpgrade(t, engine(), storetest.Schema{
		Empty:  testenv.PostgresSchema,
		Driver: "pgx",
		To:     m.To,
	})
}

func TestPackedSummariesUpgrade(t *testing.T) {
	m, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	storetest.PackedSummariesUpgrade(t, storetest.Schema{
		Empty:  testenv.PostgresSchema,
		Driver: "pgx",
		To:     m.To,
	})
}

func BenchmarkItemUpdates(b *testing.B) { storetest.BenchmarkItemUpdates(b, engine()) }

func BenchmarkPortfolio1000(b *testing.B) { storetest.BenchmarkPortfolio(b, engine(), 1000) }

func TestSchemaVersionChecks(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.PostgresSchema(t)
	// An empty database is refused with a message to migrate.
	_, err := postgres.Open(ctx, dsn, postgres.Options{})
	if assess.KindOf(err) != assess.KindSchema || !strings.Contains(err.Error(), "isogap migrate") {
		t.Fatalf("unmigrated database: %v", err)
	}
	from, to, err := postgres.Migrate(ctx, dsn)
	if err != nil || from != 0 || to < 1 {
		t.Fatalf("migrate: %d -> %d, %v", from, to, err)
	}
	// Migrating again changes nothing.
	if f2, t2, err := postgres.Migrate(ctx, dsn); err != nil || f2 != to || t2 != to {
		t.Fatalf("second migrate: %d -> %d, %v", f2, t2, err)
	}
	st, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Write.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, to+1); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := postgres.Open(ctx, dsn, postgres.Options{}); assess.KindOf(err) != assess.KindSchema || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer schema: %v", err)
	}
}

func TestIsDSN(t *testing.T) {
	for s, want := range map[string]bool{"postgres://u@h/db": true, "postgresql://h/db": true, "isogap.db": false, "/tmp/postgres.db": false} {
		if postgres.IsDSN(s) != want {
			t.Errorf("IsDSN(%q) != %v", s, want)
		}
	}
}

// The DSN may size the two pools; the parameters are isogap's and never
// reach the server, which would refuse them.
func TestPoolSizesFromTheDSN(t *testing.T) {
	ctx := context.Background()
	dsn := engine().Fresh(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	st, err := postgres.Open(ctx, dsn+sep+"read_conns=3&write_conns=2", postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pools := map[string]int{}
	for _, p := range st.Stats().Pools {
		pools[p.Pool] = p.MaxOpen
	}
	if pools["read"] != 3 || pools["write"] != 2 {
		t.Errorf("pools %v, want read 3 and write 2", pools)
	}
	// Both pools work: a write, then a read through the read pool.
	if err := st.CreateAssessment(ctx, assess.Assessment{ID: "pool1", Org: "Acme", TargetScore: assess.DefaultTarget, CatalogID: "iso27001", CatalogVersion: "2022"}, nil); err != nil {
		t.Fatalf("a write with write_conns in the DSN: %v", err)
	}
	if _, err := st.GetAssessment(ctx, "pool1"); err != nil {
		t.Fatalf("a read with read_conns in the DSN: %v", err)
	}
	for _, bad := range []string{"read_conns=0", "write_conns=many", "read_conns=-2"} {
		_, err := postgres.Open(ctx, dsn+sep+bad, postgres.Options{})
		name, _, _ := strings.Cut(bad, "=")
		if assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an invalid-input error naming %s", bad, err, name)
		}
	}
}
