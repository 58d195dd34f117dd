package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/web"
)

// BenchmarkPortfolioPage measures, on the database ISOGAP_BENCH_DB names
// (a SQLite file or a PostgreSQL DSN, filled by "isogap demo --clients N"),
// the portfolio an administrator sees: app.Service.Portfolio alone, and the
// whole page (GET /) through the web handler. It reports the rows, the
// page's size and the process's peak resident memory. scripts/bench-portfolio
// runs it and prints a table.
func BenchmarkPortfolioPage(b *testing.B) {
	dsn := os.Getenv("ISOGAP_BENCH_DB")
	if dsn == "" {
		b.Skip("ISOGAP_BENCH_DB names no database (scripts/bench-portfolio sets it)")
	}
	ctx := context.Background()
	st, err := open.Store(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := app.New(st, app.Config{})
	h, err := web.New(svc, web.Config{})
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, app.System("bench"), app.NewUser{Login: fmt.Sprintf("bench%d", time.Now().UnixNano()),
		Name: "Bench", Password: "benchmark password", Admin: true})
	if err != nil {
		b.Fatal(err)
	}
	p := app.Principal{User: u}
	token, err := svc.StartSession(ctx, p, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	list, err := svc.Portfolio(ctx, p) // and keep any summary not kept yet
	if err != nil {
		b.Fatal(err)
	}
	report := func(b *testing.B) {
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
			b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MB")
		}
		b.ReportMetric(float64(len(list)), "rows")
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	}
	b.Run("service", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Portfolio(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("page", func(b *testing.B) {
		var size int
		for b.Loop() {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", "isogap_session="+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("GET /: %d", rec.Code)
			}
			size = rec.Body.Len()
		}
		report(b)
		b.ReportMetric(float64(size), "bytes")
	})
}
