package app_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// headline is what a headline shows, comparable.
type headline struct {
	Applicable, Assessed, AtTarget, NotApplicable int
	Readiness, Coverage                           float64
	AuditReady                                    bool
	Blockers                                      int
}

func headlineOf(h assess.Headline) headline {
	f := h.Overall
	return headline{f.Applicable, f.Assessed, f.AtTarget, f.NotApplicable, f.Readiness, f.Coverage, h.AuditReady, h.Blockers}
}

// TestPortfolioFiguresFollowEveryWrite is the property the portfolio rests
// on: after any sequence of item edits, evidence, header changes, imports,
// deletes and copies, every summary the store holds as current, and every
// figure the portfolio shows, equal assess.Compute on the full data.
func TestPortfolioFiguresFollowEveryWrite(t *testing.T) {
	for seed := uint64(1); seed <= 2; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			eachEngine(t, func(t *testing.T, st store.Store) {
				// The database copy goes to the other engine.
				other := postgresStore
				if st.Engine() != "sqlite" {
					other = func(t *testing.T) store.Store { st, _ := sqliteStore(t); return st }
				}
				runPortfolioProperty(t, st, other(t), seed)
			})
		})
	}
}

func runPortfolioProperty(t *testing.T, st, copyTo store.Store, seed uint64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 13))
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := app.New(st, app.Config{Clock: func() time.Time { clock = clock.Add(time.Second); return clock }})
	sys := app.System("prop")
	cat := catalog.Builtin()
	ids := func() []string {
		t.Helper()
		ls, err := st.Listings(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range ls {
			out = append(out, l.Assessment.ID)
		}
		return out
	}
	pick := func() string {
		all := ids()
		if len(all) == 0 {
			return ""
		}
		return all[rng.IntN(len(all))]
	}
	create := func() {
		if _, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: fmt.Sprintf("Client %d", rng.IntN(1000))}); err != nil {
			t.Fatal(err)
		}
	}
	export := func(aid string) []byte {
		var buf bytes.Buffer
		if err := svc.Export(ctx, sys, aid, app.DefaultFormats()[0], &buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	ops := []struct {
		name string
		do   func(aid string) error
	}{
		{"edit item", func(aid string) error {
			ci := cat.Items[rng.IntN(len(cat.Items))]
			var patch app.ItemPatch
			switch n := rng.IntN(10); {
			case n < 7:
				score := assess.Score(rng.IntN(6))
				patch.Score = &score
			case ci.IsControl() && n == 7:
				patch.Applicable, patch.Justification = ptr(false), ptr("not in scope")
			default:
				patch.Applicable = ptr(true)
			}
			_, err := svc.UpdateItem(ctx, sys, aid, ci.Ref, 0, patch)
			return err
		}},
		{"add evidence", func(aid string) error {
			_, err := svc.AddEvidence(ctx, sys, aid, cat.Items[rng.IntN(len(cat.Items))].Ref, app.NewEvidence{Text: "signed policy"})
			return err
		}},
		{"remove evidence", func(aid string) error {
			v, _, err := svc.View(ctx, sys, aid)
			if err != nil {
				return err
			}
			for _, it := range v.Items {
				if len(it.Evidence) > 0 {
					return svc.RemoveEvidence(ctx, sys, aid, it.Evidence[0].ID)
				}
			}
			return nil
		}},
		{"change the target and exclusions", func(aid string) error {
			a, err := svc.Assessment(ctx, sys, aid)
			if err != nil {
				return err
			}
			a.TargetScore = 1 + rng.IntN(5)
			a.Exclusions = nil
			if rng.IntN(2) == 0 {
				a.Exclusions = []assess.Exclusion{{What: "Sales office", Justification: []string{"", "no data there"}[rng.IntN(2)]}}
			}
			_, err = svc.UpdateAssessment(ctx, sys, a, a.Version)
			return err
		}},
		{"import a copy", func(aid string) error {
			_, err := svc.ImportJSON(ctx, sys, bytes.NewReader(export(aid)), app.ImportOptions{AsNew: true})
			return err
		}},
		{"import over another", func(aid string) error {
			other := pick()
			data := bytes.Replace(export(aid), []byte(`"`+aid+`"`), []byte(`"`+other+`"`), -1)
			_, err := svc.ImportJSON(ctx, sys, bytes.NewReader(data), app.ImportOptions{Replace: true})
			return err
		}},
		{"delete", func(aid string) error { return svc.DeleteAssessment(ctx, sys, aid) }},
		{"create", func(string) error { create(); return nil }},
	}
	check := func(step string, s store.Store, svc *app.Service) {
		t.Helper()
		want := map[string]headline{}
		ls, err := s.Listings(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			v, _, err := svc.View(ctx, sys, l.Assessment.ID)
			if err != nil {
				t.Fatal(err)
			}
			want[l.Assessment.ID] = headlineOf(assess.Compute(v.Catalog, v.Assessment, v.Items).Headline())
			// A summary kept before this step and still marked current
			// must still be right.
			if h, ok := l.Current(); ok && headlineOf(h) != want[l.Assessment.ID] {
				t.Fatalf("after %s: the summary kept for %s at revision %d is %+v, Compute gives %+v",
					step, l.Assessment.ID, l.Revision, headlineOf(h), want[l.Assessment.ID])
			}
		}
		list, err := svc.Portfolio(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(want) {
			t.Fatalf("after %s: portfolio of %d, %d assessments", step, len(list), len(want))
		}
		for _, e := range list {
			if got := headlineOf(e.Headline); got != want[e.Assessment.ID] {
				t.Fatalf("after %s: the portfolio shows %+v for %s, Compute gives %+v", step, got, e.Assessment.ID, want[e.Assessment.ID])
			}
		}
		// The portfolio kept what it computed: every summary is current now.
		ls, err = s.Listings(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			if _, ok := l.Current(); !ok {
				t.Fatalf("after %s: no current summary kept for %s", step, l.Assessment.ID)
			}
		}
	}
	for range 3 {
		create()
	}
	check("creating", st, svc)
	for i := range 80 {
		aid := pick()
		if aid == "" {
			create()
			continue
		}
		op := ops[rng.IntN(len(ops))]
		if err := op.do(aid); err != nil {
			t.Fatalf("step %d (%s on %s): %v", i, op.name, aid, err)
		}
		check(fmt.Sprintf("step %d (%s)", i, op.name), st, svc)
	}
	// A copy of the whole database shows the same figures.
	dst := app.New(copyTo, app.Config{})
	if _, err := svc.CopyTo(ctx, sys, dst, nil); err != nil {
		t.Fatal(err)
	}
	check("copying the database", copyTo, dst)
}
