package web_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/web"
)

// longHistory is the length of the history BenchmarkHistory builds.
const longHistory = 100_000

// BenchmarkHistory measures the pages that read an assessment's history
// when it is long: the dashboard (readiness over time) and the history
// page, each right after a score change, so nothing cached for the last
// revision can answer for it. scripts/bench-web does not run it; run
//
//	go test -run '^$' -bench BenchmarkHistory ./internal/web/
func BenchmarkHistory(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			st := e.open(b)
			svc := app.New(st, app.Config{})
			h, err := web.New(svc, web.Config{})
			if err != nil {
				b.Fatal(err)
			}
			a := loadLongHistory(b, st, svc.Now(), longHistory)
			me, token := benchAdmin(b, svc)
			get := func(b *testing.B, path string) {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Cookie", "isogap_session="+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d\n%s", path, rec.Code, rec.Body)
				}
				_, _ = io.Copy(io.Discard, rec.Body)
			}
			n := 0
			change := func(b *testing.B) {
				n++
				sc := assess.Score(1 + n%5)
				if _, err := svc.UpdateItem(ctx, me, a.ID, "A.5.1", 0, app.ItemPatch{Score: &sc}); err != nil {
					b.Fatal(err)
				}
			}
			for _, page := range []struct{ name, path string }{
				{"dashboard", "/a/" + a.ID + "/"},
				{"history", "/a/" + a.ID + "/history"},
				{"history-of-item", "/a/" + a.ID + "/history?ref=A.5.1"},
			} {
				b.Run(page.name, func(b *testing.B) {
					get(b, page.path) // the first view after start may replay everything
					for b.Loop() {
						b.StopTimer()
						change(b)
						b.StartTimer()
						get(b, page.path)
					}
				})
			}
		})
	}
}

// loadLongHistory stores, in bulk, an assessment whose history has n
// changes over the past year: scores, applicability, evidence (at most
// three records an item, the oldest removed first) and other fields of
// random items, ending in the items' current state.
func loadLongHistory(tb testing.TB, st store.Store, now time.Time, n int) assess.Assessment {
	tb.Helper()
	cat := catalog.Builtin()
	a, _ := app.DemoAssessment(cat, now, app.DemoSeed)
	a.ID = assess.NewID()
	a.CreatedAt = now.AddDate(-1, 0, 0)
	items := make([]assess.Item, len(cat.Items))
	for i, ci := range cat.Items {
		items[i] = assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department, Version: 1, UpdatedAt: a.CreatedAt}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	step := now.Sub(a.CreatedAt) / time.Duration(n+1)
	hist := make([]assess.Change, 0, n)
	evID := int64(0)
	for k := 0; len(hist) < n; k++ {
		i := rng.IntN(len(items))
		it := &items[i]
		at := assess.Stamp(a.CreatedAt.Add(step * time.Duration(k+1)))
		was := *it
		switch r := rng.IntN(10); {
		case r < 6:
			it.Score = assess.Score(1 + rng.IntN(5))
		case r < 7 && cat.Items[i].IsControl():
			it.Applicable = !it.Applicable
			it.Justification = map[bool]string{false: "Not used here."}[it.Applicable]
		case r < 8 && len(it.Evidence) >= 3:
			it.Evidence = it.Evidence[1:] // old records make way for new ones
		case r < 8:
			evID++
			it.Evidence = append(it.Evidence, assess.Evidence{ID: evID, Kind: assess.EvidenceText, Text: "Record " + strconv.Itoa(k), AddedBy: "bench", AddedAt: at})
		default:
			it.Notes = "Note " + strconv.Itoa(k)
		}
		it.Version++
		it.UpdatedAt, it.UpdatedBy = at, "bench"
		changes := assess.DiffItems(was, *it)
		switch {
		case len(it.Evidence) > len(was.Evidence):
			changes = append(changes, assess.Change{Ref: it.Ref, Field: "evidence", New: it.Evidence[len(it.Evidence)-1].Summary()})
		case len(it.Evidence) < len(was.Evidence):
			changes = append(changes, assess.Change{Ref: it.Ref, Field: "evidence", Old: was.Evidence[0].Summary()})
		}
		for _, ch := range changes {
			ch.Actor, ch.At, ch.Version = "bench", at, it.Version
			hist = append(hist, ch)
		}
	}
	rec := assess.Record{Assessment: a, Items: items, History: hist}
	if err := st.InTx(context.Background(), func(st store.Store) error { return st.LoadRecord(context.Background(), rec) }); err != nil {
		tb.Fatal(err)
	}
	return a
}

// benchAdmin creates an administrator and signs it in.
func benchAdmin(b *testing.B, svc *app.Service) (app.Principal, string) {
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, app.System("bench"), app.NewUser{Login: "bench", Name: "Bench", Password: "benchmark password", Admin: true})
	if err != nil {
		b.Fatal(err)
	}
	token, err := svc.StartSession(ctx, app.Principal{User: u}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return app.Principal{User: u}, token
}
