// Package api is isogap's JSON REST API under /api/v1/: the same use cases
// as the web app and the CLI, for scripts and other tools, authenticated by
// personal access tokens only. Its routes are listed once, in routes.go,
// and the OpenAPI description served at /api/v1/openapi.json is generated
// from that table and the Go types it names (openapi.go), so the two cannot
// drift apart unnoticed.
package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// Root is the path every API route starts with.
const Root = "/api/v1"

// Config is everything the API is told.
type Config struct {
	// Formats are the exports offered (default app.DefaultFormats()), the
	// same list the web app's downloads page offers.
	Formats []app.Format
	// Rate is how many requests per second one token may make on average,
	// and Burst how many at once (defaults 10 and 40; a negative Rate
	// turns the limit off).
	Rate  float64
	Burst int
	// MaxUpload caps an evidence upload (default app.MaxEvidenceFile).
	MaxUpload int64
	// BaseURL is the site's address in interview links; empty takes the
	// address each request reached.
	BaseURL string
}

// Handler serves the API.
type Handler struct {
	svc     *app.Service
	cfg     Config
	mux     *http.ServeMux
	routes  []route
	formats map[string]app.Format
	limits  *limiter
	// doc is the OpenAPI description, built from routes (openapi.go).
	doc     []byte
	docPage []byte
	// patterns are the patterns registered on mux.
	patterns []string
}

// New builds the API on a service.
func New(svc *app.Service, cfg Config) (*Handler, error) {
	if cfg.Formats == nil {
		cfg.Formats = app.DefaultFormats()
	}
	if cfg.Rate == 0 {
		cfg.Rate = 10
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 40
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = app.MaxEvidenceFile
	}
	h := &Handler{svc: svc, cfg: cfg, mux: http.NewServeMux(), formats: map[string]app.Format{}, limits: newLimiter(cfg.Rate, cfg.Burst)}
	for _, f := range cfg.Formats {
		h.formats[f.Name] = f
	}
	h.routes = h.table()
	for _, rt := range h.routes {
		h.handle(rt.method+" "+Root+rt.path, h.serve(rt))
	}
	h.handle(Root+"/", func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, assess.Errorf(assess.KindNotFound, "no API route %s %s: the routes are listed at %s/docs", r.Method, r.URL.Path, Root))
	})
	doc, err := h.describe()
	if err != nil {
		return nil, err
	}
	h.doc = doc
	if h.docPage, err = renderReference(doc); err != nil {
		return nil, err
	}
	return h, nil
}

// handle registers a pattern; every route goes through it, so Patterns
// lists exactly what the router serves.
func (h *Handler) handle(pattern string, fn http.HandlerFunc) {
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, fn)
}

// ServeHTTP implements http.Handler. The mux sets the request's Pattern on
// the request it was given, so the web app's request log and metrics name
// the API's route.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// NotFoundPattern is the router's catch-all, which answers 404 for any
// path under the root that no route serves.
const NotFoundPattern = Root + "/"

// Patterns lists the patterns the router serves, for the test that holds
// them against the OpenAPI description.
func (h *Handler) Patterns() []string { return slices.Clone(h.patterns) }

// handlerFunc answers one request for a principal; an error becomes a
// problem details response.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p app.Principal) error

// serve wraps a route's handler: authentication, the rate limit, the body
// cap, and errors turned into problem details.
func (h *Handler) serve(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if rt.public {
			if err := rt.h(w, r, app.Principal{}); err != nil {
				h.problem(w, r, err)
			}
			return
		}
		p, err := h.authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="isogap"`)
			h.problem(w, r, err)
			return
		}
		if wait, ok := h.limits.allow(limitKey(p), time.Now()); !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			h.problem(w, r, assess.Errorf(assess.KindRateLimited, "too many requests with this token: wait %s and try again", retryAfter(wait)+" s"))
			return
		}
		limit := int64(1 << 20)
		if rt.upload {
			limit = h.cfg.MaxUpload + 1<<20
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if err := rt.h(w, r, p); err != nil {
			h.problem(w, r, err)
		}
	}
}

// authenticate resolves the bearer token of a request. Cookies never
// authenticate the API: a browser sends them by itself, a token it does not.
func (h *Handler) authenticate(r *http.Request) (app.Principal, error) {
	auth := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(auth, " ")
	if auth == "" {
		return app.Principal{}, assess.Errorf(assess.KindUnauthenticated, "no access token: send it as \"Authorization: Bearer <token>\" (create one on your account page or with \"isogap token create\")")
	}
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return app.Principal{}, assess.Errorf(assess.KindUnauthenticated, "the Authorization header is not \"Bearer <token>\"")
	}
	return h.resolve(r.Context(), secret)
}

// limiter keeps one token bucket per token.
type limiter struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	m     map[string]*rate.Limiter
}

// maxBuckets bounds the buckets kept: beyond it the map starts afresh,
// which at worst gives every token a full bucket again.
const maxBuckets = 10000

func newLimiter(perSecond float64, burst int) *limiter {
	if perSecond < 0 {
		return nil
	}
	return &limiter{every: rate.Limit(perSecond), burst: burst, m: map[string]*rate.Limiter{}}
}

// allow takes one request from key's bucket, or says how long to wait.
func (l *limiter) allow(key string, now time.Time) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	b := l.m[key]
	if b == nil {
		if len(l.m) >= maxBuckets {
			l.m = map[string]*rate.Limiter{}
		}
		b = rate.NewLimiter(l.every, l.burst)
		l.m[key] = b
	}
	l.mu.Unlock()
	res := b.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

func retryAfter(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}
