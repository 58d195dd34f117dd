// Package web is isogap's web application: server-rendered pages from
// html/template, assets embedded in the binary, every rule asked of
// package app. Routes are listed in routes.go.
package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// Config is everything the web app is told; there is no other state.
type Config struct {
	// SecureCookies marks the session cookie Secure even on plain HTTP
	// (when TLS ends in front of isogap and TrustProxy is off).
	SecureCookies bool
	// TrustProxy honours X-Forwarded-Proto and X-Forwarded-For from a
	// reverse proxy in front of isogap. Never set it when clients reach
	// isogap directly: they could then forge their address.
	TrustProxy bool
	// SessionTTL is how long a session lasts without use (default 12 h).
	SessionTTL time.Duration
	// MaxUpload caps an evidence upload (default app.MaxEvidenceFile).
	MaxUpload int64
	// Formats are the downloads offered (default app.DefaultFormats()).
	Formats []app.Format
	Logger  *slog.Logger
	// AccessLog logs every request (method, route, path, status,
	// duration, user id) at level Info.
	AccessLog bool
	// ReadyTimeout bounds the database check of /readyz (default 2 s).
	ReadyTimeout time.Duration
	// Metrics hears of every request once answered (nil: nobody).
	Metrics RequestMetrics
	// MetricsHandler, when set, is served at GET /metrics like any page:
	// give it protected (a bearer token), or serve it on a listener of its
	// own instead.
	MetricsHandler http.Handler
	// BaseURL is the site's address in invitation links
	// ("https://isogap.example.com"); empty takes the address each
	// request reached.
	BaseURL string
	// PageCacheBytes bounds the memory of the rendered pages kept by
	// ETag (default 64 MiB; negative: keep none).
	PageCacheBytes int64
	// InterviewPack writes a printable interview guide (PDF); nil offers
	// none. The wiring passes report.WriteInterviewPack.
	InterviewPack func(w io.Writer, in PackInput) error
	// API, when set, serves every path under /api/: outside the session
	// cookie and the cross-origin protection (it authenticates by bearer
	// token, which a browser never sends by itself), inside the request
	// log, metrics, compression and panic recovery.
	API http.Handler
}

// RequestMetrics hears of every request once it is answered: its method,
// the route pattern it matched ("" for none; never the path, which holds
// ids), its status and how long it took.
type RequestMetrics interface {
	Request(method, route string, status int, d time.Duration)
}

// Server serves the web app.
type Server struct {
	svc     *app.Service
	cfg     Config
	log     *slog.Logger
	errs    *errorLog
	mux     *http.ServeMux
	pages   *pages
	assets  *assets
	rowHTML rowOptions
	handler http.Handler
	// build is part of every page's ETag (buildKey).
	build string
	// cache keeps rendered pages by ETag (nil: none).
	cache *pageCache
}

const sessionCookie = "isogap_session"

// New builds the web app on a service.
func New(svc *app.Service, cfg Config) (*Server, error) {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = app.MaxEvidenceFile
	}
	if cfg.Formats == nil {
		cfg.Formats = app.DefaultFormats()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = 2 * time.Second
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{svc: svc, cfg: cfg, log: cfg.Logger, errs: newErrorLog(cfg.Logger, errorLogInterval), assets: as, rowHTML: buildRowOptions(),
		cache: newPageCache(cfg.PageCacheBytes)}
	if s.pages, err = loadPages(as); err != nil {
		return nil, err
	}
	if s.build, err = buildKey(as, cfg.Formats); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	s.mux = mux
	s.routes(mux)
	// Cross-site requests that change state are refused (Sec-Fetch-Site /
	// Origin checks); the SameSite cookie is the second line.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, assess.Errorf(assess.KindForbidden, "this request came from another site and was refused (cross-site request forgery protection): reload the page and try again"))
	}))
	var site http.Handler = securityHeaders(cop.Handler(s.limitBody(mux)))
	if cfg.API != nil {
		top := http.NewServeMux()
		top.Handle("/api/", cfg.API)
		top.Handle("/", site)
		site = top
	}
	s.handler = s.request(compress(s.recoverer(site)))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// csp allows nothing but this origin: no inline script, no inline style,
// no framing. Charts are inline SVG with presentation attributes only.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.errs.error(r, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// isTLS reports whether the browser reached us over HTTPS.
func (s *Server) isTLS(r *http.Request) bool {
	if r.TLS != nil || s.cfg.SecureCookies {
		return true
	}
	return s.cfg.TrustProxy && strings.EqualFold(strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0]), "https")
}

// clientAddr is the address sign-in attempts are counted against.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			// The proxy appends the address it saw: the last entry is the one to trust.
			if a := strings.TrimSpace(parts[len(parts)-1]); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.isTLS(r), SameSite: http.SameSiteLaxMode,
	})
}

// principal returns the signed-in principal, or an Unauthenticated error.
// It is resolved once per request and kept in the request's state.
func (s *Server) principal(r *http.Request) (app.Principal, error) {
	st := stateOf(r)
	if st != nil && st.principal != nil {
		return *st.principal, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return app.Principal{}, assess.Errorf(assess.KindUnauthenticated, "not signed in")
	}
	p, err := s.svc.ResolveSession(r.Context(), c.Value, s.cfg.SessionTTL)
	if err == nil && st != nil {
		st.principal = &p
	}
	return p, err
}

// fail answers with the error's status, taken from the one table,
// kindStatus. A page that needs a session sends the browser to sign in.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	kind := assess.KindOf(err)
	status := httpStatus(kind)
	if kind == assess.KindUnauthenticated && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	msg := err.Error()
	if kind == assess.KindInternal {
		s.errs.error(r, "request failed", err.Error())
		msg = "Something went wrong on our side. The error was logged; please try again."
	}
	if kind == assess.KindRateLimited {
		w.Header().Set("Retry-After", "900")
	}
	page := &errorPage{Status: status, Kind: kind.String(), Message: msg}
	page.Title = http.StatusText(status)
	if p, perr := s.principal(r); perr == nil {
		page.User = &p.User
	}
	s.render(w, r, status, "error", page)
}

// isInline reports a request from the matrix's inline editing script,
// which wants a table row back instead of a page.
func isInline(r *http.Request) bool { return r.Header.Get("X-Isogap-Inline") == "1" }
