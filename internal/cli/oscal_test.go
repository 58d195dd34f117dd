package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/oscal"
)

// "isogap export --format oscal-…" writes valid OSCAL, the same bytes
// twice for an unchanged assessment, and the help lists both formats.
func TestExportOSCAL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := strings.TrimSpace(mustRun(t, dir, "init", "--org", "Acme Ltd", "--scope", "The Acme platform"))
	mustRun(t, dir, "set", id, "4.1", "--score", "3", "--owner", "Dana", "--priority", "high", "--target-date", "2027-03-31", "--action", "Write the context analysis")
	mustRun(t, dir, "set", id, "A.8.13", "--score", "5", "--evidence", "Restore test report", "--evidence", "https://wiki.example/backup")
	mustRun(t, dir, "set", id, "A.7.12", "--na", "No premises cabling: production runs in AWS")
	for format, model := range map[string]string{"oscal-poam": oscal.ModelPOAM, "oscal-assessment-results": oscal.ModelAssessmentResults} {
		mustRun(t, dir, "export", id, "--format", format, "-o", format+".json")
		doc, err := os.ReadFile(filepath.Join(dir, format+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := oscal.Validate(model, doc); err != nil {
			t.Errorf("%s: %v", format, err)
		}
		if err := oscal.CheckReferences(doc); err != nil {
			t.Errorf("%s: %v", format, err)
		}
		if again := mustRun(t, dir, "export", id, "--format", format); again != string(doc) {
			t.Errorf("%s: a second export of the unchanged assessment differs", format)
		}
	}
	poam, _ := os.ReadFile(filepath.Join(dir, "oscal-poam.json"))
	if !strings.Contains(string(poam), "Write the context analysis") || !strings.Contains(string(poam), "2027-03-31") {
		t.Errorf("the POA&M lacks 4.1's action or target date:\n%.2000s", poam)
	}
	help := mustRun(t, dir, "export", "--help")
	for _, want := range []string{"oscal-poam", "oscal-assessment-results", "json", "csv", "xlsx", "OSCAL"} {
		if !strings.Contains(help, want) {
			t.Errorf("export --help does not mention %q:\n%s", want, help)
		}
	}
}
