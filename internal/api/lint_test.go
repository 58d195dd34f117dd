package api_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/api"
	"github.com/isogap/isogap/internal/testenv"
)

// redoclyCLI is the linter's version, pinned: 1.x runs on Node 18 (the
// nodejs package of Debian 12); 2.x wants Node 20.19 or 22.
const redoclyCLI = "@redocly/cli@1.34.5"

// TestDescriptionLints runs Redocly's linter, with its recommended rules,
// on the description.
func TestDescriptionLints(t *testing.T) {
	testenv.SkipIfShort(t, "the OpenAPI linter")
	npx, err := exec.LookPath("npx")
	if err != nil {
		testenv.Missing(t, "npx (the OpenAPI linter runs with it)", "install Node.js 18 or newer with npm (Debian: apt-get install nodejs npm)")
		return
	}
	s := newSite(t, engines[0].open(t), api.Config{})
	dir := t.TempDir()
	file := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(file, s.api.Description(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "redocly.yaml"), []byte("extends:\n  - recommended\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(npx, "--yes", redoclyCLI, "lint", "--format=stylish", "--max-problems=200", "openapi.json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "warning") {
		t.Errorf("redocly lint warns:\n%s", out)
	}
}
