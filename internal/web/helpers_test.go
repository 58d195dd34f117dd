package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/store/sqlite"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

// engine opens stores: a SQLite file, or a PostgreSQL schema. reopen opens
// a second store (its own connection pool, as a second isogap instance
// would) on the database of the last fresh one.
type engine struct {
	name   string
	fresh  func(t testing.TB) string
	openDB func(t testing.TB, dsn string) store.Store
}

func (e engine) open(t testing.TB) store.Store { return e.openDB(t, e.fresh(t)) }

var engines = []engine{
	{"sqlite",
		func(t testing.TB) string { return filepath.Join(t.TempDir(), "isogap.db") },
		func(t testing.TB, dsn string) store.Store {
			st, err := sqlite.Open(context.Background(), dsn, sqlite.Options{AutoInit: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}},
	{"postgres",
		func(t testing.TB) string {
			dsn := testenv.PostgresSchema(t)
			if _, _, err := postgres.Migrate(context.Background(), dsn); err != nil {
				t.Fatal(err)
			}
			return dsn
		},
		func(t testing.TB, dsn string) store.Store {
			st, err := postgres.Open(context.Background(), dsn, postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}},
}

// forEngines runs a test once on each engine.
func forEngines(t *testing.T, test func(t *testing.T, e engine)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { test(t, e) })
	}
}

// site is a running web app on a real loopback port.
type site struct {
	t   testing.TB
	svc *app.Service
	st  store.Store // for tests that look below the service
	srv *httptest.Server
	web *web.Server
}

func newSite(t testing.TB, st store.Store, cfg web.Config) *site {
	t.Helper()
	return newSiteAt(t, st, cfg, nil)
}

// newSiteAt runs the web app with the service's clock standing at now
// (nil: the system clock), for tests of dates (overdue, upcoming).
func newSiteAt(t testing.TB, st store.Store, cfg web.Config, now func() time.Time) *site {
	t.Helper()
	svc := app.New(st, app.Config{Clock: now})
	h, err := web.New(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &site{t: t, svc: svc, st: st, srv: srv, web: h}
}

// user creates an account and returns a client signed in as it.
func (s *site) user(login string, admin bool) (*client, assess.User) {
	s.t.Helper()
	u, err := s.svc.CreateUser(context.Background(), app.System("test"), app.NewUser{Login: login, Name: strings.ToUpper(login[:1]) + login[1:] + " Example", Password: "correct horse battery", Admin: admin})
	if err != nil {
		s.t.Fatal(err)
	}
	return s.clientFor(u), u
}

func (s *site) clientFor(u assess.User) *client {
	// A day: a test's clients must not be signed out while it runs (the
	// lifetime is a duration, so 0x7fffffff was barely two seconds).
	token, err := s.svc.StartSession(context.Background(), app.Principal{User: u}, 24*time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	return &client{site: s, cookie: &http.Cookie{Name: "isogap_session", Value: token}}
}

func (s *site) anonymous() *client { return &client{site: s} }

// client sends requests as one browser, following no redirects.
type client struct {
	site   *site
	cookie *http.Cookie
	header http.Header
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(method, path string, body io.Reader, contentType string) response {
	c.site.t.Helper()
	req, err := http.NewRequest(method, c.site.srv.URL+path, body)
	if err != nil {
		c.site.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	// What a browser sends on a same-origin form post.
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", c.site.srv.URL)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		c.site.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

func (c *client) get(path string) response { return c.do(http.MethodGet, path, nil, "") }

func (c *client) post(path string, form url.Values) response {
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}
