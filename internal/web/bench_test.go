package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/web"
)

// benchClients is how many browsers hit the server at once.
const benchClients = 32

// BenchmarkWeb measures the web app over real loopback HTTP with 32
// concurrent clients: the matrix page of the demo (123 items) and its
// dashboard (plain, gzip-compressed, and asked again with their ETag), its forecast
// and roadmap pages, a score update from the matrix's inline editor, and,
// as the upper bound, the same server sending a static file of the matrix
// page's size. scripts/bench-web
// runs it and prints a table.
func BenchmarkWeb(b *testing.B) {
	for _, e := range engines {
		// Without ISOGAP_TEST_POSTGRES, testenv skips the postgres run (fails it under CI=true).
		b.Run(e.name, func(b *testing.B) { benchEngine(b, e) })
	}
}

func benchEngine(b *testing.B, e engine) {
	ctx := context.Background()
	st := e.open(b)
	svc := app.New(st, app.Config{})
	h, err := web.New(svc, web.Config{})
	if err != nil {
		b.Fatal(err)
	}
	demo, err := svc.CreateDemo(ctx, app.System("bench"))
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, app.System("bench"), app.NewUser{Login: "bench", Name: "Bench", Password: "benchmark password", Admin: true})
	if err != nil {
		b.Fatal(err)
	}
	token, err := svc.StartSession(ctx, app.Principal{User: u}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	cookie := "isogap_session=" + token
	matrixPath := "/a/" + demo.ID + "/matrix"

	// The upper bound: the same server (same listener, same middleware
	// chain in front) sending bytes it already holds.
	static := []byte{}
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("GET /bench/static", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "static.html", time.Time{}, bytes.NewReader(static))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	hc := &http.Client{
		Transport:     &http.Transport{MaxIdleConns: benchClients * 2, MaxIdleConnsPerHost: benchClients * 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	// fetch sends a GET as a browser would: with the Accept-Encoding and
	// If-None-Match given (an explicit Accept-Encoding keeps the client
	// from decoding, as a browser's cache would keep the bytes).
	fetch := func(path, acceptEncoding, etag string) (body []byte, tag string, err error) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Accept-Encoding", acceptEncoding)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		res, err := hc.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer res.Body.Close()
		body, err = io.ReadAll(res.Body)
		if err == nil && res.StatusCode != 200 && !(etag != "" && res.StatusCode == http.StatusNotModified) {
			err = fmt.Errorf("GET %s: %d", path, res.StatusCode)
		}
		return body, res.Header.Get("ETag"), err
	}
	get := func(path string) ([]byte, error) {
		body, _, err := fetch(path, "identity", "")
		return body, err
	}
	page, err := get(matrixPath)
	if err != nil {
		b.Fatal(err)
	}
	static = bytes.Repeat([]byte("x"), len(page))

	// The matrix and the dashboard three ways: plain, gzip-compressed,
	// and asked again with the ETag of the last answer (nothing changed:
	// 304 once pages carry ETags, the page again before).
	for _, name := range []string{"matrix", "dashboard"} {
		path := matrixPath
		if name == "dashboard" {
			path = "/a/" + demo.ID + "/"
		}
		body, err := get(path)
		if err != nil {
			b.Fatal(err)
		}
		zbody, tag, err := fetch(path, "gzip", "")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			load(b, func(int) error { _, err := get(path); return err }, len(body))
		})
		b.Run(name+"-gzip", func(b *testing.B) {
			load(b, func(int) error { _, _, err := fetch(path, "gzip", ""); return err }, len(zbody))
		})
		if tag == "" {
			tag = `"none"`
		}
		notMod, _, err := fetch(path, "gzip", tag)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"-etag", func(b *testing.B) {
			load(b, func(int) error { _, _, err := fetch(path, "gzip", tag); return err }, len(notMod))
		})
	}
	// The result pages: each request computes the forecast (1,000 Monte
	// Carlo runs) and draws its chart.
	for _, name := range []string{"forecast", "roadmap"} {
		path := "/a/" + demo.ID + "/" + name
		body, err := get(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			load(b, func(int) error { _, err := get(path); return err }, len(body))
		})
	}
	b.Run("static", func(b *testing.B) {
		load(b, func(int) error { _, err := get("/bench/static"); return err }, len(static))
	})

	// Each client edits the score of its own item and posts what the
	// matrix row's form sends (every field of the row with the value it
	// was shown with), with the version the last answer gave it, as the
	// inline editor does.
	v, _, err := svc.View(ctx, app.System("bench"), demo.ID)
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]assess.Item, benchClients)
	for i := range rows {
		rows[i] = v.Items[i*3]
	}
	versionRE := regexp.MustCompile(`name="version" value="(\d+)"`)
	var mu sync.Mutex
	b.Run("score-update", func(b *testing.B) {
		load(b, func(client int) error {
			mu.Lock()
			it := rows[client]
			mu.Unlock()
			ref, ver, was := it.Ref, it.Version, ""
			if it.Score.Assessed() {
				was = strconv.Itoa(int(it.Score))
			}
			score := 1 + ver%5
			if score == int(it.Score) {
				score = score%5 + 1 // always a change: a write
			}
			f := url.Values{"version": {strconv.Itoa(ver)}, "return": {matrixPath},
				"score": {strconv.Itoa(score)}, "was_score": {was}, "owner": {it.Owner}, "was_owner": {it.Owner},
				"priority": {string(it.Priority)}, "was_priority": {string(it.Priority)},
				"target_date": {it.TargetDate.String()}, "was_target_date": {it.TargetDate.String()}}
			req, _ := http.NewRequest("POST", srv.URL+"/a/"+demo.ID+"/matrix/"+ref, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", cookie)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("X-Isogap-Inline", "1")
			res, err := hc.Do(req)
			if err != nil {
				return err
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				return err
			}
			if res.StatusCode != 200 {
				return fmt.Errorf("update %s: %d %s", ref, res.StatusCode, body[:min(300, len(body))])
			}
			m := versionRE.FindSubmatch(body)
			if m == nil {
				return fmt.Errorf("update %s: no version in the answer", ref)
			}
			n, _ := strconv.Atoi(string(m[1]))
			mu.Lock()
			rows[client].Version, rows[client].Score = n, assess.Score(score)
			mu.Unlock()
			return nil
		}, 0)
	})
}

// load sends b.N requests from benchClients goroutines and reports the
// throughput and the latency percentiles.
func load(b *testing.B, do func(client int) error, size int) {
	lat := make([][]time.Duration, benchClients)
	next := make(chan struct{}, b.N)
	for i := 0; i < b.N; i++ {
		next <- struct{}{}
	}
	close(next)
	errs := make(chan error, benchClients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				t0 := time.Now()
				if err := do(c); err != nil {
					errs <- err
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	if size > 0 {
		b.ReportMetric(float64(size), "bytes/resp")
	}
}
