//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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

func TestServeRefusesAnUnknownLogFormat(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--log-format", "xml")
	cmd.Env = append(os.Environ(), "ISOGAP_TEST_RUN_MAIN=1", "ISOGAP_DB="+filepath.Join(t.TempDir(), "isogap.db"))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), `--log-format "xml": want text or json`) {
		t.Errorf("%v: %s", err, out)
	}
}
