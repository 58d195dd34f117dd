package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
)

// The error log's intervals, stepped by hand: the first error of a route
// is logged, the rest counted and summed up once per interval while they go
// on; a quiet interval ends the burst.
func TestErrorLogSumsUpBursts(t *testing.T) {
	var buf bytes.Buffer
	l := newErrorLog(slog.New(slog.NewJSONHandler(&buf, nil)), time.Minute)
	var timers []func()
	l.after = func(d time.Duration, f func()) {
		if d != time.Minute {
			t.Errorf("timer of %s", d)
		}
		timers = append(timers, f)
	}
	fire := func() {
		t.Helper()
		if len(timers) != 1 {
			t.Fatalf("%d timers pending, want 1", len(timers))
		}
		f := timers[0]
		timers = timers[1:]
		f()
	}
	lines := func() []map[string]any {
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var rec map[string]any
			if line != "" && json.Unmarshal([]byte(line), &rec) == nil {
				out = append(out, rec)
			}
		}
		buf.Reset()
		return out
	}
	req := httptest.NewRequest("GET", "/a/x/", nil)
	req.Pattern = "GET /a/{id}/"
	other := httptest.NewRequest("GET", "/account", nil)
	other.Pattern = "GET /account"

	for i := range 500 {
		l.error(req, "request failed", "database down "+string(rune('0'+i%10)))
	}
	l.error(other, "request failed", "database down")
	got := lines()
	if len(got) != 2 || got[0]["route"] != "GET /a/{id}/" || got[0]["err"] != "database down 0" || got[1]["route"] != "GET /account" {
		t.Fatalf("first lines: %v", got)
	}
	timers = timers[:1] // the other route's burst is left alone from here
	fire()
	got = lines()
	if len(got) != 1 || got[0]["msg"] != "request failed (repeated)" || got[0]["suppressed"] != float64(499) ||
		got[0]["last_err"] != "database down 9" || got[0]["route"] != "GET /a/{id}/" {
		t.Fatalf("summary: %v", got)
	}
	l.error(req, "request failed", "still down")
	fire()
	if got = lines(); len(got) != 1 || got[0]["suppressed"] != float64(1) {
		t.Fatalf("second summary: %v", got)
	}
	fire() // a quiet interval: the burst is over, nothing to say
	if got = lines(); len(got) != 0 || len(timers) != 0 {
		t.Fatalf("after a quiet interval: %v, %d timers", got, len(timers))
	}
	l.error(req, "request failed", "down again")
	if got = lines(); len(got) != 1 || got[0]["msg"] != "request failed" || got[0]["err"] != "down again" {
		t.Fatalf("a new burst: %v", got)
	}
}

// A panic is answered 500 and logged once with its stack.
func TestPanicLoggedWithStack(t *testing.T) {
	var buf bytes.Buffer
	s, err := New(app.New(nil, app.Config{}), Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := s.request(s.recoverer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Pattern = "GET /boom"
		panic("boom")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status %d", rec.Code)
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if r["msg"] == "panic" {
			found = true
			stack, _ := r["stack"].(string)
			if r["err"] != "boom" || r["route"] != "GET /boom" || !strings.Contains(stack, "goroutine") || !strings.Contains(stack, "ops_internal_test.go") {
				t.Errorf("panic line: %v", r)
			}
		}
	}
	if !found {
		t.Errorf("no panic line:\n%s", buf.String())
	}
}
