package app_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/testenv"
)

// TestTimelineKeptEqualsFullReplay makes random edits — scores,
// applicability, evidence added and removed, other fields, the target —
// through one service, which keeps readiness over time between views and
// replays only what was recorded since. After each view its timeline must
// be, to the bit, what a full replay of the stored history gives. Several
// edits often share a moment, so a moment may span two views.
func TestTimelineKeptEqualsFullReplay(t *testing.T) {
	for _, e := range []struct {
		name string
		open func(t *testing.T, clock func() time.Time) (store.Store, error)
	}{
		{"sqlite", func(t *testing.T, clock func() time.Time) (store.Store, error) {
			return open.Store(context.Background(), filepath.Join(t.TempDir(), "isogap.db"), clock)
		}},
		{"postgres", func(t *testing.T, clock func() time.Time) (store.Store, error) {
			return open.StoreInit(context.Background(), testenv.PostgresSchema(t), clock)
		}},
	} {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			var mu sync.Mutex
			now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			tick := func() { mu.Lock(); now = now.Add(time.Second); mu.Unlock() }
			st, err := e.open(t, clock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			svc := app.New(st, app.Config{Clock: clock})
			sys := app.System("test")
			a, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			v, _, err := svc.View(ctx, sys, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			var refs, controls []string
			for _, ci := range v.Catalog.Items {
				refs = append(refs, ci.Ref)
				if ci.IsControl() {
					controls = append(controls, ci.Ref)
				}
			}
			rng := rand.New(rand.NewPCG(5, 6))
			views := 0
			for step := range 200 {
				if rng.IntN(3) != 0 {
					tick()
				}
				var err error
				switch op := rng.IntN(12); {
				case op < 5:
					_, err = svc.UpdateItem(ctx, sys, a.ID, refs[rng.IntN(len(refs))], 0, app.ItemPatch{Score: ptr(assess.Score(rng.IntN(6)))})
				case op < 6:
					ref := controls[rng.IntN(len(controls))]
					it, _ := svc.Item(ctx, sys, a.ID, ref)
					_, err = svc.UpdateItem(ctx, sys, a.ID, ref, 0, app.ItemPatch{Applicable: ptr(!it.Applicable), Justification: ptr("Not used here.")})
				case op < 8:
					_, err = svc.AddEvidence(ctx, sys, a.ID, refs[rng.IntN(len(refs))], app.NewEvidence{Text: "Signed policy"})
				case op < 9:
					v, _, verr := svc.View(ctx, sys, a.ID)
					if verr != nil {
						t.Fatal(verr)
					}
					for _, it := range v.Items {
						if len(it.Evidence) > 0 {
							err = svc.RemoveEvidence(ctx, sys, a.ID, it.Evidence[0].ID)
							break
						}
					}
				case op < 10:
					_, err = svc.UpdateItem(ctx, sys, a.ID, refs[rng.IntN(len(refs))], 0, app.ItemPatch{Owner: ptr("Owner " + string(rune('A'+rng.IntN(5))))})
				case op < 11:
					cur, aerr := svc.Assessment(ctx, sys, a.ID)
					if aerr != nil {
						t.Fatal(aerr)
					}
					cur.TargetScore = 3 + rng.IntN(3)
					_, err = svc.UpdateAssessment(ctx, sys, cur, cur.Version)
				default:
					// Only a view.
				}
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				if rng.IntN(3) != 0 {
					continue
				}
				views++
				got, err := svc.Results(ctx, sys, a.ID, nil, app.ResultParts{Timeline: true})
				if err != nil {
					t.Fatal(err)
				}
				hist, err := svc.History(ctx, sys, a.ID, app.HistoryQuery{})
				if err != nil {
					t.Fatal(err)
				}
				want := assess.Timeline(got.Catalog, got.Assessment, got.Items, hist)
				if !slices.EqualFunc(got.Timeline, want, func(x, y assess.TimePoint) bool {
					return x.At.Equal(y.At) && x.Readiness == y.Readiness && x.Coverage == y.Coverage
				}) {
					t.Fatalf("step %d: the kept timeline has %d points, a full replay of %d changes %d\nkept: %v\nfull: %v",
						step, len(got.Timeline), len(hist), len(want), got.Timeline, want)
				}
			}
			if views < 30 {
				t.Errorf("only %d views", views)
			}
		})
	}
}
