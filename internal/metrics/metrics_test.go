package metrics_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/metrics"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/store/sqlite"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

const token = "a-token-of-thirty-two-characters"

// openStore opens a fresh store of the engine: a SQLite file, or a
// PostgreSQL schema.
func openStore(t testing.TB, engine string) store.Store {
	ctx := context.Background()
	var st store.Store
	var err error
	if engine == "postgres" {
		dsn := testenv.PostgresSchema(t)
		if _, _, err := postgres.Migrate(ctx, dsn); err != nil {
			t.Fatal(err)
		}
		st, err = postgres.Open(ctx, dsn, postgres.Options{})
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "isogap.db"), sqlite.Options{AutoInit: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// scrape reads the metrics as Prometheus would, parsed by the client
// library's own text parser.
func scrape(t *testing.T, base, tok string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET /metrics: %d %s", res.StatusCode, b)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("GET /metrics answers %q, want the text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	return fams
}

// value sums the series of a family whose labels include want: counters,
// gauges, and a histogram's count of observations.
func value(fams map[string]*dto.MetricFamily, name string, want ...string) float64 {
	var sum float64
next:
	for _, m := range fams[name].GetMetric() {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(want); i += 2 {
			if have[want[i]] != want[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// browser sends requests as a signed-in browser would.
type browser struct {
	t      *testing.T
	base   string
	cookie *http.Cookie
}

func (b *browser) do(method, path string, body io.Reader, contentType string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.base+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.Name == "isogap_session" && c.Value != "" {
			b.cookie = c
		}
	}
	return res.StatusCode, string(out)
}

func (b *browser) post(path string, kv ...string) int {
	b.t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	status, _ := b.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	return status
}

func (b *browser) upload(path, name string, content []byte) int {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	status, _ := b.do(http.MethodPost, path, &buf, mw.FormDataContentType())
	return status
}

// A running web app whose service and requests report to the metrics,
// served on the app's address behind the token: real requests (a save, a
// conflict, failed and throttled sign-ins, imports) move the counters, the
// routes are patterns without ids, and the pools are those of the engine.
func TestRealRequestsMoveTheCounters(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { realRequestsMoveTheCounters(t, engine) })
	}
}

func realRequestsMoveTheCounters(t *testing.T, engine string) {
	ctx := context.Background()
	st := openStore(t, engine)
	m := metrics.New()
	if err := m.WatchStore(st.(store.StatsReporter)); err != nil {
		t.Fatal(err)
	}
	svc := app.New(st, app.Config{Events: m})
	h, err := web.New(svc, web.Config{Metrics: m, MetricsHandler: metrics.Protect(m.Handler(), token)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	sys := app.System("test")
	if _, err := svc.CreateUser(ctx, sys, app.NewUser{Login: "root", Name: "Root Example", Password: "correct horse battery", Admin: true}); err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	before := scrape(t, srv.URL, token)
	for _, name := range []string{"isogap_save_conflicts_total", "isogap_sign_ins_total", "isogap_imports_total",
		"isogap_db_connections", "isogap_db_connections_max", "isogap_db_transaction_retries_total", "go_goroutines"} {
		if before[name] == nil {
			t.Errorf("the first scrape has no %s", name)
		}
	}

	root := &browser{t: t, base: srv.URL}
	if s := root.post("/login", "login", "root", "password", "correct horse battery"); s != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", s)
	}
	// Wrong passwords for another login until the sign-ins are throttled.
	var failed, throttled float64
	guesser := &browser{t: t, base: srv.URL}
	for i := 0; i <= app.MaxFailuresPair && throttled == 0; i++ {
		switch s := guesser.post("/login", "login", "mallory", "password", "guess"); s {
		case http.StatusUnauthorized:
			failed++
		case http.StatusTooManyRequests:
			throttled++
		default:
			t.Fatalf("a wrong password: %d", s)
		}
	}
	item := "/a/" + a.ID + "/items/A.5.15"
	it, err := svc.Item(ctx, sys, a.ID, "A.5.15")
	if err != nil {
		t.Fatal(err)
	}
	opened := strconv.Itoa(it.Version)
	if s := root.post(item, "version", opened, "action", "Write the access control policy"); s != http.StatusSeeOther {
		t.Fatalf("save: %d", s)
	}
	if s := root.post(item, "version", opened, "action", "Buy a tool"); s != http.StatusConflict {
		t.Fatalf("stale save of the same field: %d, want 409", s)
	}
	var export bytes.Buffer
	if err := svc.Export(ctx, sys, a.ID, jsonFormat(t), &export); err != nil {
		t.Fatal(err)
	}
	if s := root.upload("/import", "export.json", export.Bytes()); s != http.StatusSeeOther {
		t.Fatalf("import: %d", s)
	}
	if s := root.upload("/import", "export.json", []byte("not an export")); s != http.StatusUnprocessableEntity {
		t.Fatalf("import of a broken file: %d", s)
	}

	after := scrape(t, srv.URL, token)
	moved := func(name string, want float64, labels ...string) {
		t.Helper()
		if d := value(after, name, labels...) - value(before, name, labels...); d != want {
			t.Errorf("%s%v moved by %v, want %v", name, labels, d, want)
		}
	}
	moved("isogap_save_conflicts_total", 1)
	moved("isogap_sign_ins_total", 1, "outcome", "ok")
	moved("isogap_sign_ins_total", failed, "outcome", "failed")
	moved("isogap_sign_ins_total", 1, "outcome", "throttled")
	moved("isogap_imports_total", 1, "format", "json", "outcome", "ok")
	moved("isogap_imports_total", 1, "format", "json", "outcome", "refused")
	moved("isogap_imports_total", 0, "format", "workbook")
	itemRoute := "POST /a/{id}/items/{ref}"
	moved("isogap_http_requests_total", 1, "method", "POST", "route", itemRoute, "code", "303")
	moved("isogap_http_requests_total", 1, "method", "POST", "route", itemRoute, "code", "409")
	moved("isogap_http_request_duration_seconds", 2, "route", itemRoute)
	moved("isogap_http_requests_total", 1, "route", "POST /import", "code", "422")
	moved("isogap_http_requests_total", failed, "route", "POST /login", "code", "401")
	// The first scrape is counted once answered: in the second.
	moved("isogap_http_requests_total", 1, "route", "GET /metrics", "code", "200")
	if failed < 1 {
		t.Errorf("no wrong password was refused as such before the throttle")
	}

	// Labels hold route patterns: never an id, a ref or a login.
	for name, f := range after {
		for _, s := range f.Metric {
			for _, l := range s.Label {
				if v := l.GetValue(); strings.Contains(v, a.ID) || strings.Contains(v, "A.5.15") || strings.Contains(v, "mallory") {
					t.Errorf("%s has the label %s=%q", name, l.GetName(), v)
				}
			}
		}
	}

	// The pools are the engine's: SQLite reads and writes on pools of their
	// own, with one writer; PostgreSQL has one pool.
	pools := map[string]float64{}
	for _, s := range after["isogap_db_connections_max"].GetMetric() {
		labels := map[string]string{}
		for _, l := range s.Label {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["engine"] != engine {
			t.Errorf("a pool of engine %q, want %q", labels["engine"], engine)
		}
		pools[labels["pool"]] = s.Gauge.GetValue()
	}
	switch engine {
	case "sqlite":
		if len(pools) != 2 || pools["write"] != 1 || pools["read"] < 1 {
			t.Errorf("SQLite pools (most connections): %v, want read and a write pool of 1", pools)
		}
	case "postgres":
		if want := float64(max(4, runtime.NumCPU())); len(pools) != 2 || pools["write"] != want || pools["read"] != want {
			t.Errorf("PostgreSQL pools (most connections): %v, want read and write pools of %v", pools, want)
		}
	}
	if open := value(after, "isogap_db_connections"); open < 1 {
		t.Errorf("%v connections open after the requests, want at least 1", open)
	}
}

func jsonFormat(t *testing.T) app.Format {
	for _, f := range app.DefaultFormats() {
		if f.Name == "json" {
			return f
		}
	}
	t.Fatal("no json format")
	return app.Format{}
}

// Workbook imports are counted by outcome: applied, stopped by a conflict
// (a field changed both in the workbook and in isogap), refused.
func TestWorkbookImportsAreCounted(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "sqlite")
	m := metrics.New()
	svc := app.New(st, app.Config{Events: m})
	sys := app.System("test")
	a, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	it, _ := svc.Item(ctx, sys, a.ID, "A.5.1")
	notes := "Reviewed"
	reviewed, err := svc.UpdateItem(ctx, sys, a.ID, "A.5.1", 0, app.ItemPatch{Notes: &notes})
	if err != nil {
		t.Fatal(err)
	}
	row := func(v string, base *app.SheetBase) []app.SheetBook {
		return []app.SheetBook{{Name: "returned.xlsx", Rows: []app.SheetRow{{Ref: "A.5.1", RefCell: "Gap Checklist!A5",
			Values: map[app.SheetField]string{app.FieldNotes: v}, Cells: map[app.SheetField]string{app.FieldNotes: "Gap Checklist!N5"}, Base: base}}}}
	}
	// Exported before the notes were set: the workbook changed them too.
	stale := &app.SheetBase{AssessmentID: a.ID, Ref: "A.5.1", Version: it.Version, Was: func(f app.SheetField, v string) bool { return v == "" }}
	if _, err := svc.ImportSheets(ctx, sys, a.ID, row("Not reviewed", stale), app.SheetImportOptions{}); err == nil {
		t.Fatal("a conflicting workbook was imported")
	}
	// Exported after: a plain update.
	current := &app.SheetBase{AssessmentID: a.ID, Ref: "A.5.1", Version: reviewed.Version, Was: func(f app.SheetField, v string) bool { return v == notes }}
	if _, err := svc.ImportSheets(ctx, sys, a.ID, row("Reviewed twice", current), app.SheetImportOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportSheets(ctx, sys, a.ID, row("Reviewed twice", current), app.SheetImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportSheets(ctx, sys, "no-such-assessment", row("x", nil), app.SheetImportOptions{}); err == nil {
		t.Fatal("an import into no assessment was applied")
	}
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	fams := scrape(t, srv.URL, "")
	for outcome, want := range map[string]float64{"ok": 1, "conflict": 1, "refused": 1} {
		if got := value(fams, "isogap_imports_total", "format", "workbook", "outcome", outcome); got != want {
			t.Errorf("workbook imports %s: %v, want %v (the dry run is not an import)", outcome, got, want)
		}
	}
}

// Metrics are off unless the server is given a handler for them; given one
// behind a token, a request without the token, or with another, gets 401.
func TestMetricsAreOffOrProtected(t *testing.T) {
	st := openStore(t, "sqlite")
	get := func(h http.Handler, auth string) int {
		srv := httptest.NewServer(h)
		defer srv.Close()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	svc := app.New(st, app.Config{})
	off, err := web.New(svc, web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if s := get(off, ""); s != http.StatusNotFound {
		t.Errorf("GET /metrics of a server without metrics: %d, want 404", s)
	}
	m := metrics.New()
	on, err := web.New(svc, web.Config{Metrics: m, MetricsHandler: metrics.Protect(m.Handler(), token)})
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []string{"", "Bearer", "Bearer " + token[:len(token)-1], "Basic " + token, "bearer " + token + "x"} {
		if s := get(on, auth); s != http.StatusUnauthorized {
			t.Errorf("GET /metrics with Authorization %q: %d, want 401", auth, s)
		}
	}
	if s := get(on, "Bearer "+token); s != http.StatusOK {
		t.Errorf("GET /metrics with the token: %d, want 200", s)
	}
}
