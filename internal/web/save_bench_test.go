package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// BenchmarkSave is one score change through the matrix's inline editor,
// as the browser sends it, served in the process, one after another: what
// a save costs in CPU and allocations with nothing else running. wrk's
// figures under load (scripts/bench-web, score-update) are the other half.
func BenchmarkSave(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			svc, h, demo, token := benchDemo(b, e.open(b))
			v, _, err := svc.View(ctx, app.System("bench"), demo.ID)
			if err != nil {
				b.Fatal(err)
			}
			items := v.Items
			back := "/a/" + demo.ID + "/matrix"
			b.ReportAllocs()
			cpu0 := processCPU(b)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				it := &items[i%len(items)]
				score := int(it.Score)%5 + 1
				was := ""
				if it.Score.Assessed() {
					was = fmt.Sprint(int(it.Score))
				}
				form := url.Values{"version": {fmt.Sprint(it.Version)}, "return": {back}, "score": {fmt.Sprint(score)}, "was_score": {was},
					"owner": {it.Owner}, "was_owner": {it.Owner}, "priority": {string(it.Priority)}, "was_priority": {string(it.Priority)},
					"target_date": {it.TargetDate.String()}, "was_target_date": {it.TargetDate.String()}}
				req := httptest.NewRequest("POST", back+"/"+it.Ref, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.Header.Set("X-Isogap-Inline", "1")
				req.Header.Set("Cookie", "isogap_session="+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("save %s: %d %s", it.Ref, rec.Code, rec.Body.String())
				}
				it.Version++
				it.Score = assess.Score(score)
			}
			b.StopTimer()
			b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-us/op")
		})
	}
}

// processCPU is the CPU time the process has used so far, in user and
// kernel mode: with the database in the process (SQLite) its work counts
// too, with a server (PostgreSQL) only the client's side.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
