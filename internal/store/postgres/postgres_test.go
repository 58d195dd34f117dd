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
