package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

// soakDuration is how long the soak runs: ISOGAP_SOAK (a Go duration),
// else 30 s in CI and 5 s elsewhere.
func soakDuration(t *testing.T) time.Duration {
	if v := os.Getenv("ISOGAP_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("ISOGAP_SOAK=%q: want a duration such as 30s", v)
		}
		return d
	}
	if testenv.CI() {
		return 30 * time.Second
	}
	return 5 * time.Second
}

var versionInput = regexp.MustCompile(`name="version" value="(\d+)"`)

// The soak: two isogap instances on one PostgreSQL database, 16 people
// working through them at once for a while: each opens an item's form,
// changes one field of it and saves, or adds evidence, on four items that
// four people share. Nobody changes a field another changes, so every save
// must be taken: no conflict, no deadlock, no failed request, and every
// acknowledged write is in the database and in the history exactly once.
func TestSoakTwoInstancesOnPostgres(t *testing.T) {
	testenv.SkipIfShort(t, "the soak test")
	pg := engines[1]
	dsn := pg.fresh(t)
	stores := [2]interface{ Retried() int64 }{}
	var sites [2]*site
	for i := range sites {
		st := pg.openDB(t, dsn)
		r, ok := st.(interface{ Retried() int64 })
		if !ok {
			t.Fatal("the PostgreSQL store does not count its retried transactions")
		}
		stores[i] = r
		sites[i] = newSite(t, st, web.Config{})
	}
	ctx := context.Background()
	a, err := sites[0].svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: "Soak Ltd"})
	if err != nil {
		t.Fatal(err)
	}
	refs := []string{"A.5.15", "A.8.13", "6.1.2", "A.7.4"}
	fields := []string{"notes", "action", "owner", "target_date"}
	value := func(c, n int) string {
		if c%len(fields) == 3 {
			return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format("2006-01-02")
		}
		return fmt.Sprintf("person %d, save %d", c, n)
	}

	type worker struct {
		name     string
		cl       [2]*client
		ref      string
		field    string
		saved    []string // acknowledged values, in order
		evidence []string // acknowledged evidence texts
		latency  []time.Duration
		problems []string
		refused  int // saves refused as conflicts
	}
	workers := make([]*worker, 16)
	for c := range workers {
		cl, u := sites[0].user(fmt.Sprintf("person%02d", c), true)
		w := &worker{name: u.Name, ref: refs[c/len(fields)], field: fields[c%len(fields)]}
		w.cl[0] = cl
		w.cl[1] = &client{site: sites[1], cookie: cl.cookie}
		workers[c] = w
	}

	d := soakDuration(t)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c, w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			path := "/a/" + a.ID + "/items/" + w.ref
			for n := 0; time.Now().Before(deadline) && len(w.problems) == 0; n++ {
				cl := w.cl[(c+n)%2] // each request through either instance
				if rng.IntN(4) == 0 {
					text := fmt.Sprintf("evidence %d.%d", c, n)
					start := time.Now()
					r := cl.post(path+"/evidence", form("text", text))
					w.latency = append(w.latency, time.Since(start))
					if r.status != http.StatusSeeOther {
						w.problems = append(w.problems, fmt.Sprintf("add evidence: %d %s", r.status, excerpt(r.body)))
						continue
					}
					w.evidence = append(w.evidence, text)
					continue
				}
				page := cl.get(path)
				m := versionInput.FindStringSubmatch(page.body)
				if page.status != http.StatusOK || m == nil {
					w.problems = append(w.problems, fmt.Sprintf("open the item: %d %s", page.status, excerpt(page.body)))
					continue
				}
				time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond) // a person types
				v := value(c, n)
				start := time.Now()
				r := w.cl[(c+n+1)%2].post(path, form("version", m[1], w.field, v)) // and saves through the other instance
				w.latency = append(w.latency, time.Since(start))
				switch r.status {
				case http.StatusSeeOther:
					w.saved = append(w.saved, v)
				case http.StatusConflict:
					w.refused++
				default:
					w.problems = append(w.problems, fmt.Sprintf("save %s: %d %s", w.field, r.status, excerpt(r.body)))
				}
			}
		})
	}
	wg.Wait()

	var all []time.Duration
	saves, evidence, refused := 0, 0, 0
	for _, w := range workers {
		for _, p := range w.problems {
			t.Errorf("%s: %s", w.name, p)
		}
		all = append(all, w.latency...)
		saves += len(w.saved)
		evidence += len(w.evidence)
		refused += w.refused
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[int(p*float64(len(all)-1))]
	}
	retried := stores[0].Retried() + stores[1].Retried()
	t.Logf("soak %s: %d saves and %d evidence additions acknowledged (%.0f writes/s), %d refused as conflicts, %d transactions retried; write latency p50 %s, p99 %s",
		d, saves, evidence, float64(saves+evidence)/d.Seconds(), refused, retried, pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond))
	if refused != 0 {
		t.Errorf("%d saves were refused as conflicts, though nobody changed a field another changed", refused)
	}
	if retried != 0 {
		t.Errorf("%d transactions were retried after a deadlock or serialization failure", retried)
	}
	if saves == 0 || evidence == 0 {
		t.Fatalf("the soak did no work: %d saves, %d evidence additions", saves, evidence)
	}

	// Every acknowledged write is there, once, in order.
	sys := app.System("test")
	for _, ref := range refs {
		it, err := sites[1].svc.Item(ctx, sys, a.ID, ref)
		if err != nil {
			t.Fatal(err)
		}
		hist, err := sites[0].svc.History(ctx, sys, a.ID, app.HistoryQuery{Ref: ref})
		if err != nil {
			t.Fatal(err)
		}
		writes := 0
		var texts []string
		for _, ev := range it.Evidence {
			texts = append(texts, ev.Text)
		}
		for _, w := range workers {
			if w.ref != ref {
				continue
			}
			writes += len(w.saved) + len(w.evidence)
			if len(w.saved) > 0 {
				if got := fieldOf(it, w.field); got != w.saved[len(w.saved)-1] {
					t.Errorf("%s %s is %q, but %s's last acknowledged save set %q", ref, w.field, got, w.name, w.saved[len(w.saved)-1])
				}
			}
			var recorded []string
			for _, h := range hist {
				if h.Field == w.field && h.Actor == w.name {
					recorded = append(recorded, h.New)
				}
			}
			if !slices.Equal(recorded, w.saved) {
				t.Errorf("%s: the history of %s %s holds %d saves by %s, %d were acknowledged", ref, ref, w.field, len(recorded), w.name, len(w.saved))
			}
			for _, text := range w.evidence {
				if !slices.Contains(texts, text) {
					t.Errorf("%s: acknowledged evidence %q is missing", ref, text)
				}
			}
		}
		if len(it.Evidence) != len(texts) || it.Version != 1+writes {
			t.Errorf("%s: version %d and %d evidence entries after %d acknowledged writes", ref, it.Version, len(it.Evidence), writes)
		}
	}
}

// fieldOf reads one of the soak's fields of an item.
func fieldOf(it assess.Item, field string) string {
	switch field {
	case "notes":
		return it.Notes
	case "action":
		return it.Action
	case "owner":
		return it.Owner
	case "target_date":
		return it.TargetDate.String()
	}
	return "unknown field " + strings.ToUpper(field)
}
