package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/isogap/isogap/internal/api"
	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/store/sqlite"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

// engine opens a fresh store: a SQLite file, or a PostgreSQL schema.
type engine struct {
	name string
	open func(t testing.TB) store.Store
}

var engines = []engine{
	{"sqlite", func(t testing.TB) store.Store {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "isogap.db"), sqlite.Options{AutoInit: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
	{"postgres", func(t testing.TB) store.Store {
		dsn := testenv.PostgresSchema(t)
		if _, _, err := postgres.Migrate(context.Background(), dsn); err != nil {
			t.Fatal(err)
		}
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
}

func forEngines(t *testing.T, test func(t *testing.T, e engine)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { test(t, e) })
	}
}

// site is the web app with the API mounted, on a loopback port.
type site struct {
	t   testing.TB
	svc *app.Service
	st  store.Store
	api *api.Handler
	srv *httptest.Server
	doc *described
}

func newSite(t testing.TB, st store.Store, cfg api.Config) *site {
	t.Helper()
	svc := app.New(st, app.Config{EveryoneCreatesAssessments: true})
	h, err := api.New(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := web.New(svc, web.Config{API: h})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return &site{t: t, svc: svc, st: st, api: h, srv: srv, doc: describe(t, h)}
}

// user creates an account and a token for it.
func (s *site) user(login string) (*client, assess.User) {
	s.t.Helper()
	u, err := s.svc.CreateUser(context.Background(), app.System("test"), app.NewUser{Login: login, Name: strings.ToUpper(login[:1]) + login[1:] + " Example", Password: "correct horse battery"})
	if err != nil {
		s.t.Fatal(err)
	}
	return &client{site: s, token: s.token(u, app.NewToken{Name: "test"})}, u
}

// token makes an access token for u (a day long unless in says otherwise).
func (s *site) token(u assess.User, in app.NewToken) string {
	s.t.Helper()
	if in.Expires.IsZero() {
		in.Expires = time.Now().Add(24 * time.Hour)
	}
	tok, err := s.svc.CreateToken(context.Background(), app.Principal{User: u}, in)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok.Secret
}

// client sends requests with one token; every answer is checked against
// the OpenAPI description of its route and status.
type client struct {
	site  *site
	token string
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
}

func (c *client) do(method, path string, body any, header ...string) response {
	t := c.site.t
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
		ct = "application/json"
	case *multipart.Writer:
		panic("use upload")
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
		ct = "application/json"
	}
	req, err := http.NewRequest(method, c.site.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return c.send(req, header...)
}

func (c *client) upload(path string, fields map[string]string, file string, content []byte, header ...string) response {
	t := c.site.t
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", file)
		fw.Write(content)
	}
	mw.Close()
	req, err := http.NewRequest("POST", c.site.srv.URL+path, &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req, header...)
}

func (c *client) send(req *http.Request, header ...string) response {
	t := c.site.t
	t.Helper()
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{Status: res.StatusCode, Header: res.Header, Body: body}
	c.site.doc.check(t, req, r)
	return r
}

// described is the OpenAPI description, compiled for checking answers.
type described struct {
	mux      *http.ServeMux
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	cache    map[string]*jsonschema.Schema
}

const docURL = "https://isogap.invalid/openapi.json"

func describe(t testing.TB, h *api.Handler) *described {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(h.Description()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(docURL, doc); err != nil {
		t.Fatal(err)
	}
	d := &described{mux: http.NewServeMux(), doc: doc.(map[string]any), compiler: c, cache: map[string]*jsonschema.Schema{}}
	for path, ops := range d.doc["paths"].(map[string]any) {
		for method := range ops.(map[string]any) {
			d.mux.HandleFunc(strings.ToUpper(method)+" "+path, func(http.ResponseWriter, *http.Request) {})
		}
	}
	return d
}

func pointer(parts ...string) string {
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1")
	}
	return "#/" + strings.Join(parts, "/")
}

// check fails the test when an answer is not what the description says of
// its route and status: an undescribed status, another media type, or a
// body its schema refuses.
func (d *described) check(t testing.TB, req *http.Request, r response) {
	t.Helper()
	_, pattern := d.mux.Handler(req)
	if pattern == "" {
		if r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s answered %d but is not described", req.Method, req.URL.Path, r.Status)
		}
		return
	}
	method, path, _ := strings.Cut(pattern, " ")
	method = strings.ToLower(method)
	op := d.doc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
	status := strconv.Itoa(r.Status)
	resp, ok := op["responses"].(map[string]any)[status].(map[string]any)
	if !ok {
		t.Errorf("%s %s answered %d, which its description does not list: %s", req.Method, req.URL.Path, r.Status, r.Body)
		return
	}
	base := []string{"paths", path, method, "responses", status}
	if ref, ok := resp["$ref"].(string); ok {
		name := ref[strings.LastIndex(ref, "/")+1:]
		base = []string{"components", "responses", name}
		resp = d.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(r.Body) > 0 {
			t.Errorf("%s %s %d: the description says no body, got %s", req.Method, req.URL.Path, r.Status, r.Body)
		}
		return
	}
	ct := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
	if _, ok := content[ct]; !ok {
		if _, any := content["application/octet-stream"]; !any {
			t.Errorf("%s %s %d: Content-Type %q is not described", req.Method, req.URL.Path, r.Status, ct)
		}
		return
	}
	if ct != "application/json" && ct != "application/problem+json" {
		return
	}
	loc := docURL + pointer(append(base, "content", ct, "schema")...)
	d.mu.Lock()
	sch, ok := d.cache[loc]
	if !ok {
		var err error
		if sch, err = d.compiler.Compile(loc); err != nil {
			d.mu.Unlock()
			t.Fatalf("compile %s: %v", loc, err)
		}
		d.cache[loc] = sch
	}
	d.mu.Unlock()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
	if err != nil {
		t.Errorf("%s %s %d: not JSON: %v", req.Method, req.URL.Path, r.Status, err)
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s %s %d: the body does not match its schema: %v\n%s", req.Method, req.URL.Path, r.Status, err, r.Body)
	}
}
