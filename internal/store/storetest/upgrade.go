package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/isogap/isogap/internal/store"
)

// Schema holds an engine's database at an older schema version, outside
// the store (which opens the latest schema only).
type Schema struct {
	// Empty returns the DSN of a new database without any schema.
	Empty func(t testing.TB) string
	// Driver is the database/sql driver that opens the DSN.
	Driver string
	// To migrates it up or down to version; 0 is the latest.
	To func(ctx context.Context, db *sql.DB, version int64) error
}

// RevisionUpgrade: revisions handed out under migration 00006 (one
// counter for every row written) stay as they were through 00007 and
// never come back: not to an assessment deleted then and created again
// now, and not after going back down to 00006.
func RevisionUpgrade(t *testing.T, e Engine, s Schema) {
	ctx := context.Background()
	dsn := s.Empty(t)
	db, err := sql.Open(s.Driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	to := func(v int64) {
		t.Helper()
		if err := s.To(ctx, db, v); err != nil {
			t.Fatalf("migrate to %d: %v", v, err)
		}
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var seen int64 // the highest revision any assessment has shown
	rev := func(id string) int64 {
		t.Helper()
		var r int64
		if err := db.QueryRowContext(ctx, `SELECT revision FROM assessments WHERE id = '`+id+`'`).Scan(&r); err != nil {
			t.Fatalf("revision of %s: %v", id, err)
		}
		return r
	}
	above := func(what, id string) {
		t.Helper()
		if r := rev(id); r <= seen {
			t.Errorf("%s: revision %d, not above %d that was shown before", what, r, seen)
		} else {
			seen = r
		}
	}
	insert := func(id string) {
		exec(`INSERT INTO assessments (id, org, catalog_id, catalog_version, version, created_at, updated_at)
			VALUES ('` + id + `', 'Acme', 'iso27001-2022', '1', 1, 1, 1)`)
	}

	to(6)
	insert("kept")
	insert("gone")
	for i := range 5 {
		exec(fmt.Sprintf(`UPDATE assessments SET org = 'Acme %d' WHERE id = 'gone'`, i))
	}
	above("written under 00006", "gone")
	kept := rev("kept")
	exec(`DELETE FROM assessments WHERE id = 'gone'`)

	to(0)
	if r := rev("kept"); r != kept {
		t.Errorf("the upgrade moved a revision from %d to %d", kept, r)
	}
	st := e.Open(t, dsn)
	a, items := NewAssessment("Acme again")
	a.ID = "gone"
	if err := st.CreateAssessment(ctx, a, items); err != nil {
		t.Fatal(err)
	}
	above("created again after the upgrade", "gone")
	if _, err := st.PutPlanSettings(ctx, "kept", map[string]string{"day_rate": "700"}, 0, "ann", nil); err != nil {
		t.Fatal(err)
	}
	if r := rev("kept"); r <= kept {
		t.Errorf("a write after the upgrade: revision %d, was %d", r, kept)
	}
	if err := st.DeleteAssessment(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	closeStore(t, st)

	// Down to 00006 and up again: the counter of 00006 resumes above
	// every revision 00007 handed out.
	to(6)
	insert("gone")
	above("created again back under 00006", "gone")
	exec(`UPDATE assessments SET org = 'Acme' WHERE id = 'kept'`)
	above("written back under 00006", "kept")
	exec(`DELETE FROM assessments WHERE id = 'gone'`)
	to(0)
	st = e.Open(t, dsn)
	if err := st.CreateAssessment(ctx, a, items); err != nil {
		t.Fatal(err)
	}
	above("created again after a second upgrade", "gone")
	closeStore(t, st)
}

func closeStore(t *testing.T, st store.Store) {
	t.Helper()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// PackedSummariesUpgrade: migration 00016 keeps a summary as one packed
// value, and going back below it restores the table of columns of 00015
// (empty: kept summaries are a cache, computed again by the next list).
func PackedSummariesUpgrade(t *testing.T, s Schema) {
	ctx := context.Background()
	db, err := sql.Open(s.Driver, s.Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, step := range []struct {
		to    int64
		query string
	}{
		{15, `SELECT assessment_id, revision, org, scope, lead_name, readiness, audit_ready, target_score, catalog_id, version FROM assessment_summaries`},
		{16, `SELECT assessment_id, revision, summary FROM assessment_summaries`},
		{15, `SELECT assessment_id, revision, org, scope, lead_name, readiness, audit_ready, target_score, catalog_id, version FROM assessment_summaries`},
		{0, `SELECT assessment_id, revision, summary FROM assessment_summaries`},
	} {
		if err := s.To(ctx, db, step.to); err != nil {
			t.Fatalf("migrate to %d: %v", step.to, err)
		}
		rows, err := db.QueryContext(ctx, step.query)
		if err != nil {
			t.Fatalf("at %d: %v", step.to, err)
		}
		rows.Close()
	}
}
