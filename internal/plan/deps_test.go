package plan

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainDependencies keeps the result models pure: standard library,
// the catalog and the assessment domain only (risk may use plan's dates).
func TestDomainDependencies(t *testing.T) {
	allowed := map[string]bool{
		"github.com/isogap/isogap/internal/assess":  true,
		"github.com/isogap/isogap/internal/catalog": true,
		"github.com/isogap/isogap/internal/jsonx":   true, // the catalog's strict JSON reader
		"github.com/isogap/isogap/internal/plan":    true,
	}
	for _, pkg := range []string{"plan", "risk", "soa", "compare"} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/isogap/isogap/internal/"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep != "github.com/isogap/isogap/internal/"+pkg && !allowed[dep] {
				t.Errorf("internal/%s depends on %s", pkg, dep)
			}
		}
	}
}
