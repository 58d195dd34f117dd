package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/testenv"
)

// edit is one acknowledged item update: the notes it wrote under a version.
type edit struct {
	aid, ref string
	version  int
}

// The backup is taken by another process while writers in this one keep
// updating items through app.Service on the same file, as a running server
// would. The restored database must pass SQLite's integrity check, hold
// every write acknowledged before the backup started, and have each item's
// history agree with its version and notes.
func TestBackupDuringWritesRestoresConsistently(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	st, err := open.Store(ctx, live, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := app.New(st, app.Config{})
	var targets []edit // every item of two assessments, at version 1
	for _, org := range []string{"Acme", "Globex"} {
		a, err := svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: org})
		if err != nil {
			t.Fatal(err)
		}
		items, err := st.ListItems(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			targets = append(targets, edit{a.ID, it.Ref, it.Version})
		}
	}

	var (
		mu     sync.Mutex
		notes  = map[edit]string{} // every acknowledged write
		acked  int
		warmed = make(chan struct{})
		stop   = make(chan struct{})
		wg     sync.WaitGroup
	)
	const writers = 4
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := map[int]int{} // target index → version
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := w + writers*(n%(len(targets)/writers))
				e := targets[i]
				if mine[i] == 0 {
					mine[i] = e.version
				}
				text := fmt.Sprintf("writer %d, write %d", w, n)
				it, err := svc.UpdateItem(ctx, app.System(fmt.Sprintf("writer %d", w)), e.aid, e.ref, mine[i], app.ItemPatch{Notes: &text})
				if err != nil {
					errs <- fmt.Errorf("%s %s: %w", e.aid, e.ref, err)
					return
				}
				if it.Version != mine[i]+1 {
					errs <- fmt.Errorf("%s %s: version %d after %d", e.aid, e.ref, it.Version, mine[i])
					return
				}
				mine[i] = it.Version
				mu.Lock()
				notes[edit{e.aid, e.ref, it.Version}] = text
				acked++
				if acked == 50 {
					close(warmed)
				}
				mu.Unlock()
			}
		}()
	}
	stopWriters := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}
	defer stopWriters()
	select {
	case <-warmed:
	case err := <-errs:
		t.Fatal(err)
	}

	mu.Lock()
	before := make(map[edit]string, len(notes))
	for k, v := range notes {
		before[k] = v
	}
	ackedBefore := acked
	mu.Unlock()
	out := mustRun(t, dir, "--db", live, "backup", "-o", "backup.db")
	mu.Lock()
	during := acked - ackedBefore
	mu.Unlock()
	stopWriters()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if during == 0 {
		t.Fatal("no write was acknowledged while the backup ran: the test did not test an online backup")
	}
	t.Logf("%d writes acknowledged before the backup, %d while it ran, %d in all", ackedBefore, during, len(notes))
	if !strings.Contains(out, "Backed up to backup.db: integrity check ok") || !strings.Contains(out, "2 assessments (246 items") {
		t.Errorf("backup output: %s", out)
	}
	if out := mustRun(t, dir, "backup", "--verify", "backup.db"); !strings.Contains(out, "Backup backup.db is sound") {
		t.Errorf("verify output: %s", out)
	}
	if out := mustRun(t, dir, "--db", "restored.db", "restore", "backup.db"); !strings.Contains(out, "Restored backup.db into restored.db") {
		t.Errorf("restore output: %s", out)
	}

	raw, err := open.Raw(ctx, filepath.Join(dir, "restored.db"))
	if err != nil {
		t.Fatal(err)
	}
	var integrity string
	if err := raw.DB().Read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity check of the restored database: %q %v", integrity, err)
	}
	raw.Close()
	restored, err := open.Store(ctx, filepath.Join(dir, "restored.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	got := map[string]int{} // aid+ref → restored version
	for _, aid := range []string{targets[0].aid, targets[len(targets)-1].aid} {
		rec, err := restored.Record(ctx, aid)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]map[int]bool{}
		for _, c := range rec.History {
			if seen[c.Ref] == nil {
				seen[c.Ref] = map[int]bool{}
			}
			if seen[c.Ref][c.Version] {
				t.Errorf("%s %s: version %d recorded twice", aid, c.Ref, c.Version)
			}
			seen[c.Ref][c.Version] = true
			if want, ok := notes[edit{aid, c.Ref, c.Version}]; c.Field != "notes" || !ok || c.New != want {
				t.Errorf("%s %s: history at version %d has %s=%q, the writer wrote %q", aid, c.Ref, c.Version, c.Field, c.New, want)
			}
		}
		for _, it := range rec.Items {
			got[aid+" "+it.Ref] = it.Version
			// One history entry for each version after the first, no more.
			for v := 2; v <= it.Version; v++ {
				if !seen[it.Ref][v] {
					t.Errorf("%s %s: at version %d but no history for version %d", aid, it.Ref, it.Version, v)
				}
			}
			if len(seen[it.Ref]) != it.Version-1 {
				t.Errorf("%s %s: at version %d with %d history entries", aid, it.Ref, it.Version, len(seen[it.Ref]))
			}
			if it.Version > 1 && it.Notes != notes[edit{aid, it.Ref, it.Version}] {
				t.Errorf("%s %s: notes %q at version %d, the writer wrote %q", aid, it.Ref, it.Notes, it.Version, notes[edit{aid, it.Ref, it.Version}])
			}
		}
	}
	missing := 0
	for e := range before {
		if got[e.aid+" "+e.ref] < e.version {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the %d writes acknowledged before the backup started are missing from the restored database", missing, len(before))
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "init", "--org", "Acme")
	keep := []byte("yesterday's backup")
	if err := os.WriteFile(filepath.Join(dir, "b.db"), keep, 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, nil, "backup", "-o", "b.db")
	if r.code != 1 || !strings.Contains(r.stderr, "b.db already exists") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("backup over an existing file: exit %d %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "b.db")); !bytes.Equal(b, keep) {
		t.Error("the refused backup changed the existing file")
	}
	if r := run(t, dir, nil, "backup", "-o", "isogap.db", "--force"); r.code != 2 || !strings.Contains(r.stderr, "isogap.db itself") {
		t.Errorf("backup over the database itself: exit %d %s", r.code, r.stderr)
	}
	if out := mustRun(t, dir, "backup", "-o", "b.db", "--force"); !strings.Contains(out, "1 assessments (123 items") {
		t.Errorf("forced backup: %s", out)
	}
	// Nothing is left behind beside the backup: no temporary file, no log.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); n != "isogap.db" && n != "b.db" {
			t.Errorf("left in the folder: %s", n)
		}
	}
	if r := run(t, dir, nil, "backup", "-o", "missing/b.db"); r.code != 1 || !strings.Contains(r.stderr, "missing does not exist") {
		t.Errorf("backup into a missing folder: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, dir, nil, "--db", "nothing.db", "backup", "-o", "c.db"); r.code != 1 || !strings.Contains(r.stderr, "nothing.db does not exist") {
		t.Errorf("backup of a missing database: exit %d %s", r.code, r.stderr)
	}
}

func TestVerifyFailsOnADamagedBackup(t *testing.T) {
	dir := t.TempDir()
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	mustRun(t, dir, "set", id, "A.5.7", "--score", "4", "--evidence", "Threat feed subscription")
	mustRun(t, dir, "backup", "-o", "good.db")
	good, err := os.ReadFile(filepath.Join(dir, "good.db"))
	if err != nil {
		t.Fatal(err)
	}
	// Garbage over every page after the first: the schema still reads, the tables do not.
	smashed := bytes.Clone(good)
	for i := 4096; i < len(smashed); i++ {
		smashed[i] = byte(i * 7)
	}
	damaged := map[string][]byte{
		"truncated.db": good[:len(good)/2],
		"smashed.db":   smashed,
		"notsqlite.db": []byte(strings.Repeat("not a database at all\n", 400)),
		"empty.db":     nil,
	}
	for name, content := range damaged {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
		r := run(t, dir, nil, "backup", "--verify", name)
		if r.code != 1 || !strings.Contains(r.stderr, name+" is") || strings.Contains(r.stdout, "sound") {
			t.Errorf("verify %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		// restore verifies first and leaves the target alone.
		if r := run(t, dir, nil, "--db", "fresh.db", "restore", name); r.code != 1 {
			t.Errorf("restore %s: exit %d %s", name, r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "fresh.db")); err == nil {
			t.Errorf("restoring %s created the target", name)
		}
	}
	if r := run(t, dir, nil, "backup", "--verify", "good.db"); r.code != 0 || !strings.Contains(r.stdout, "1 assessments (123 items") {
		t.Errorf("verify of the good backup: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, nil, "backup", "--verify", "isogap.db.nope"); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("verify of a missing file: exit %d %s", r.code, r.stderr)
	}
}

func TestRestoreRefusesATargetWithData(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "init", "--org", "Acme")
	mustRun(t, dir, "backup", "-o", "acme.db")
	mustRun(t, dir, "--db", "other.db", "init", "--org", "Globex")
	before := mustRun(t, dir, "--db", "other.db", "list", "--format", "json")
	r := run(t, dir, nil, "--db", "other.db", "restore", "acme.db")
	if r.code != 1 || !strings.Contains(r.stderr, "other.db holds data (assessments, items)") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("restore over data: exit %d %s", r.code, r.stderr)
	}
	if after := mustRun(t, dir, "--db", "other.db", "list", "--format", "json"); after != before || !strings.Contains(after, "Globex") {
		t.Errorf("the refused restore changed the target:\n%s\n%s", before, after)
	}
	// A database isogap set up and nobody used is no data to lose.
	mustRun(t, dir, "--db", "blank.db", "list")
	mustRun(t, dir, "restore", "acme.db", "--to", "blank.db")
	// --force replaces the target, which then holds the backup and nothing else.
	mustRun(t, dir, "--db", "other.db", "restore", "acme.db", "--force")
	for _, db := range []string{"other.db", "blank.db"} {
		if out := mustRun(t, dir, "--db", db, "list", "--format", "json"); !strings.Contains(out, "Acme") || strings.Contains(out, "Globex") {
			t.Errorf("%s after the restore: %s", db, out)
		}
	}
}

func TestBackupAndRestorePostgres(t *testing.T) {
	dir := t.TempDir()
	pg := testenv.PostgresSchema(t)
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	mustRun(t, dir, "set", id, "A.5.7", "--score", "4", "--evidence", "Threat feed subscription")
	mustRun(t, dir, "backup", "-o", "sqlite.db")
	if out := mustRun(t, dir, "restore", "sqlite.db", "--to", pg); !strings.Contains(out, "into the PostgreSQL database: integrity check ok, schema version 8, 1 assessments (123 items") {
		t.Errorf("restore into PostgreSQL: %s", out)
	}
	r := run(t, dir, nil, "restore", "sqlite.db", "--to", pg)
	if r.code != 1 || !strings.Contains(r.stderr, "holds 1 assessments") || !strings.Contains(r.stderr, "empty database") {
		t.Errorf("restore into a PostgreSQL database with data: exit %d %s", r.code, r.stderr)
	}
	if out := mustRun(t, dir, "--db", pg, "backup", "-o", "from-pg.db"); !strings.Contains(out, "1 assessments (123 items") {
		t.Errorf("backup of PostgreSQL: %s", out)
	}
	a := mustRun(t, dir, "export", id, "--format", "json")
	b := mustRun(t, dir, "--db", "from-pg.db", "export", id, "--format", "json")
	if a != b {
		t.Error("SQLite → backup → PostgreSQL → backup: the export differs")
	}
}

// A server holding the database open keeps it: even --force does not
// replace the file under a running process.
func TestRestoreRefusesADatabaseInUse(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "init", "--org", "Acme")
	mustRun(t, dir, "backup", "-o", "acme.db")
	st, err := open.Store(context.Background(), filepath.Join(dir, "isogap.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, nil, "restore", "acme.db", "--force")
	if r.code != 1 || !strings.Contains(r.stderr, "in use by another program") {
		t.Errorf("restore over a database in use: exit %d %s", r.code, r.stderr)
	}
	st.Close()
	mustRun(t, dir, "restore", "acme.db", "--force")
}
