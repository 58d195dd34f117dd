package cli_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/cli"
	"github.com/isogap/isogap/internal/testenv"
)

// startServer runs a serving command in-process and returns the first lines
// it printed; the command's context ends with the test, and it must then
// stop cleanly.
func startServer(t *testing.T, dir string, lines int, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr testenv.LockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- cli.Run(ctx, args, cli.Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: &stderr, Getenv: getenv(nil), Dir: dir})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("%s did not stop cleanly when its context ended: exit %d\n%s", args[0], c, stderr.String())
			}
		case <-time.After(time.Minute):
			t.Errorf("%s did not stop within a minute of its context ending", args[0])
		}
	})
	// The command closes the pipe when it returns, so a failed start ends the
	// scan early rather than leaving the test waiting.
	sc := bufio.NewScanner(pr)
	var got []string
	for len(got) < lines && sc.Scan() {
		got = append(got, sc.Text())
	}
	go io.Copy(io.Discard, pr)
	if len(got) < lines {
		t.Fatalf("%s printed only %q\n%s", args[0], got, stderr.String())
	}
	return got
}

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestDemoServesAndPrintsCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lines := startServer(t, dir, 3, "demo", "--addr", "127.0.0.1:0")
	base, ok := strings.CutPrefix(lines[0], "URL: ")
	user, ok2 := strings.CutPrefix(lines[1], "User: ")
	pw, ok3 := strings.CutPrefix(lines[2], "Password: ")
	if !ok || !ok2 || !ok3 || !strings.HasPrefix(base, "http://127.0.0.1:") || user != "demo" || len(pw) < 12 {
		t.Fatalf("first lines: %q", lines)
	}
	c := noRedirect()
	res, err := c.PostForm(base+"login", url.Values{"login": {user}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) == 0 {
		t.Fatalf("sign-in with the printed password: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", base, nil)
	req.AddCookie(res.Cookies()[0])
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Brightwave Analytics Ltd (demo)") {
		t.Errorf("portfolio after sign-in: %d", res.StatusCode)
	}
	// The downloads include the checklist workbook, the executive report and
	// the result documents, each under a file name that says what it is.
	id := strings.Split(strings.SplitN(string(body), `href="/a/`, 2)[1], "/")[0]
	cookie := res.Request.Cookies()[0]
	get := func(path string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.AddCookie(cookie)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	for format, want := range map[string]struct{ magic, name string }{
		"xlsx": {"PK", "demo-2"}, "pdf": {"%PDF-", "-report-2"}, "report-html": {"<!doctype html>", "-report-2"}, "report-md": {"# ", "-report-2"},
		"soa-xlsx": {"PK", "-soa-2"}, "soa-pdf": {"%PDF-", "-soa-2"}, "risks-xlsx": {"PK", "-risks-2"}, "risks-csv": {"id,", "-risks-2"},
		"roadmap-csv": {"ref,", "-roadmap-2"},
	} {
		res, file := get("a/" + id + "/download/" + format)
		cd := res.Header.Get("Content-Disposition")
		if res.StatusCode != 200 || !strings.HasPrefix(strings.ToLower(string(file)), strings.ToLower(want.magic)) || !strings.Contains(cd, want.name) {
			t.Errorf("%s download: %d %q %q", format, res.StatusCode, cd, excerptOf(file))
		}
	}
	// The result pages offer their own downloads.
	for page, link := range map[string]string{"risks": "risks-xlsx", "soa": "soa-pdf", "roadmap": "roadmap-csv", "forecast": "report-html"} {
		if res, html := get("a/" + id + "/" + page); res.StatusCode != 200 || !strings.Contains(string(html), "/download/"+link+`"`) {
			t.Errorf("%s page: %d, no link to %s", page, res.StatusCode, link)
		}
	}
}

func excerptOf(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}

func TestDemoIsReused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	if second := firstLine(mustRun(t, dir, "demo", "--no-serve")); second != first {
		t.Errorf("a second demo run made another assessment: %s then %s", first, second)
	}
}

func TestServeFirstRunAndAccounts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lines := startServer(t, dir, 2, "serve", "--addr", "127.0.0.1:0")
	if !strings.Contains(lines[0], "serving on http://127.0.0.1:") || !strings.Contains(lines[1], "create the administrator") {
		t.Fatalf("serve printed %q", lines)
	}
	base := strings.Fields(strings.SplitN(lines[0], "serving on ", 2)[1])[0]
	res, err := noRedirect().Get(base)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/setup" {
		t.Errorf("first run: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	id := strings.TrimSpace(mustRun(t, dir, "init", "--org", "Acme"))
	r := runWith(t, dir, nil, strings.NewReader("a long enough passphrase\n"), "user", "add", "ann", "--name", "Ann Example", "--password-stdin")
	if out := r.stdout + r.stderr; r.code != 0 || !strings.Contains(out, "Created ann") || strings.Contains(out, "Password:") {
		t.Fatalf("user add: exit %d %s", r.code, out)
	}
	if out := mustRun(t, dir, "user", "add", "otto", "--name", "Otto Auditor"); !strings.Contains(out, "Password: ") {
		t.Errorf("user add without a password does not print the generated one: %s", out)
	}
	if out := mustRun(t, dir, "user", "list"); !strings.Contains(out, "ann") || !strings.Contains(out, "Otto Auditor") {
		t.Errorf("user list: %s", out)
	}
	if out := mustRun(t, dir, "user", "set", "otto", "--creates-assessments"); !strings.Contains(out, "otto may start assessments") {
		t.Errorf("user set: %s", out)
	}
	if out := mustRun(t, dir, "user", "list"); !regexp.MustCompile(`otto +Otto Auditor +false +true +false`).MatchString(out) {
		t.Errorf("user list does not show who may start assessments: %s", out)
	}
	if out := mustRun(t, dir, "member", id, "ann", "--role", "contributor", "--departments", "HR,IT Operations"); !strings.Contains(out, "ann is contributor") {
		t.Errorf("member: %s", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"member", id, "otto", "--role", "auditor"}, "end date"},
		{[]string{"member", id, "otto", "--role", "boss"}, "assessor, contributor, viewer or auditor"},
		{[]string{"member", id, "nobody", "--role", "viewer"}, "no account"},
		{[]string{"member", id, "ann", "--role", "contributor", "--departments", "Sales"}, "unknown department"},
		{[]string{"user", "add", "Bad Login!", "--name", "X"}, "login"},
		{[]string{"user", "add", "ann", "--name", "Again"}, "taken"},
	} {
		if r := run(t, dir, nil, tc.args...); r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if out := mustRun(t, dir, "user", "passwd", "ann"); !strings.Contains(out, "Password: ") {
		t.Errorf("passwd: %s", out)
	}
	// The server sees the accounts made meanwhile: the setup is closed.
	res, err = noRedirect().Get(base + "setup")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Errorf("setup after accounts exist: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}
