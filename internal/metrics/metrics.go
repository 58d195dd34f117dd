// Package metrics counts what an operator of the web app watches and serves
// it in the Prometheus text format: requests by route and status, the
// database's connection pools, saves refused as conflicts, sign-ins and
// imports. It is the one package that knows Prometheus: the web app and the
// service report through their own small interfaces (web.RequestMetrics,
// app.Observer), which Metrics implements.
package metrics

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/store"
)

// Metrics holds isogap's metrics in a registry of its own (not the
// library's global one, so nothing else can add to it).
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	conflicts prometheus.Counter
	signIns   *prometheus.CounterVec
	imports   *prometheus.CounterVec
}

var _ app.Observer = (*Metrics)(nil)

// New makes the metrics, every series of the app's events starting at zero
// so a scrape lists them before the first event. The Go runtime's and the
// process's own metrics (memory, CPU, open files) come with them.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "isogap_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "isogap_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "code"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "isogap_save_conflicts_total",
			Help: "Saves of an item refused because someone changed the same fields since the version the editor saw.",
		}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "isogap_sign_ins_total",
			Help: "Sign-in attempts by outcome: ok, failed (wrong login or password, disabled account) or throttled (refused unchecked after repeated failures).",
		}, []string{"outcome"}),
		imports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "isogap_imports_total",
			Help: "Imports by format (json, workbook) and outcome: ok, conflict or refused (nothing written).",
		}, []string{"format", "outcome"}),
	}
	for _, o := range app.SignInOutcomes {
		m.signIns.WithLabelValues(string(o))
	}
	for _, f := range app.ImportFormats {
		for _, o := range app.ImportOutcomes {
			m.imports.WithLabelValues(f, string(o))
		}
	}
	m.reg.MustRegister(m.requests, m.latency, m.conflicts, m.signIns, m.imports,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// MinTokenLength is the shortest bearer token Protect accepts.
const MinTokenLength = 16

// Protect answers 401 to a request without the header
// "Authorization: Bearer TOKEN", and passes the others to h.
func Protect(h http.Handler, token string) http.Handler {
	want := sha256.Sum256([]byte("Bearer " + token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hashing both sides makes the comparison's time independent of
		// the token's length as well as its content.
		got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="isogap metrics"`)
			http.Error(w, "metrics need the bearer token given to isogap serve --metrics-token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Request counts an answered request. route is the pattern the request
// matched ("" for none), never its path: a path holds ids, and a label
// must take few values. An unusual method is counted as "other".
func (m *Metrics) Request(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "(no route)"
	}
	labels := []string{knownMethod(method), route, strconv.Itoa(status)}
	m.requests.WithLabelValues(labels...).Inc()
	m.latency.WithLabelValues(labels...).Observe(d.Seconds())
}

func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// SaveConflict implements app.Observer.
func (m *Metrics) SaveConflict() { m.conflicts.Inc() }

// SignIn implements app.Observer.
func (m *Metrics) SignIn(o app.SignInOutcome) { m.signIns.WithLabelValues(string(o)).Inc() }

// Import implements app.Observer.
func (m *Metrics) Import(format string, o app.ImportOutcome) {
	m.imports.WithLabelValues(format, string(o)).Inc()
}

// WatchStore adds the store's connection pools and retried transactions,
// read at each scrape.
func (m *Metrics) WatchStore(st store.StatsReporter) error {
	return m.reg.Register(storeCollector{st})
}
