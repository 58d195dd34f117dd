package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/isogap/isogap/internal/app"
)

// This file is what an operator sees of the web app: the cap on request
// bodies, the request log, the rate-limited error log and the probes.

// reqState is what one request learns on its way through the handlers,
// shared by pointer so that no handler needs a copy of the request.
type reqState struct {
	// principal is the signed-in principal once resolved (s.principal).
	principal *app.Principal
	// etag is the page's ETag (s.cached), sent if the page renders with 200.
	etag string
}

type stateKey struct{}

func stateOf(r *http.Request) *reqState {
	st, _ := r.Context().Value(stateKey{}).(*reqState)
	return st
}

// request is the outermost layer. It makes the one copy of the request the
// handlers see (with the request's state in its context), removes the
// temporary files of a multipart form parsed on that copy (net/http removes
// only those of the request it created), logs the request and counts it
// in the metrics.
func (s *Server) request(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &reqState{}
		c := r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		defer func() {
			if c.MultipartForm != nil && c.MultipartForm != r.MultipartForm {
				c.MultipartForm.RemoveAll()
			}
		}()
		if !s.cfg.AccessLog && s.cfg.Metrics == nil {
			next.ServeHTTP(w, c)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, c)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		took := time.Since(start)
		route := c.Pattern
		if route == "" {
			// Answered before the mux (a cross-site post, an oversized
			// body): the route it was meant for.
			_, route = s.mux.Handler(c)
		}
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.Request(r.Method, route, sw.status, took)
		}
		if !s.cfg.AccessLog {
			return
		}
		// Never the query, cookies or the body: they may carry tokens and passwords.
		attrs := []any{"method", r.Method, "route", route, "path", r.URL.Path, "status", sw.status,
			"duration_ms", float64(took.Microseconds()) / 1000}
		if st.principal != nil {
			attrs = append(attrs, "user", st.principal.User.ID)
		}
		s.log.Info("request", append(attrs, "client", s.clientAddr(r))...)
	})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Request body caps. Forms are small; only the upload routes take more.
const (
	// maxFormBody caps the body of every route but the uploads: the
	// longest form (a scope of four 20,000-character texts, stakeholders)
	// is a fraction of it.
	maxFormBody = 1 << 20
	// maxImport caps a JSON export uploaded for import.
	maxImport = 256 << 20
	// uploadOverhead is what an evidence form adds to its file: the
	// multipart headers and the text fields.
	uploadOverhead = 64 << 10
)

// The routes that take large bodies, named once for routes.go and bodyCap.
const (
	routeEvidence = "POST /a/{id}/items/{ref}/evidence"
	routeImport   = "POST /import"
	routeCatalogs = "POST /catalogs"
	// routeAnswerEvidence follows the root of an interview's answer pages.
	routeAnswerEvidence = "/items/{ref}/evidence"
)

// bodyCap is the most a route reads of a request body. upload is set for
// the routes whose handlers read the body themselves, as it arrives, and
// explain an oversized one on their own page; what names it in a 413.
func (s *Server) bodyCap(pattern string) (limit int64, upload bool, what string) {
	switch {
	case strings.HasPrefix(pattern, "POST ") && strings.HasSuffix(pattern, routeAnswerEvidence):
		return s.cfg.MaxUpload + uploadOverhead, true, "an evidence file may be at most " + humanSize(s.cfg.MaxUpload)
	}
	switch pattern {
	case routeEvidence:
		return s.cfg.MaxUpload + uploadOverhead, true, "an evidence file may be at most " + humanSize(s.cfg.MaxUpload)
	case routeImport:
		return maxImport, true, "an import may be at most " + humanSize(maxImport)
	case routeCatalogs:
		return app.MaxCatalogFile + uploadOverhead, true, "a catalog file may be at most " + humanSize(app.MaxCatalogFile)
	}
	return maxFormBody, false, "a form may be at most " + humanSize(maxFormBody)
}

// limitBody caps the request body of every route, signed in or not, before
// anything parses it. A body declared larger than the route's cap is
// refused unread; a form's body is read here, up to the cap, so one that
// turns out larger is refused the same way whatever the handler would have
// made of a short read. Upload handlers read through the cap themselves.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		_, pattern := s.mux.Handler(r)
		limit, upload, what := s.bodyCap(pattern)
		if r.ContentLength > limit {
			s.tooLarge(w, r, what)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if !upload {
			body, err := io.ReadAll(r.Body)
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				s.tooLarge(w, r, what)
				return
			case err != nil:
				// The client went away or sent a broken body: nobody to answer.
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// overCap reports an error from reading past the route's body cap, with
// what the cap allows for the 413.
func (s *Server) overCap(r *http.Request, err error) (string, bool) {
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		return "", false
	}
	_, _, what := s.bodyCap(r.Pattern)
	return what, true
}

// tooLarge answers 413 without looking up anything: the sender may not be
// signed in.
func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request, what string) {
	page := &errorPage{Status: http.StatusRequestEntityTooLarge, Kind: "too large",
		Message: "The request is too large: " + what + ". Nothing was saved."}
	page.Title = http.StatusText(http.StatusRequestEntityTooLarge)
	s.render(w, r, http.StatusRequestEntityTooLarge, "error", page)
}

// errorLogInterval is how often a burst of errors of one kind on one route
// is summed up in the log.
const errorLogInterval = 10 * time.Second

// errorLog logs the first error of each kind on each route, then counts
// those that follow and logs one summary line per interval while they go
// on: a database outage costs a few lines per route, not one per request.
type errorLog struct {
	log      *slog.Logger
	interval time.Duration
	// after is time.AfterFunc (tests step it by hand).
	after func(time.Duration, func())

	mu     sync.Mutex
	bursts map[string]*burst
}

type burst struct {
	msg, route string
	suppressed int
	last       string // the last suppressed error
}

func newErrorLog(log *slog.Logger, interval time.Duration) *errorLog {
	return &errorLog{log: log, interval: interval, bursts: map[string]*burst{},
		after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// error logs msg at level Error for r, unless an error of the same msg on
// the same route was logged less than an interval ago: then it is counted.
// err is the error's text; args are further attributes of the first line.
func (l *errorLog) error(r *http.Request, msg, err string, args ...any) {
	route := r.Pattern
	if route == "" {
		route = "(no route)"
	}
	key := msg + "\x00" + route
	l.mu.Lock()
	if b, ok := l.bursts[key]; ok {
		b.suppressed++
		b.last = err
		l.mu.Unlock()
		return
	}
	l.bursts[key] = &burst{msg: msg, route: route}
	l.mu.Unlock()
	l.log.Error(msg, append([]any{"method", r.Method, "route", route, "path", r.URL.Path, "err", err}, args...)...)
	l.after(l.interval, func() { l.tick(key) })
}

// tick ends an interval of a burst: it logs how many errors were left out,
// and keeps counting for another interval, or forgets a burst that is over.
func (l *errorLog) tick(key string) {
	l.mu.Lock()
	b := l.bursts[key]
	if b == nil || b.suppressed == 0 {
		delete(l.bursts, key)
		l.mu.Unlock()
		return
	}
	n, last := b.suppressed, b.last
	b.suppressed, b.last = 0, ""
	l.mu.Unlock()
	l.log.Error(b.msg+" (repeated)", "route", b.route, "suppressed", n, "interval", l.interval.String(), "last_err", last)
	l.after(l.interval, func() { l.tick(key) })
}

// readyz answers 200 when the database answers within ReadyTimeout, and
// 503 with a short reason otherwise (the details go to the log).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.ReadyTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	err := s.svc.Ready(ctx)
	if err == nil {
		w.Write([]byte("ready\n"))
		return
	}
	reason := "the database is unavailable"
	if errors.Is(err, context.DeadlineExceeded) {
		reason = "the database did not answer within " + s.cfg.ReadyTimeout.String()
	}
	s.errs.error(r, "not ready", err.Error())
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write([]byte("not ready: " + reason + "\n"))
}
