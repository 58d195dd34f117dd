package app_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// TestDemoClients: the clients are made from the seed alone, differ from
// each other, pass the checks of an import, are stored with current
// summaries equal to Compute, and a second run adds nothing.
func TestDemoClients(t *testing.T) {
	cat := catalog.Builtin()
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	if a, b := app.DemoClients(cat, now, 7, 3), app.DemoClients(cat, now, 7, 3); !reflect.DeepEqual(a, b) {
		t.Error("the same seed and index gave two different clients")
	}
	if a, b := app.DemoClients(cat, now, 7, 3), app.DemoClients(cat, now, 8, 3); a.Assessment.ID == b.Assessment.ID {
		t.Error("two seeds gave the same client")
	}
	eachEngine(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		svc := app.New(st, app.Config{Clock: func() time.Time { return now }})
		sys := app.System("test")
		var calls []int
		n, err := svc.CreateDemoClients(ctx, sys, 260, 7, func(done, total int) { calls = append(calls, done) })
		if err != nil || n != 260 {
			t.Fatalf("created %d, %v", n, err)
		}
		if !reflect.DeepEqual(calls, []int{250, 260}) {
			t.Errorf("progress told %v", calls)
		}
		if n, err := svc.CreateDemoClients(ctx, sys, 265, 7, nil); err != nil || n != 5 {
			t.Errorf("second run created %d, %v; want only the 5 new ones", n, err)
		}
		ls, err := st.Listings(ctx, nil)
		if err != nil || len(ls) != 265 {
			t.Fatalf("%d listings, %v", len(ls), err)
		}
		orgs, readiness := map[string]bool{}, map[float64]bool{}
		for i, l := range ls {
			h, ok := l.Current()
			if !ok {
				t.Fatalf("%s has no current summary", l.Assessment.ID)
			}
			orgs[l.Assessment.Org] = true
			readiness[h.Overall.Readiness] = true
			if i%20 != 0 {
				continue
			}
			v, _, err := svc.View(ctx, sys, l.Assessment.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := headlineOf(assess.Compute(v.Catalog, v.Assessment, v.Items).Headline()); headlineOf(h) != want {
				t.Errorf("%s: kept %+v, Compute gives %+v", l.Assessment.ID, headlineOf(h), want)
			}
			hist, err := svc.History(ctx, sys, l.Assessment.ID, app.HistoryQuery{})
			if err != nil || len(hist) == 0 {
				t.Errorf("%s: %d changes in the history, %v", l.Assessment.ID, len(hist), err)
			}
			var buf bytes.Buffer
			if err := svc.Export(ctx, sys, l.Assessment.ID, app.DefaultFormats()[0], &buf); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ImportJSON(ctx, sys, &buf, app.ImportOptions{AsNew: true}); err != nil {
				t.Errorf("%s does not pass the checks of an import: %v", l.Assessment.ID, err)
			}
		}
		if len(orgs) < 200 || len(readiness) < 100 {
			t.Errorf("%d names and %d readiness values among 265 clients: not varied enough", len(orgs), len(readiness))
		}
		if _, err := svc.CreateDemoClients(ctx, app.Principal{}, 1, 7, nil); assess.KindOf(err) != assess.KindForbidden && assess.KindOf(err) != assess.KindUnauthenticated {
			t.Errorf("nobody created demo clients: %v", err)
		}
	})
}
