package cli_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/testenv"
)

// httpGet answers the status and body of a GET, with an Authorization
// header if auth is set.
func httpGet(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := noRedirect().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// serveURLs starts "serve" and returns the app's and the metrics' URLs as
// it printed them.
func serveURLs(t *testing.T, dir string, lines int, args ...string) (app, metrics string) {
	t.Helper()
	got := startServer(t, dir, lines, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	app = strings.Fields(strings.SplitN(got[0], "serving on ", 2)[1])[0]
	if lines > 1 {
		m, ok := strings.CutPrefix(got[1], "Metrics are served on ")
		if !ok {
			t.Fatalf("serve %v printed %q, no metrics' address", args, got)
		}
		metrics = m
	}
	return app, metrics
}

// "serve --metrics-listen" serves the metrics on an address of their own
// and not on the app's, with the engine's pools (both engines): requests
// to the app are counted by route pattern.
func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	pg := testenv.PostgresSchema(t)
	mustRun(t, t.TempDir(), "--db", pg, "migrate")
	for _, tc := range []struct{ engine, db, pools string }{
		{"sqlite", "isogap.db", `isogap_db_connections_max{engine="sqlite",pool="write"} 1`},
		{"postgres", pg, fmt.Sprintf(`isogap_db_connections_max{engine="postgres",pool="write"} %d`, max(4, runtime.NumCPU()))},
	} {
		t.Run(tc.engine, func(t *testing.T) {
			dir := t.TempDir()
			app, metrics := serveURLs(t, dir, 2, "--db", tc.db, "--metrics-listen", "127.0.0.1:0")
			if !strings.HasPrefix(metrics, "http://127.0.0.1:") || !strings.HasSuffix(metrics, "/metrics") || strings.HasPrefix(metrics, app) {
				t.Fatalf("metrics' address %q (the app's %q)", metrics, app)
			}
			if s, _ := httpGet(t, app+"metrics", ""); s != http.StatusNotFound {
				t.Errorf("GET /metrics on the app's address: %d, want 404", s)
			}
			httpGet(t, app+"a/some-id/", "")
			s, body := httpGet(t, metrics, "")
			if s != http.StatusOK {
				t.Fatalf("GET %s: %d %s", metrics, s, body)
			}
			for _, want := range []string{
				tc.pools,
				`isogap_http_requests_total{code="303",method="GET",route="GET /a/{id}/{$}"} 1`,
				`isogap_sign_ins_total{outcome="failed"} 0`,
				`isogap_save_conflicts_total 0`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("the metrics have no line %s:\n%s", want, body)
				}
			}
			if strings.Contains(body, "some-id") {
				t.Error("the metrics hold a request's path")
			}
		})
	}
}

// "serve --metrics-token" serves the metrics on the app's address to the
// bearer of the token only ("demo" too); without either flag there are none.
func TestServeMetricsBehindAToken(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	app, metrics := serveURLs(t, t.TempDir(), 2, "--metrics-token", token)
	if metrics != app+"metrics" {
		t.Errorf("metrics' address %q, want the app's %q + metrics", metrics, app)
	}
	if s, _ := httpGet(t, metrics, ""); s != http.StatusUnauthorized {
		t.Errorf("GET /metrics without the token: %d, want 401", s)
	}
	if s, body := httpGet(t, metrics, "Bearer "+token); s != http.StatusOK || !strings.Contains(body, "isogap_http_requests_total") {
		t.Errorf("GET /metrics with the token: %d %s", s, body)
	}
	demo := startServer(t, t.TempDir(), 4, "demo", "--addr", "127.0.0.1:0", "--metrics-token", token)
	if base := strings.TrimPrefix(demo[0], "URL: "); demo[3] != "Metrics: "+base+"metrics" {
		t.Errorf("demo printed %q, want the metrics' address after the password", demo)
	}
	plain, _ := serveURLs(t, t.TempDir(), 1)
	if s, _ := httpGet(t, plain+"metrics", "Bearer "+token); s != http.StatusNotFound {
		t.Errorf("GET /metrics of a server told nothing of metrics: %d, want 404", s)
	}
}

func TestServeMetricsFlagsAreChecked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--metrics-token", "short"}, "at least 16 characters"},
		{[]string{"ISOGAP_METRICS_TOKEN=short"}, nil, "--metrics-token"},
		{nil, []string{"--metrics-listen", "9090"}, "want HOST:PORT"},
		{[]string{"ISOGAP_METRICS_LISTEN=127.0.0.1:8080"}, []string{"--addr", "127.0.0.1:8080"}, "address of their own"},
		{nil, []string{"--base-url", "isogap.example.com"}, "--base-url"},
		{nil, []string{"--base-url", "ftp://isogap.example.com"}, "such as https://"},
		{[]string{"ISOGAP_BASE_URL=https://"}, nil, "--base-url"},
	} {
		r := run(t, dir, tc.env, append([]string{"serve"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("serve %v with %v: exit %d %s, want %q", tc.args, tc.env, r.code, r.stderr, tc.want)
		}
	}
}
