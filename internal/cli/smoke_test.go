package cli_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/testenv"
)

// The other tests run the command line in-process; these run the built
// binary, so the real process is exercised too: main's wiring, the working
// folder, the environment, exit codes and the interrupt signal.

const smokeVersion = "v0.0.0-smoke"

var (
	buildOnce  sync.Once
	binaryDir  string
	binaryPath string
	buildErr   error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// isogapBinary builds cmd/isogap once per test run, with its version set as
// a release build sets it.
func isogapBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binaryDir, buildErr = os.MkdirTemp("", "isogap-cli-test")
		if buildErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "isogap")
		out, err := exec.Command("go", "build", "-ldflags", "-X github.com/isogap/isogap/internal/cli.Version="+smokeVersion,
			"-o", binaryPath, "../../cmd/isogap").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, out}
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return binaryPath
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

// runBinary runs the built binary in dir with ISOGAP_DB and ISOGAP_ADDR
// unset unless env sets them.
func runBinary(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(isogapBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ISOGAP_DB=", "ISOGAP_ADDR=")
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func TestBinarySmoke(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if r := runBinary(t, dir, nil, args...); r.code != 0 || strings.TrimSpace(r.stdout) != "isogap "+smokeVersion {
			t.Errorf("%s: exit %d, %q %q", args[0], r.code, r.stdout, r.stderr)
		}
	}
	r := runBinary(t, dir, nil, "demo", "--no-serve")
	id := firstLine(r.stdout)
	if r.code != 0 || len(id) != 12 || !strings.Contains(r.stdout, "Brightwave Analytics") {
		t.Fatalf("demo --no-serve: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The default database is made in the process's working folder.
	if _, err := os.Stat(filepath.Join(dir, "isogap.db")); err != nil {
		t.Errorf("demo did not create isogap.db in the working folder: %v", err)
	}
	if r := runBinary(t, dir, nil, "show", id); r.code != 0 || !strings.Contains(r.stdout, "Overall readiness") {
		t.Errorf("show: exit %d\n%s", r.code, r.stderr)
	}
	// The process's environment reaches the command line: ISOGAP_DB names
	// another database, which holds no assessment.
	if r := runBinary(t, dir, []string{"ISOGAP_DB=other.db"}, "list", "--format", "json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("ISOGAP_DB=other.db list: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	// Exit codes: 2 for a command line that does not parse, 1 for a command that failed.
	if r := runBinary(t, dir, nil, "shwo"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Errorf("unknown command: exit %d %s", r.code, r.stderr)
	}
	if r := runBinary(t, dir, nil, "show", "nosuchid"); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("unknown assessment: exit %d %s", r.code, r.stderr)
	}
}

// TestBinaryServeStopsOnInterrupt: the server answers, and an interrupt
// (Ctrl+C) ends it with exit status 0.
func TestBinaryServeStopsOnInterrupt(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(isogapBinary(t), "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "ISOGAP_DB=", "ISOGAP_ADDR=")
	var stderr testenv.LockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	sc := bufio.NewScanner(stdout)
	first := ""
	if sc.Scan() {
		first = sc.Text()
	}
	go func() {
		io.Copy(io.Discard, stdout)
		done <- cmd.Wait()
	}()
	_, rest, ok := strings.Cut(first, "serving on ")
	if !ok {
		cmd.Process.Kill()
		<-done
		t.Fatalf("serve printed %q\n%s", first, stderr.String())
	}
	res, err := noRedirect().Get(strings.Fields(rest)[0])
	if err != nil {
		t.Error(err)
	} else {
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/setup" {
			t.Errorf("first run: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve did not stop cleanly on interrupt: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Errorf("serve did not stop within 20 s of an interrupt")
	}
}
