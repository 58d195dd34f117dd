package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

// formCap is the cap on the body of every route but the uploads (README).
const formCap = 1 << 20

// jsonLines parses a JSON log, one record a line.
func jsonLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// countingBody counts what the web app reads of a request body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// newCountingSite is newSite with a count of the request body bytes the web
// app reads (reset it before each request).
func newCountingSite(t *testing.T, cfg web.Config) (*site, *atomic.Int64) {
	t.Helper()
	st := engines[0].open(t)
	svc := app.New(st, app.Config{})
	h, err := web.New(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	read := &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = countingBody{r.Body, read}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &site{t: t, svc: svc, st: st, srv: srv}, read
}

// rawPost sends a POST whose body is prefix followed by size-len(prefix)
// bytes of "a", with its length declared or chunked, over a connection of
// its own. The body is written while the answer is read, as a client that
// does not wait would, and whatever the server does not read is dropped.
func rawPost(t *testing.T, s *site, path, contentType, prefix string, size int64, chunked bool, header http.Header) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", s.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Minute)) // a hung server fails the test, it does not hang it
	var head strings.Builder
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n", path, s.srv.Listener.Addr(), contentType)
	if chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n")
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", size)
	}
	header.Write(&head)
	head.WriteString("\r\n")
	written := make(chan struct{})
	go func() {
		defer close(written)
		w := bufio.NewWriter(conn)
		w.WriteString(head.String())
		body := io.MultiReader(strings.NewReader(prefix), io.LimitReader(repeat('a'), size-int64(len(prefix))))
		buf := make([]byte, 64<<10)
		for {
			n, err := body.Read(buf)
			if n > 0 {
				if chunked {
					fmt.Fprintf(w, "%x\r\n", n)
				}
				if _, werr := w.Write(buf[:n]); werr != nil {
					return
				}
				if chunked {
					w.WriteString("\r\n")
				}
			}
			if err != nil {
				break
			}
		}
		if chunked {
			w.WriteString("0\r\n\r\n")
		}
		w.Flush()
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s of %d bytes: no answer: %v", path, size, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	conn.Close()
	<-written
	return res.StatusCode, string(b)
}

type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// Oversized bodies are refused with 413 on every route, signed in or not,
// and the server reads no more of them than the cap.
func TestBodiesAreCappedBeforeParsing(t *testing.T) {
	s, read := newCountingSite(t, web.Config{})
	ctx := context.Background()
	a, err := s.svc.CreateAssessment(ctx, app.System("t"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := s.user("root", true)
	signedIn := http.Header{"Cookie": {admin.cookie.String()}}
	const huge = 100 << 20
	const boundary = "XyZ"
	multipartPrefix := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"login\"\r\n\r\n"
	for _, c := range []struct {
		name, path, contentType, prefix string
		header                          http.Header
	}{
		{"sign-in", "/login", "application/x-www-form-urlencoded", "login=", nil},
		{"sign-in, multipart", "/login", "multipart/form-data; boundary=" + boundary, multipartPrefix, nil},
		{"first-run setup", "/setup", "application/x-www-form-urlencoded", "login=", nil},
		{"a form, signed in", "/a/" + a.ID + "/scope", "application/x-www-form-urlencoded", "org=", signedIn},
	} {
		for _, chunked := range []bool{false, true} {
			read.Store(0)
			status, body := rawPost(t, s, c.path, c.contentType, c.prefix, huge, chunked, c.header)
			if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too large") || !strings.Contains(body, "1.0 MiB") {
				t.Errorf("%s, 100 MB (chunked %v): %d %s", c.name, chunked, status, excerpt(body))
			}
			if n := read.Load(); n > formCap+1 {
				t.Errorf("%s, 100 MB (chunked %v): the server read %d bytes, more than the %d-byte cap", c.name, chunked, n, formCap)
			}
		}
	}
	// A form under the cap still works.
	if r := s.anonymous().post("/login", url.Values{"login": {"root"}, "password": {"correct horse battery"}}); r.status != http.StatusSeeOther {
		t.Errorf("sign-in: %d", r.status)
	}
}

// Multipart uploads spooled to disk (evidence over 8 MiB, imports over
// 32 MiB) leave no file in the temporary folder, accepted or refused.
func TestUploadsLeaveNoTemporaryFiles(t *testing.T) {
	st := engines[0].open(t)
	s := newSite(t, st, web.Config{})
	ctx := context.Background()
	a, err := s.svc.CreateAssessment(ctx, app.System("t"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := s.user("root", true)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if os.TempDir() != tmp {
		t.Skipf("the temporary folder is %s whatever TMPDIR says", os.TempDir())
	}
	upload := func(path, field string, size int) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("text", "Backup restore report")
		fw, _ := mw.CreateFormFile(field, "report.bin")
		fw.Write(bytes.Repeat([]byte{'x'}, size))
		mw.Close()
		return admin.do("POST", path, &buf, mw.FormDataContentType())
	}
	evidence := "/a/" + a.ID + "/items/A.8.13/evidence"
	if r := upload(evidence, "file", 9<<20); r.status != http.StatusSeeOther {
		t.Fatalf("9 MiB evidence: %d %s", r.status, excerpt(r.body))
	}
	// Under the route's cap, over the evidence limit: read, then refused.
	if r := upload(evidence, "file", app.MaxEvidenceFile+1<<10); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "too large") {
		t.Errorf("evidence over the limit: %d %s", r.status, excerpt(r.body))
	}
	// Not JSON: read, then refused.
	if r := upload("/import", "file", 33<<20); r.status != http.StatusUnprocessableEntity {
		t.Errorf("33 MiB import that is not JSON: %d %s", r.status, excerpt(r.body))
	}
	// Over the route's cap, chunked: read up to the cap, then refused.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "big.bin")
	fw.Write([]byte{'x'})
	prefix := strings.TrimSuffix(buf.String(), "x")
	status, body := rawPost(t, s, evidence, mw.FormDataContentType(), prefix, 25<<20, true,
		http.Header{"Cookie": {admin.cookie.String()}, "Sec-Fetch-Site": {"same-origin"}})
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("evidence over the route's cap: %d %s", status, excerpt(body))
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, _ := e.Info()
		t.Errorf("left in the temporary folder: %s (%d bytes)", e.Name(), info.Size())
	}
}

// The request log has the route, method, status, duration and user, and
// never the session token or a password.
func TestRequestLogFields(t *testing.T) {
	var log testenv.LockedBuffer
	s := newSite(t, engines[0].open(t), web.Config{AccessLog: true, Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	a, err := s.svc.CreateAssessment(context.Background(), app.System("t"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	_, u := s.user("root", true)
	r := s.anonymous().post("/login", url.Values{"login": {"root"}, "password": {"correct horse battery"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", r.status)
	}
	root := &client{site: s, cookie: sessionCookie(t, r)}
	if r := root.get("/a/" + a.ID + "/?tab=x"); r.status != 200 {
		t.Fatalf("dashboard: %d", r.status)
	}
	s.anonymous().get("/healthz")
	text := log.String()
	for _, secret := range []string{root.cookie.Value, "correct horse battery", "isogap_session", "tab=x"} {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds %q:\n%s", secret, text)
		}
	}
	byRoute := map[string]map[string]any{}
	for _, rec := range jsonLines(t, text) {
		if rec["msg"] == "request" {
			byRoute[fmt.Sprint(rec["route"])] = rec
		}
	}
	want := map[string]struct {
		method, path string
		status       float64
		user         any
	}{
		"POST /login":     {"POST", "/login", 303, nil},
		"GET /a/{id}/{$}": {"GET", "/a/" + a.ID + "/", 200, float64(u.ID)},
		"GET /healthz":    {"GET", "/healthz", 200, nil},
	}
	for route, w := range want {
		rec, ok := byRoute[route]
		if !ok {
			t.Errorf("no request line with route %q in:\n%s", route, text)
			continue
		}
		d, isNum := rec["duration_ms"].(float64)
		if rec["level"] != "INFO" || rec["method"] != w.method || rec["path"] != w.path || rec["status"] != w.status ||
			rec["user"] != w.user || !isNum || d < 0 || rec["client"] != "127.0.0.1" {
			t.Errorf("%s: %v", route, rec)
		}
	}
}

// A handler failing on every request (the database is gone) logs its first
// error, then at most one summary line per interval.
func TestErrorsAreLoggedOncePerBurst(t *testing.T) {
	var log testenv.LockedBuffer
	st := engines[0].open(t)
	s := newSite(t, st, web.Config{Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	admin, _ := s.user("root", true)
	st.Close()
	start := time.Now()
	const requests = 200
	for range requests {
		if r := admin.get("/"); r.status != http.StatusInternalServerError {
			t.Fatalf("with the database closed: %d", r.status)
		}
	}
	var first, summaries int
	for _, rec := range jsonLines(t, log.String()) {
		switch rec["msg"] {
		case "request failed":
			first++
			if first == 1 && (rec["route"] != "GET /{$}" || rec["level"] != "ERROR" || !strings.Contains(fmt.Sprint(rec["err"]), "closed")) {
				t.Errorf("error line: %v", rec)
			}
		case "request failed (repeated)":
			summaries++
		default:
			t.Errorf("unexpected line: %v", rec)
		}
	}
	// Summaries come at the end of each interval after the first line, never earlier.
	bound := int(time.Since(start) / web.ErrorLogInterval)
	if first != 1 || summaries > bound {
		t.Errorf("%d failing requests logged %d first lines and %d summaries (at most %d in the time taken)", requests, first, summaries, bound)
	}
}

// /healthz answers while the process runs; /readyz only while the database
// answers too, within its timeout.
func TestReadiness(t *testing.T) {
	probe := func(s *site) (health, ready response) {
		return s.anonymous().get("/healthz"), s.anonymous().get("/readyz")
	}
	t.Run("sqlite", func(t *testing.T) {
		s := newSite(t, engines[0].open(t), web.Config{})
		h, r := probe(s)
		if h.status != 200 || h.body != "ok\n" || r.status != 200 || r.body != "ready\n" {
			t.Errorf("healthz %d %q, readyz %d %q", h.status, h.body, r.status, r.body)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := engines[1].fresh(t)
		px := newPGProxy(t, dsn)
		st, err := postgres.Open(context.Background(), px.dsn, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		var log testenv.LockedBuffer
		s := newSite(t, st, web.Config{ReadyTimeout: 300 * time.Millisecond, Logger: slog.New(slog.NewJSONHandler(&log, nil))})
		if h, r := probe(s); h.status != 200 || r.status != 200 {
			t.Fatalf("server up: healthz %d, readyz %d %q", h.status, r.status, r.body)
		}
		px.stall() // connections stay open, nothing answers
		if h, r := probe(s); h.status != 200 || r.status != http.StatusServiceUnavailable || r.body != "not ready: the database did not answer within 300ms\n" {
			t.Errorf("server silent: healthz %d, readyz %d %q", h.status, r.status, r.body)
		}
		px.down() // connections refused
		if h, r := probe(s); h.status != 200 || r.status != http.StatusServiceUnavailable || r.body != "not ready: the database is unavailable\n" {
			t.Errorf("server down: healthz %d, readyz %d %q", h.status, r.status, r.body)
		}
		if !strings.Contains(log.String(), `"msg":"not ready"`) {
			t.Errorf("the reason was not logged:\n%s", log.String())
		}
	})
}

// pgProxy stands between a store and the PostgreSQL server, so a test can
// silence the server or take it away.
type pgProxy struct {
	t       *testing.T
	dsn     string // the DSN through the proxy
	ln      net.Listener
	target  string
	mu      sync.Mutex
	stalled bool
	conns   []net.Conn
}

func newPGProxy(t *testing.T, dsn string) *pgProxy {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{t: t, ln: ln, target: u.Host}
	u.Host = ln.Addr().String()
	p.dsn = u.String()
	go p.serve()
	t.Cleanup(p.down)
	return p
}

func (p *pgProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		stalled := p.stalled
		p.mu.Unlock()
		if stalled {
			continue // held open, never answered
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, up)
		p.mu.Unlock()
		go p.relay(c, up)
		go p.relay(up, c)
	}
}

// relay copies src to dst, dropping what arrives while the proxy is stalled.
func (p *pgProxy) relay(src, dst net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		stalled := p.stalled
		p.mu.Unlock()
		if n > 0 && !stalled {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *pgProxy) stall() {
	p.mu.Lock()
	p.stalled = true
	p.mu.Unlock()
}

func (p *pgProxy) down() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
