//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as isogap itself: with
// ISOGAP_TEST_RUN_MAIN=1 it is main, arguments and signals included.
func TestMain(m *testing.M) {
	if os.Getenv("ISOGAP_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// server is "isogap serve" running as a process of its own.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string // HOST:PORT
	done chan struct{}
	code int

	mu   sync.Mutex
	log  []map[string]any // standard error, one JSON record a line
	seen chan struct{}    // a log line arrived
}

func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json",
		"--db", filepath.Join(dir, "isogap.db")}, args...)...)
	cmd.Env = append(os.Environ(), "ISOGAP_TEST_RUN_MAIN=1", "ISOGAP_DB=", "ISOGAP_ADDR=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, done: make(chan struct{}), seen: make(chan struct{}, 1)}
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
	})
	var pipes sync.WaitGroup
	pipes.Add(1)
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				rec = map[string]any{"msg": "not JSON: " + sc.Text()}
			}
			s.mu.Lock()
			s.log = append(s.log, rec)
			s.mu.Unlock()
			select {
			case s.seen <- struct{}{}:
			default:
			}
		}
	}()
	first := make(chan string, 1)
	pipes.Add(1)
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		pipes.Wait()
		err := cmd.Wait()
		s.code = cmd.ProcessState.ExitCode()
		if err != nil && s.code == 0 {
			s.code = -1
		}
		close(s.done)
	}()
	line := <-first
	_, url, ok := strings.Cut(line, "serving on http://")
	if !ok {
		<-s.done
		t.Fatalf("serve printed %q, exit %d, log %v", line, s.code, s.lines())
	}
	s.addr, _, _ = strings.Cut(url, "/")
	return s
}

func (s *server) lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.log...)
}

// waitLog waits for a log record whose message starts with prefix.
func (s *server) waitLog(prefix string) map[string]any {
	s.t.Helper()
	timeout := time.After(time.Minute) // a watchdog, not a measurement
	for {
		for _, rec := range s.lines() {
			if m, _ := rec["msg"].(string); strings.HasPrefix(m, prefix) {
				return rec
			}
		}
		select {
		case <-s.seen:
		case <-s.done:
			for _, rec := range s.lines() {
				if m, _ := rec["msg"].(string); strings.HasPrefix(m, prefix) {
					return rec
				}
			}
			s.t.Fatalf("exited (%d) without logging %q: %v", s.code, prefix, s.lines())
		case <-timeout:
			s.t.Fatalf("no log line %q within a minute: %v", prefix, s.lines())
		}
	}
}

func (s *server) exitCode() int {
	s.t.Helper()
	select {
	case <-s.done:
		return s.code
	case <-time.After(time.Minute): // a watchdog, not a measurement
		s.t.Fatalf("still running a minute after the signal: %v", s.lines())
		return -1
	}
}

// slowRequest starts a sign-in whose body has not arrived yet and returns
// once the server's handler is reading it (the server has answered
// "100 Continue"), with a function that sends the rest.
func slowRequest(t *testing.T, addr string) (conn net.Conn, br *bufio.Reader, finish func()) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(2 * time.Minute)) // a watchdog, not a measurement
	body := "login=nobody&password=not+the+password"
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	br = bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		t.Fatalf("before the body: %q %v", status, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q", blank)
	}
	return conn, br, func() { io.WriteString(conn, body) }
}

// A requested shutdown lets a request in flight finish within the grace
// period, says so, and exits 0.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	s := startServe(t, "--shutdown-timeout", "5m")
	_, br, finish := slowRequest(t, s.addr)
	s.cmd.Process.Signal(syscall.SIGTERM)
	if rec := s.waitLog("shutting down"); rec["in_flight"] != float64(1) || rec["grace"] != "5m0s" {
		t.Errorf("shutdown line: %v", rec)
	}
	finish()
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the request in flight: %d", res.StatusCode)
	}
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit %d after SIGTERM: %v", code, s.lines())
	}
	if rec := s.waitLog("shutdown complete"); rec["level"] != "INFO" {
		t.Errorf("%v", rec)
	}
}

// When the grace period ends first, the request is cut, the log says so,
// and the exit is still 0: the shutdown was asked for.
func TestShutdownCutsRequestsAfterTheGracePeriod(t *testing.T) {
	s := startServe(t, "--shutdown-timeout", "200ms")
	conn, br, _ := slowRequest(t, s.addr)
	s.cmd.Process.Signal(syscall.SIGINT)
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit %d after SIGINT: %v", code, s.lines())
	}
	if rec := s.waitLog("shutdown: grace period over"); rec["level"] != "WARN" || rec["cut"] != float64(1) || rec["grace"] != "200ms" {
		t.Errorf("cut line: %v", rec)
	}
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	if res, err := http.ReadResponse(br, nil); err == nil {
		t.Errorf("the cut request got an answer: %d", res.StatusCode)
	} else if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the cut request's connection was left open")
	}
}

func TestServeRefusesAnUnknownLogFormat(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--log-format", "xml")
	cmd.Env = append(os.Environ(), "ISOGAP_TEST_RUN_MAIN=1", "ISOGAP_DB="+filepath.Join(t.TempDir(), "isogap.db"))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), `--log-format "xml": want text or json`) {
		t.Errorf("%v: %s", err, out)
	}
}
