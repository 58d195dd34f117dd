package app_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/testenv"
)

// instances is one database opened twice, with a connection pool each, as
// two isogap instances behind a load balancer would have it.
type instances struct {
	svc    [2]*app.Service
	stores [2]store.Store
}

// twoInstances opens a fresh database twice and creates an assessment in it.
func twoInstances(t *testing.T, engine string) (instances, assess.Assessment) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "isogap.db")
	if engine == "postgres" {
		dsn = testenv.PostgresSchema(t)
	}
	var in instances
	for i := range in.stores {
		st, err := open.StoreInit(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		in.stores[i], in.svc[i] = st, app.New(st, app.Config{})
	}
	a, err := in.svc[0].CreateAssessment(context.Background(), app.System("setup"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	return in, a
}

// retried is how many transaction attempts both instances lost to a
// deadlock or a serialization failure.
func (in instances) retried(t *testing.T) int64 {
	var n int64
	for _, st := range in.stores {
		r, ok := st.(interface{ Retried() int64 })
		if !ok {
			t.Fatalf("%T does not count its retried transactions", st)
		}
		n += r.Retried()
	}
	return n
}

// onTwoInstances runs test on each engine, on a fresh database opened twice.
func onTwoInstances(t *testing.T, test func(t *testing.T, in instances, a assess.Assessment)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			in, a := twoInstances(t, engine)
			test(t, in, a)
		})
	}
}

// textField is an item field that takes any text, so every save can write
// a value of its own and be found again in the history.
type textField struct {
	name  string
	patch func(v string) app.ItemPatch
	get   func(it assess.Item) string
}

var textFields = []textField{
	{"owner", func(v string) app.ItemPatch { return app.ItemPatch{Owner: &v} }, func(it assess.Item) string { return it.Owner }},
	{"action", func(v string) app.ItemPatch { return app.ItemPatch{Action: &v} }, func(it assess.Item) string { return it.Action }},
	{"notes", func(v string) app.ItemPatch { return app.ItemPatch{Notes: &v} }, func(it assess.Item) string { return it.Notes }},
	{"inclusion_note", func(v string) app.ItemPatch { return app.ItemPatch{InclusionNote: &v} }, func(it assess.Item) string { return it.InclusionNote }},
}

// saveMany saves n values into the field, one after the other, through
// both instances in turn, each based on the version it read just before. It
// returns the values acknowledged and counts the saves refused as conflicts.
func (f textField) saveMany(ctx context.Context, in instances, aid, ref string, n int, conflicts *atomic.Int64) ([]string, error) {
	who := app.System("editor of " + f.name)
	var acked []string
	for i := range n {
		svc := in.svc[i%2]
		cur, err := svc.Item(ctx, who, aid, ref)
		if err != nil {
			return acked, err
		}
		v := fmt.Sprintf("%s %d", f.name, i)
		_, err = svc.UpdateItem(ctx, who, aid, ref, cur.Version, f.patch(v))
		var ce *assess.ConflictError
		switch {
		case errors.As(err, &ce):
			conflicts.Add(1)
		case err != nil:
			return acked, fmt.Errorf("save %s: %w", f.name, err)
		default:
			acked = append(acked, v)
		}
	}
	return acked, nil
}

// hammer runs work(0) … work(n-1) at once and fails the test on any error.
func hammer(t *testing.T, n int, work func(w int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := work(w); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// checkHistory fails unless the history of ref records each acknowledged
// value of each field exactly once, and nothing else for those fields.
func checkHistory(t *testing.T, svc *app.Service, aid, ref string, acked map[string][]string) {
	t.Helper()
	hist, err := svc.History(context.Background(), app.System("test"), aid, app.HistoryQuery{Ref: ref})
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]int{}
	perField := map[string]int{}
	for _, h := range hist {
		recorded[h.Field+"="+h.New]++
		perField[h.Field]++
	}
	for field, values := range acked {
		for _, v := range values {
			if n := recorded[field+"="+v]; n != 1 {
				t.Errorf("acknowledged save %s=%q is in the history %d times, want once", field, v, n)
			}
		}
		if perField[field] != len(values) {
			t.Errorf("the history has %d changes of %s, %d saves were acknowledged", perField[field], field, len(values))
		}
	}
}

// People saving different fields of one item at the same moment, through
// two instances, all keep their values: the saves merge, on PostgreSQL as
// on SQLite, and each lands in the item and in the history exactly once.
func TestConcurrentEditsOfDifferentFieldsMerge(t *testing.T) {
	onTwoInstances(t, func(t *testing.T, in instances, a assess.Assessment) {
		ctx := context.Background()
		const ref, saves = "A.5.15", 25
		acked := make([][]string, len(textFields))
		var conflicts atomic.Int64
		hammer(t, len(textFields), func(w int) (err error) {
			acked[w], err = textFields[w].saveMany(ctx, in, a.ID, ref, saves, &conflicts)
			return err
		})
		t.Logf("%d of %d saves of different fields refused as conflicts", conflicts.Load(), len(textFields)*saves)
		if n := conflicts.Load(); n != 0 {
			t.Errorf("%d of %d saves of different fields were refused as conflicts, want 0", n, len(textFields)*saves)
		}
		final, err := in.svc[1].Item(ctx, app.System("test"), a.ID, ref)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		byField := map[string][]string{}
		for w, f := range textFields {
			total += len(acked[w])
			byField[f.name] = acked[w]
			if n := len(acked[w]); n > 0 && f.get(final) != acked[w][n-1] {
				t.Errorf("%s is %q, the last acknowledged save was %q", f.name, f.get(final), acked[w][n-1])
			}
		}
		if final.Version != 1+total {
			t.Errorf("version %d after %d acknowledged saves", final.Version, total)
		}
		checkHistory(t, in.svc[0], a.ID, ref, byField)
	})
}

// Saves of the same field from the same version still conflict: one wins,
// the others are refused, and the refusal names who saved that field, even
// when someone else saved another field of the item since.
func TestConcurrentEditsOfOneFieldConflict(t *testing.T) {
	onTwoInstances(t, func(t *testing.T, in instances, a assess.Assessment) {
		ctx := context.Background()
		const ref, rounds, rivals = "A.8.8", 8, 4
		acked := map[string][]string{}
		for r := range rounds {
			base, err := in.svc[0].Item(ctx, app.System("test"), a.ID, ref)
			if err != nil {
				t.Fatal(err)
			}
			// Rivals save the notes from the same version at once.
			type outcome struct {
				who, value string
				err        error
			}
			out := make([]outcome, rivals)
			var wg sync.WaitGroup
			for k := range rivals {
				wg.Add(1)
				go func() {
					defer wg.Done()
					o := outcome{who: fmt.Sprintf("rival %d.%d", r, k), value: fmt.Sprintf("notes %d.%d", r, k)}
					_, o.err = in.svc[k%2].UpdateItem(ctx, app.System(o.who), a.ID, ref, base.Version, app.ItemPatch{Notes: &o.value})
					out[k] = o
				}()
			}
			wg.Wait()
			var winner *outcome
			for k := range out {
				if out[k].err == nil {
					if winner != nil {
						t.Fatalf("round %d: %s and %s both saved the notes from version %d", r, winner.who, out[k].who, base.Version)
					}
					winner = &out[k]
				}
			}
			if winner == nil {
				t.Fatalf("round %d: no save of the notes succeeded: %v", r, out[0].err)
			}
			acked["notes"] = append(acked["notes"], winner.value)
			// Someone else then saves another field from that version: it merges.
			owner := fmt.Sprintf("owner %d", r)
			if _, err := in.svc[1].UpdateItem(ctx, app.System("owner "+fmt.Sprint(r)), a.ID, ref, base.Version, app.ItemPatch{Owner: &owner}); err != nil {
				t.Fatalf("round %d: saving another field: %v", r, err)
			}
			acked["owner"] = append(acked["owner"], owner)
			// A latecomer's save of the notes from that version conflicts too.
			late := "late notes"
			_, err = in.svc[0].UpdateItem(ctx, app.System("latecomer"), a.ID, ref, base.Version, app.ItemPatch{Notes: &late})
			out = append(out, outcome{who: "latecomer", value: late, err: err})
			for _, o := range out {
				if o.err == nil {
					continue
				}
				var ce *assess.ConflictError
				if !errors.As(o.err, &ce) {
					t.Fatalf("round %d: %s: %v, want a conflict", r, o.who, o.err)
				}
				if ce.Current.Notes != winner.value || ce.Attempted.Notes != o.value {
					t.Errorf("round %d: %s's conflict carries notes %q (theirs) and %q (mine), want %q and %q",
						r, o.who, ce.Current.Notes, ce.Attempted.Notes, winner.value, o.value)
				}
				if msg := ce.Error(); !strings.Contains(msg, winner.who) {
					t.Errorf("round %d: %s's conflict does not name %s, who saved the notes: %s", r, o.who, winner.who, msg)
				}
			}
		}
		checkHistory(t, in.svc[0], a.ID, ref, acked)
	})
}

// Adding evidence and saving the item it belongs to, at the same moment
// through two instances, never deadlock: both take the assessment first,
// then the item. Every acknowledged write lands exactly once.
func TestEvidenceAndEditsTakeLocksInOneOrder(t *testing.T) {
	onTwoInstances(t, func(t *testing.T, in instances, a assess.Assessment) {
		ctx := context.Background()
		const ref, adders, writes = "A.8.13", 3, 20
		editors := textFields[:3]
		acked := make([][]string, adders+len(editors))
		var conflicts atomic.Int64
		hammer(t, len(acked), func(w int) (err error) {
			if w >= adders {
				acked[w], err = editors[w-adders].saveMany(ctx, in, a.ID, ref, writes, &conflicts)
				return err
			}
			for i := range writes {
				text := fmt.Sprintf("report %d.%d", w, i)
				if _, err := in.svc[i%2].AddEvidence(ctx, app.System(fmt.Sprint("auditor ", w)), a.ID, ref, app.NewEvidence{Text: text}); err != nil {
					return fmt.Errorf("add evidence: %w", err)
				}
				acked[w] = append(acked[w], text)
			}
			return nil
		})
		n := in.retried(t)
		t.Logf("%d transaction attempts lost to deadlocks, %d saves refused as conflicts", n, conflicts.Load())
		if n != 0 {
			t.Errorf("%d transaction attempts hit a deadlock (or a serialization failure), want 0", n)
		}
		if n := conflicts.Load(); n != 0 {
			t.Errorf("%d saves were refused as conflicts, want 0", n)
		}
		final, err := in.svc[1].Item(ctx, app.System("test"), a.ID, ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(final.Evidence) != adders*writes {
			t.Errorf("%d evidence entries, %d were acknowledged", len(final.Evidence), adders*writes)
		}
		byField := map[string][]string{}
		total := 0
		for w := range adders {
			for _, text := range acked[w] {
				byField["evidence"] = append(byField["evidence"], assess.Evidence{Kind: assess.EvidenceText, Text: text}.Summary())
			}
			total += len(acked[w])
		}
		for k, f := range editors {
			byField[f.name] = acked[adders+k]
			total += len(acked[adders+k])
		}
		if final.Version != 1+total {
			t.Errorf("version %d after %d acknowledged writes", final.Version, total)
		}
		checkHistory(t, in.svc[0], a.ID, ref, byField)
	})
}
