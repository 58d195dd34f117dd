package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/metrics"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/web"
)

// BenchmarkPage measures what metrics cost a request: the sign-in page (a
// page without the database, where the cost shows most) and an
// assessment's dashboard, signed in, over real loopback HTTP, with the
// metrics off and on.
func BenchmarkPage(b *testing.B) {
	ctx := context.Background()
	sys := app.System("bench")
	for _, on := range []bool{false, true} {
		// A store of its own: the second variant must not find a larger database.
		st := openStore(b, "sqlite")
		name := "metrics=off"
		cfg, acfg := web.Config{}, app.Config{}
		if on {
			name = "metrics=on"
			m := metrics.New()
			if err := m.WatchStore(st.(store.StatsReporter)); err != nil {
				b.Fatal(err)
			}
			cfg, acfg = web.Config{Metrics: m, MetricsHandler: m.Handler()}, app.Config{Events: m}
		}
		svc := app.New(st, acfg)
		h, err := web.New(svc, cfg)
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(h)
		a, err := svc.CreateDemo(ctx, sys)
		if err != nil {
			b.Fatal(err)
		}
		u, err := svc.CreateUser(ctx, sys, app.NewUser{Login: "bench", Name: "Bench", Password: "benchmark password", Admin: true})
		if err != nil {
			b.Fatal(err)
		}
		token, err := svc.StartSession(ctx, app.Principal{User: u}, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		for _, page := range []struct{ name, path string }{{"login", "/login"}, {"dashboard", "/a/" + a.ID + "/"}} {
			b.Run(page.name+"/"+name, func(b *testing.B) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+page.path, nil)
				req.Header.Set("Cookie", "isogap_session="+token)
				for b.Loop() {
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Fatalf("GET %s: %d", page.path, res.StatusCode)
					}
				}
			})
		}
		srv.Close()
	}
}

// BenchmarkRequest is what counting one request costs on its own.
func BenchmarkRequest(b *testing.B) {
	m := metrics.New()
	for b.Loop() {
		m.Request(http.MethodGet, "GET /a/{id}/{$}", http.StatusOK, 3*time.Millisecond)
	}
}
