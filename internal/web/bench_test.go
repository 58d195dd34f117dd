package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

// The load: wrk (Debian package) in its own process, two threads and 32
// connections, as many browsers hitting the server at once. A client
// written in Go on the same two cores would measure itself more than the
// server.
const (
	benchConnections = 32
	benchThreads     = 2
)

// BenchmarkWeb measures the web app over real loopback HTTP with wrk: the
// demo's matrix, dashboard, item, forecast and roadmap pages (plain, gzip
// compressed, and asked again with their ETag), and a score update from
// the matrix's inline editor, by the administrator (score-update) and by
// an assessor (score-member). Each page is set next to its bound: Go's
// http.FileServer sending the same bytes from a file, in the same run on
// the same machine. scripts/bench-web runs it and prints one table per
// engine. BENCH_SECONDS sets the duration of each case (default 5).
func BenchmarkWeb(b *testing.B) {
	wrk := testenv.Program(b, "wrk", "wrk")
	for _, e := range engines {
		// Without ISOGAP_TEST_POSTGRES, testenv skips the postgres run (fails it under CI=true).
		b.Run(e.name, func(b *testing.B) { benchEngine(b, e, wrk) })
	}
}

// benchDemo runs the web app on st with the demo assessment in it, and
// signs in an administrator (the token of its session).
func benchDemo(b *testing.B, st store.Store) (*app.Service, *web.Server, assess.Assessment, string) {
	svc := app.New(st, app.Config{})
	h, err := web.New(svc, web.Config{})
	if err != nil {
		b.Fatal(err)
	}
	demo, err := svc.CreateDemo(context.Background(), app.System("bench"))
	if err != nil {
		b.Fatal(err)
	}
	_, token := benchAdmin(b, svc)
	return svc, h, demo, token
}

// benchCase is one URL asked the same way over and over.
type benchCase struct {
	name, path, encoding string
	etag                 bool
}

func benchEngine(b *testing.B, e engine, wrk string) {
	ctx := context.Background()
	st := e.open(b)
	svc, h, demo, token := benchDemo(b, st)
	cookie := "isogap_session=" + token
	srv := httptest.NewServer(h)
	defer srv.Close()

	// The bound: Go's own file server, nothing in front, sending the same
	// bytes as the page from a file of its own.
	dir := b.TempDir()
	files := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer files.Close()

	a := "/a/" + demo.ID
	var cases []benchCase
	for _, p := range []struct{ name, path string }{
		{"matrix", a + "/matrix"}, {"dashboard", a + "/"}, {"item", a + "/items/A.5.1"},
		{"forecast", a + "/forecast"}, {"roadmap", a + "/roadmap"},
	} {
		cases = append(cases, benchCase{name: p.name, path: p.path, encoding: "identity"})
		if p.name == "matrix" || p.name == "dashboard" {
			cases = append(cases,
				benchCase{name: p.name + "-gzip", path: p.path, encoding: "gzip"},
				benchCase{name: p.name + "-etag", path: p.path, encoding: "gzip", etag: true})
		}
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, c := range cases {
		// One request as wrk will send it: its answer gives the bytes of
		// the bound and, for the -etag cases, the ETag to send.
		headers := []string{"Cookie: " + cookie, "Accept-Encoding: " + c.encoding}
		res, body := benchGet(b, hc, srv.URL+c.path, headers)
		if c.etag {
			tag := res.Header.Get("ETag")
			if tag == "" {
				b.Fatalf("%s: no ETag", c.path)
			}
			headers = append(headers, "If-None-Match: "+tag)
			if res, body = benchGet(b, hc, srv.URL+c.path, headers); res.StatusCode != http.StatusNotModified {
				b.Fatalf("%s with its ETag: %d, want 304", c.path, res.StatusCode)
			}
		}
		b.Run(c.name, func(b *testing.B) {
			r := runWrk(b, wrk, srv.URL+c.path, headers, "")
			r.report(b, len(body))
			if c.etag {
				return // a 304 has no body to compare with a file
			}
			name := fmt.Sprintf("case%d.html", i)
			if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
				b.Fatal(err)
			}
			bound := runWrk(b, wrk, files.URL+"/"+name, []string{"Accept-Encoding: " + c.encoding}, "")
			b.ReportMetric(bound.rps, "static-req/s")
			b.ReportMetric(bound.p99, "static-p99-ms")
			b.ReportMetric(r.rps/bound.rps, "ratio")
		})
	}

	// The inline editor's save, as the browser sends it: each request
	// posts every field of the row with the value it was shown with,
	// changes the score of an item nobody else is saving at that moment
	// (always to another score: a real write), with the version the last
	// answer for that item gave. Saved by the administrator, then by an
	// assessor of the assessment (a member, whose role is read under the
	// assessment's lock).
	v, _, err := svc.View(ctx, app.System("bench"), demo.ID)
	if err != nil {
		b.Fatal(err)
	}
	script := filepath.Join(dir, "update.lua")
	if err := os.WriteFile(script, []byte(updateLua), 0o644); err != nil {
		b.Fatal(err)
	}
	itemsFile := filepath.Join(dir, "items.txt")
	for _, who := range []struct{ name, cookie string }{
		{"score-update", cookie}, {"score-member", "isogap_session=" + benchMember(b, svc, st, demo.ID)},
	} {
		b.Run(who.name, func(b *testing.B) {
			var items strings.Builder
			for _, it := range v.Items {
				fmt.Fprintf(&items, "%s\t%d\t%d\t%s\t%s\t%s\n", it.Ref, it.Version, it.Score, it.Owner, it.Priority, it.TargetDate)
			}
			if err := os.WriteFile(itemsFile, []byte(items.String()), 0o644); err != nil {
				b.Fatal(err)
			}
			cpu := processCPU(b)
			r := runWrk(b, wrk, srv.URL+a+"/matrix/", []string{"Cookie: " + who.cookie}, script, itemsFile, a+"/matrix", strconv.Itoa(benchThreads))
			cpu = processCPU(b) - cpu
			r.report(b, 0)
			// The server's CPU per save (this process serves nothing else
			// meanwhile): with SQLite the database's work is in it, with
			// PostgreSQL only the client's side of it.
			b.ReportMetric(float64(cpu.Microseconds())/float64(r.requests), "cpu-us/req")
			// What the saves did, seen through the service: every answer
			// was a 200 (runWrk checks), so every item's version moved on.
			// The saves wrk left in flight when it stopped are waited for:
			// the next case starts from the versions they leave.
			settle(b, st, demo.ID)
			after, _, err := svc.View(ctx, app.System("bench"), demo.ID)
			if err != nil {
				b.Fatal(err)
			}
			moved := 0
			for i, it := range after.Items {
				if it.Version > v.Items[i].Version {
					moved++
				}
			}
			if moved == 0 {
				b.Fatal("no item changed: the saves did not reach the store")
			}
			v = after
		})
	}
}

// settle waits until the assessment's revision has stood still for a
// while: the server has finished the requests a client left behind.
func settle(b *testing.B, st store.Store, aid string) {
	ctx := context.Background()
	last, still := int64(-1), 0
	for still < 5 {
		rev, err := st.Revision(ctx, aid)
		if err != nil {
			b.Fatal(err)
		}
		if rev == last {
			still++
		} else {
			last, still = rev, 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// benchMember makes an account an assessor of the assessment and returns
// its session's token.
func benchMember(b *testing.B, svc *app.Service, st store.Store, aid string) string {
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, app.System("bench"), app.NewUser{Login: "member", Name: "Member", Password: "benchmark password"})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.PutMembership(ctx, assess.Membership{AssessmentID: aid, UserID: u.ID, Role: assess.RoleAssessor}); err != nil {
		b.Fatal(err)
	}
	token, err := svc.StartSession(ctx, app.Principal{User: u}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return token
}

func benchGet(b *testing.B, hc *http.Client, url string, headers []string) (*http.Response, []byte) {
	req, _ := http.NewRequest("GET", url, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.Fatal(err)
	}
	if res.StatusCode != 200 && res.StatusCode != http.StatusNotModified {
		b.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	return res, body
}

// wrkResult is what one wrk run measured.
type wrkResult struct {
	rps, p50, p99 float64
	requests      int
}

func (r wrkResult) report(b *testing.B, size int) {
	b.ReportMetric(r.rps, "req/s")
	b.ReportMetric(r.p50, "p50-ms")
	b.ReportMetric(r.p99, "p99-ms")
	if size > 0 {
		b.ReportMetric(float64(size), "bytes/resp")
	}
	// The figures are wrk's; the benchmark loop itself is not timed.
	b.ReportMetric(0, "ns/op")
}

// runWrk runs wrk against url and reads its summary. A script, when
// given, takes the arguments that follow. Any error answer or socket
// error fails the benchmark: a fast error is not a fast page.
func runWrk(b *testing.B, wrk, url string, headers []string, script string, args ...string) wrkResult {
	secs := 5
	if s, err := strconv.Atoi(os.Getenv("BENCH_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	cmdArgs := []string{"-t", strconv.Itoa(benchThreads), "-c", strconv.Itoa(benchConnections),
		"-d", strconv.Itoa(secs) + "s", "--latency", "--timeout", "10s"}
	for _, h := range headers {
		cmdArgs = append(cmdArgs, "-H", h)
	}
	if script != "" {
		cmdArgs = append(cmdArgs, "-s", script)
	}
	cmdArgs = append(cmdArgs, url)
	if len(args) > 0 {
		cmdArgs = append(append(cmdArgs, "--"), args...)
	}
	out, err := exec.Command(wrk, cmdArgs...).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	r, err := parseWrk(out)
	if err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	return r
}

// parseWrk reads wrk's --latency summary.
func parseWrk(out []byte) (wrkResult, error) {
	var r wrkResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "50%":
			r.p50 = wrkDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.p99 = wrkDuration(f[1])
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			r.requests, _ = strconv.Atoi(f[0])
		case strings.HasPrefix(sc.Text(), "  Non-2xx or 3xx responses:"),
			strings.HasPrefix(sc.Text(), "  Socket errors:"):
			return r, fmt.Errorf("wrk saw errors: %s", strings.TrimSpace(sc.Text()))
		}
	}
	if r.rps == 0 || r.requests == 0 || r.p99 <= 0 {
		return r, fmt.Errorf("wrk: no summary in its output")
	}
	return r, nil
}

// wrkDuration turns wrk's "812.00us", "1.53ms" or "1.02s" into milliseconds.
func wrkDuration(s string) float64 {
	for _, u := range []struct {
		suffix string
		ms     float64
	}{{"us", 0.001}, {"ms", 1}, {"m", 60000}, {"s", 1000}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return -1
			}
			return v * u.ms
		}
	}
	return -1
}

// updateLua drives the inline editor's save from wrk. Its arguments: a
// file with a line for each item (ref, version, score, owner, priority and
// target date, tab-separated), the matrix's path (the form's return) and
// the number of wrk threads.
// Each wrk thread takes every n-th item; a request picks one of its items
// that has no save in flight and sets the next score with the version the
// last answer for that item gave (the answer is the row, which carries its
// ref and its new version).
const updateLua = `
local count = 0
function setup(thread)
  count = count + 1
  thread:set("tid", count)
end
local function enc(v)
  return (v:gsub("[^%w%-_.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function init(args)
  local f = assert(io.open(args[1]))
  local nthreads = tonumber(args[3])
  refs, rows, busy = {}, {}, {}
  local i = 0
  for line in f:lines() do
    local ref, v, score, owner, prio, target = line:match("^([^\t]*)\t(%d+)\t(%d+)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
    if ref and i % nthreads == tid - 1 then
      table.insert(refs, ref)
      rows[ref] = {v = tonumber(v), score = tonumber(score), owner = owner, prio = prio, target = target}
    end
    i = i + 1
  end
  f:close()
  back = enc(args[2])
  base = wrk.path
  next_i = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
  wrk.headers["X-Isogap-Inline"] = "1"
end
function request()
  for _ = 1, #refs do
    next_i = next_i % #refs + 1
    local ref = refs[next_i]
    if not busy[ref] then
      local r = rows[ref]
      local score = r.v % 5 + 1
      if score == r.score then score = score % 5 + 1 end
      busy[ref] = score
      local was = ""
      if r.score >= 1 then was = tostring(r.score) end
      local body = "version=" .. r.v .. "&return=" .. back .. "&score=" .. score .. "&was_score=" .. was ..
        "&owner=" .. enc(r.owner) .. "&was_owner=" .. enc(r.owner) .. "&priority=" .. enc(r.prio) ..
        "&was_priority=" .. enc(r.prio) .. "&target_date=" .. r.target .. "&was_target_date=" .. r.target
      return wrk.format(nil, base .. ref, nil, body)
    end
  end
  error("every item has a save in flight")
end
function response(status, headers, body)
  local ref = body:match('id="row%-([^"]+)"')
  local v = body:match('name="version" value="(%d+)"')
  if ref and v and busy[ref] then
    rows[ref].v = tonumber(v)
    rows[ref].score = busy[ref]
    busy[ref] = nil
  end
end
`
