package web_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The web app is an adapter: it reaches the rules through package app and
// knows no database engine, no other adapter (workbook, report, CLI) and no
// test tool.
func TestWebDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/isogap/isogap/internal/web").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 5 {
		t.Fatalf("go list found only %v", deps)
	}
	for _, dep := range deps {
		for _, banned := range []string{"/internal/workbook", "/internal/report", "/internal/cli", "/internal/store/sqlite", "/internal/store/postgres",
			"/internal/store/open", "chromedp", "/internal/testenv"} {
			if strings.Contains(dep, banned) {
				t.Errorf("internal/web depends on %s", dep)
			}
		}
	}
}
