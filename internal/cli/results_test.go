package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForecastAndPlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	type forecast struct {
		Certification struct{ Planned, P50, P90 string }
		Budget        struct {
			Currency    string
			Total       float64
			P50, P90    float64
			DayRate     float64 `json:"day_rate"`
			ExternalSum float64 `json:"external_total"`
		}
		Actions  []struct{ Ref string }
		Settings []struct {
			Key   string
			Value string
			Set   bool
		}
	}
	get := func(args ...string) forecast {
		t.Helper()
		var f forecast
		if err := json.Unmarshal([]byte(mustRun(t, dir, append([]string{"forecast", id, "--format", "json", "--today", "2027-01-04"}, args...)...)), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := get()
	if base.Certification.P50 == "" || base.Certification.P90 < base.Certification.P50 || base.Budget.Currency != "EUR" || len(base.Actions) < 50 {
		t.Fatalf("forecast: %+v", base.Certification)
	}
	if again := get(); again.Certification != base.Certification || again.Budget != base.Budget {
		t.Error("two runs of the same forecast differ")
	}
	// A what-if is not saved; more capacity is never later.
	more := get("--what-if", "capacity=4")
	if more.Certification.P50 > base.Certification.P50 || more.Certification.P90 > base.Certification.P90 {
		t.Errorf("more capacity made it later: %+v → %+v", base.Certification, more.Certification)
	}
	if more.Certification.P50 == base.Certification.P50 {
		t.Error("doubling everyone's capacity changed nothing")
	}
	if g := get(); g.Certification != base.Certification || g.Budget != base.Budget {
		t.Error("a what-if was saved")
	}
	// Saving assumptions: canonical values, history, conflicts.
	out := mustRun(t, dir, "plan", id, "--set", "day_rate=650", "--set", "currency=gbp", "--set", "capacity.Samir Okafor=4")
	for _, want := range []string{"version 1", "day_rate", "650", "GBP", "capacity.Samir Okafor"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	saved := get()
	if saved.Budget.Currency != "GBP" || saved.Budget.DayRate != 650 {
		t.Errorf("saved assumptions not used: %+v", saved.Budget)
	}
	set := map[string]string{}
	for _, s := range saved.Settings {
		if s.Set {
			set[s.Key] = s.Value
		}
	}
	if len(set) != 3 || set["currency"] != "GBP" || set["capacity.Samir Okafor"] != "4" {
		t.Errorf("settings marked set: %v", set)
	}
	hist := mustRun(t, dir, "history", id, "--limit", "5")
	if !strings.Contains(hist, "plan.day_rate") || !strings.Contains(hist, "650") {
		t.Errorf("the change is not in the history:\n%s", hist)
	}
	if r := run(t, dir, nil, "plan", id, "--set", "day_rate=700", "--version", "0"); r.code != 1 || !strings.Contains(r.stderr, "conflict") && !strings.Contains(r.stderr, "version 1") {
		t.Errorf("stale plan edit: %d %s", r.code, r.stderr)
	}
	mustRun(t, dir, "plan", id, "--unset", "day_rate", "--version", "1")
	if f := get(); f.Budget.DayRate != 600 {
		t.Errorf("day_rate after --unset: %v", f.Budget.DayRate)
	}
	// Raising a score never makes it later or dearer.
	before := get()
	mustRun(t, dir, "set", id, before.Actions[0].Ref, "--score", "5", "--evidence", "done")
	after := get()
	if after.Certification.P90 > before.Certification.P90 || after.Budget.P90 > before.Budget.P90 || after.Budget.Total >= before.Budget.Total {
		t.Errorf("closing %s: %+v %+v → %+v %+v", before.Actions[0].Ref, before.Certification, before.Budget, after.Certification, after.Budget)
	}
	table := mustRun(t, dir, "forecast", id)
	for _, want := range []string{"Certificate  P50", "Internal audit (9.2)", "Management review (9.3)", "Stage 1 audit", "Stage 2 audit", "Certification body", "CAPACITY BY OWNER", "effort_high"} {
		if !strings.Contains(table, want) {
			t.Errorf("forecast table lacks %q", want)
		}
	}
}

func TestResultCommandsWriteFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	mustRun(t, dir, "roadmap", id, "--chart", "gantt.svg", "--by", "department")
	mustRun(t, dir, "risks", id, "--format", "xlsx", "-o", "risks.xlsx", "--chart", "heat.png")
	mustRun(t, dir, "risks", id, "--format", "csv", "-o", "risks.csv")
	mustRun(t, dir, "soa", id, "--format", "xlsx", "-o", "soa.xlsx")
	mustRun(t, dir, "soa", id, "--format", "pdf", "-o", "soa.pdf")
	mustRun(t, dir, "report", id, "--format", "pdf", "-o", "report.pdf")
	mustRun(t, dir, "report", id, "--format", "html", "-o", "report.html")
	mustRun(t, dir, "report", id, "--format", "md", "-o", "report.md")
	for name, magic := range map[string]string{"gantt.svg": "<?xml", "heat.png": "\x89PNG", "risks.xlsx": "PK", "soa.xlsx": "PK",
		"soa.pdf": "%PDF", "report.pdf": "%PDF", "report.html": "<!DOCTYPE html>", "report.md": "# ISO/IEC 27001:2022 readiness report",
		"risks.csv": "ID,Ref,Title", "report-charts/roadmap.png": "\x89PNG"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.HasPrefix(string(data), magic) {
			t.Errorf("%s: %v, starts %q", name, err, string(data[:min(len(data), 20)]))
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "gantt.svg"))
	if !strings.Contains(string(svg), "Security/ISMS") {
		t.Error("the Gantt chart by department lacks the department rows")
	}
	road := mustRun(t, dir, "roadmap", id)
	if !strings.Contains(road, "Quick wins") || !strings.Contains(road, "Foundations") || !strings.Contains(road, "Certificate issued") {
		t.Errorf("roadmap table:\n%s", road)
	}
	soa := mustRun(t, dir, "soa", id)
	if !strings.Contains(soa, "A.7.12") || !strings.Contains(soa, "93 controls") {
		t.Errorf("soa table:\n%s", soa)
	}
}

func TestSnapshotsAndCompare(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	other := strings.TrimSpace(mustRun(t, dir, "init", "--org", "Other Ltd"))
	mustRun(t, dir, "snapshot", id, "baseline")
	mustRun(t, dir, "set", id, "4.1", "--score", "1")
	mustRun(t, dir, "set", id, "9.3.1", "--score", "5", "--evidence", "Minutes")
	mustRun(t, dir, "set", id, "A.7.1", "--na", "No premises")
	mustRun(t, dir, "snapshot", id, "after Q1")
	out := mustRun(t, dir, "compare", id+"@baseline", id)
	for _, want := range []string{"1 improved, 1 regressed", "1 rescoped", "4.1", "regressed", "9.3.1", "improved", "A.7.1", "rescoped"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q:\n%s", want, out)
		}
	}
	var cmp struct {
		Counts map[string]int
		Items  []struct{ Ref, Change string }
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, "compare", id+"@baseline", id+"@after Q1", "--format", "json")), &cmp); err != nil {
		t.Fatal(err)
	}
	if cmp.Counts["improved"] != 1 || cmp.Counts["regressed"] != 1 || cmp.Counts["rescoped"] != 1 || len(cmp.Items) != 123 {
		t.Errorf("compare json: %v, %d items", cmp.Counts, len(cmp.Items))
	}
	if out := mustRun(t, dir, "compare", id, other); !strings.Contains(out, "Other Ltd") {
		t.Errorf("comparing two assessments:\n%s", out)
	}
	list := mustRun(t, dir, "snapshots", id, "--chart", "over-time.svg")
	if !strings.Contains(list, "baseline") || !strings.Contains(list, "after Q1") {
		t.Errorf("snapshots:\n%s", list)
	}
	if _, err := os.Stat(filepath.Join(dir, "over-time.svg")); err != nil {
		t.Error(err)
	}
}

func TestResultCommandsBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	mustRun(t, dir, "snapshot", id, "baseline")
	tests := []badCall{
		{"unknown assumption", []string{"plan", id, "--set", "dayrate=650"}, 1, []string{"dayrate", "unknown assumption"}},
		{"bad value", []string{"plan", id, "--set", "day_rate=lots", "--set", "currency=euro"}, 1, []string{"day_rate", "lots", "not a number", "currency", "three letters"}},
		{"out of range", []string{"plan", id, "--set", "capacity=9"}, 1, []string{"capacity", "out of range", "0.1 to 7"}},
		{"not a pair", []string{"plan", id, "--set", "day_rate"}, 2, []string{"KEY=VALUE"}},
		{"what-if bad value", []string{"forecast", id, "--what-if", "stage1_weeks=-2"}, 1, []string{"stage1_weeks", "out of range"}},
		{"bad today", []string{"forecast", id, "--today", "04/01/2027"}, 2, []string{"--today", "YYYY-MM-DD"}},
		{"forecast format", []string{"forecast", id, "--format", "xml"}, 2, []string{"xml", "table, json"}},
		{"forecast unknown id", []string{"forecast", "nosuchid"}, 1, []string{"nosuchid", "not found"}},
		{"pdf needs -o", []string{"report", id, "--format", "pdf"}, 2, []string{"-o FILE"}},
		{"report format", []string{"report", id, "--format", "docx"}, 2, []string{"docx", "pdf, html, md"}},
		{"xlsx needs -o", []string{"risks", id, "--format", "xlsx"}, 2, []string{"-o FILE"}},
		{"chart extension", []string{"risks", id, "--chart", "heat.gif"}, 2, []string{"heat.gif", ".svg or .png"}},
		{"roadmap by", []string{"roadmap", id, "--by", "team"}, 2, []string{"team", "owner or department"}},
		{"duplicate snapshot", []string{"snapshot", id, "baseline"}, 1, []string{"baseline", "already"}},
		{"snapshot name with @", []string{"snapshot", id, "a@b"}, 1, []string{"a@b", "without '@'"}},
		{"unknown snapshot", []string{"compare", id + "@nope", id}, 1, []string{"nope", "not found"}},
		{"empty snapshot name", []string{"compare", id + "@", id}, 1, []string{"ID@SNAPSHOT"}},
		{"compare one argument", []string{"compare", id}, 2, []string{"A B"}},
		{"soa format", []string{"soa", id, "--format", "docx"}, 2, []string{"docx"}},
	}
	expectFailures(t, dir, tests)
	// None of the refused edits was saved.
	if out := mustRun(t, dir, "plan", id); !strings.Contains(out, "nothing set yet") {
		t.Errorf("refused plan edits were saved:\n%s", out)
	}
	// A refused PDF leaves no file behind.
	if _, err := os.Stat(filepath.Join(dir, "report.pdf")); err == nil {
		t.Error("a refused report wrote a file")
	}
}

// --explain names the queue that ends last, its items and the what-if of
// one more day a week; the table shows the audit days and the three years.
func TestForecastExplain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	out := mustRun(t, dir, "forecast", id, "--today", "2027-01-04", "--explain")
	for _, want := range []string{"CRITICAL PATH", "Samir Okafor's queue ends last", "On it, in order", "What if Samir Okafor gave 3 days a week", "capacity.Samir Okafor=3"} {
		if !strings.Contains(out, want) {
			t.Errorf("--explain lacks %q:\n%s", want, out)
		}
	}
	table := mustRun(t, dir, "forecast", id, "--today", "2027-01-04")
	for _, want := range []string{"12 auditor-days (86–125 persons)", "Stage 1 4 days", "Stage 2 8 days", "THREE-YEAR CYCLE", "Year 2: surveillance audit", "Year 4: recertification audit", "4 auditor-days"} {
		if !strings.Contains(table, want) {
			t.Errorf("the forecast lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "CRITICAL PATH") {
		t.Error("the critical path is shown without --explain")
	}
}
