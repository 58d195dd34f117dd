package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// editXLSX changes cells of a workbook file in place, as a spreadsheet user would.
func editXLSX(t *testing.T, path string, cells map[string]any) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for ref, v := range cells {
		sheet, cell, _ := strings.Cut(ref, "!")
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
}

// checklistRow finds the row of a ref on the Gap Checklist.
func checklistRow(t *testing.T, path, ref string) int {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Gap Checklist")
	for i, r := range rows {
		if len(r) > 0 && r[0] == ref {
			return i + 1
		}
	}
	t.Fatalf("%s not in %s", ref, path)
	return 0
}

func TestTemplateCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := run(t, dir, nil, "template", "-o", "blank.xlsx")
	if r.code != 0 || !strings.Contains(r.stderr, "Wrote blank.xlsx") {
		t.Fatalf("template -o: %d %s", r.code, r.stderr)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "blank.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Gap Checklist")
	f.Close()
	if len(rows) != 124 || rows[1][0] != "4.1" || rows[123][0] != "A.8.34" {
		t.Errorf("template has %d checklist rows", len(rows))
	}
	// Standard output that is not a terminal gets the bytes.
	r = run(t, dir, nil, "template")
	if r.code != 0 || !bytes.HasPrefix([]byte(r.stdout), []byte("PK")) {
		t.Errorf("template to a pipe: %d, %d bytes", r.code, len(r.stdout))
	}
}

func TestWorkbookExportImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	mustRun(t, dir, "export", id, "--format", "xlsx", "-o", "all.xlsx")
	mustRun(t, dir, "export", id, "--format", "xlsx", "--department", "HR", "-o", "hr.xlsx")
	mustRun(t, dir, "export", id, "--format", "xlsx", "--owner", "Priya Natarajan", "-o", "devops.xlsx")
	if r := run(t, dir, nil, "export", id, "--format", "csv", "--owner", "X"); r.code != 2 {
		t.Errorf("--owner with csv: exit %d", r.code)
	}
	if r := run(t, dir, nil, "export", id, "--format", "xlsx", "--department", "Marketing", "-o", "none.xlsx"); r.code != 1 || !strings.Contains(r.stderr, "Marketing") {
		t.Errorf("unknown department: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.xlsx")); err == nil {
		t.Error("a failed export left a file")
	}

	// Untouched, the export imports as nothing to change.
	if out := mustRun(t, dir, "import", id, "all.xlsx"); !strings.Contains(out, "Nothing to change") {
		t.Errorf("import of an untouched export: %s", out)
	}

	hr := filepath.Join(dir, "hr.xlsx")
	editXLSX(t, hr, map[string]any{"Gap Checklist!H2": 5, "Gap Checklist!J2": "Signed NDA template", "Gap Checklist!P2": "=cmd|' /C calc'!A0"})
	dev := filepath.Join(dir, "devops.xlsx")
	editXLSX(t, dev, map[string]any{"Gap Checklist!K2": "Marcus Lee"})

	before := mustRun(t, dir, "show", id, "--format", "json")
	dry := mustRun(t, dir, "import", id, "hr.xlsx", "devops.xlsx", "--dry-run")
	for _, want := range []string{"would change score", "hr.xlsx: Gap Checklist!H2", "+ evidence \"Signed NDA template\"", "devops.xlsx: Gap Checklist!K2",
		"Marcus Lee", "Dry run: 4 change(s) to 2 item(s) from 2 workbook(s)"} {
		if !strings.Contains(dry, want) {
			t.Errorf("dry run lacks %q:\n%s", want, dry)
		}
	}
	if after := mustRun(t, dir, "show", id, "--format", "json"); after != before {
		t.Fatal("--dry-run changed the assessment")
	}
	out := mustRun(t, dir, "--actor", "Lena", "import", id, "hr.xlsx", "devops.xlsx")
	if !strings.Contains(out, "Imported 4 change(s) to 2 item(s) from 2 workbook(s)") {
		t.Errorf("import: %s", out)
	}
	hist := mustRun(t, dir, "history", id, "--limit", "10")
	if !strings.Contains(hist, "Lena") || !strings.Contains(hist, "Marcus Lee") {
		t.Errorf("history: %s", hist)
	}

	// A newer edit in isogap and a change in the returned copy: a conflict.
	mustRun(t, dir, "export", id, "--format", "xlsx", "-o", "again.xlsx")
	again := filepath.Join(dir, "again.xlsx")
	row := checklistRow(t, again, "A.5.9")
	editXLSX(t, again, map[string]any{fmt.Sprintf("Gap Checklist!K%d", row): "Grace Holm"})
	mustRun(t, dir, "--actor", "Dana", "set", id, "A.5.9", "--owner", "Samir Okafor")
	r := run(t, dir, nil, "import", id, "again.xlsx")
	if r.code != 1 || !strings.Contains(r.stdout, "CONFLICT A.5.9 owner") || !strings.Contains(r.stdout, "Dana") ||
		!strings.Contains(r.stderr, "--theirs") {
		t.Fatalf("conflict: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "would change owner") {
		t.Errorf("the conflicting field is also listed as a change:\n%s", r.stdout)
	}
	if r := run(t, dir, nil, "import", id, "again.xlsx", "--theirs", "--ours"); r.code != 2 {
		t.Errorf("--theirs --ours: exit %d", r.code)
	}
	mustRun(t, dir, "import", id, "again.xlsx", "--theirs")
	if show := mustRun(t, dir, "history", id, "--ref", "A.5.9"); !strings.Contains(show, "Grace Holm") {
		t.Errorf("--theirs did not apply: %s", show)
	}

	// Bad cells: every one listed with its cell, exit 1, nothing written.
	bad := filepath.Join(dir, "bad.xlsx")
	mustRun(t, dir, "export", id, "--format", "xlsx", "-o", "bad.xlsx")
	editXLSX(t, bad, map[string]any{"Gap Checklist!H3": "seven", "Gap Checklist!M4": "next week"})
	before = mustRun(t, dir, "show", id, "--format", "json")
	r = run(t, dir, nil, "import", id, "bad.xlsx", "hr.xlsx")
	if r.code != 1 || !strings.Contains(r.stderr, "bad.xlsx: Gap Checklist!H3") || !strings.Contains(r.stderr, "bad.xlsx: Gap Checklist!M4") {
		t.Errorf("bad cells: %d %s", r.code, r.stderr)
	}
	if after := mustRun(t, dir, "show", id, "--format", "json"); after != before {
		t.Error("a refused import changed the assessment")
	}
	os.WriteFile(filepath.Join(dir, "notes.xlsx"), []byte("not a workbook"), 0o644)
	if r := run(t, dir, nil, "import", id, "notes.xlsx", "missing.xlsx"); r.code != 1 || !strings.Contains(r.stderr, "notes.xlsx") || !strings.Contains(r.stderr, "missing.xlsx") {
		t.Errorf("unreadable files: %d %s", r.code, r.stderr)
	}

	// The JSON restore still works through the same command.
	mustRun(t, dir, "export", id, "--format", "json", "-o", "a.json")
	if r := run(t, dir, nil, "--db", "other.db", "import", "a.json"); r.code != 0 {
		t.Errorf("JSON import: %s", r.stderr)
	}
	if r := run(t, dir, nil, "import", "a.json", "--dry-run"); r.code != 2 {
		t.Errorf("--dry-run with JSON: exit %d", r.code)
	}
	if r := run(t, dir, nil, "import", "only-one.xlsx"); r.code != 2 || !strings.Contains(r.stderr, "ID") {
		t.Errorf("one workbook without an id: %d %s", r.code, r.stderr)
	}
	if help := mustRun(t, dir, "import", "--help"); !strings.Contains(help, "--theirs") || !strings.Contains(help, "FILE.json") {
		t.Errorf("import --help: %s", help)
	}
}

// demoWorkbook makes the demo in a new folder and exports it to all.xlsx there.
func demoWorkbook(t *testing.T) (dir, id, path string) {
	t.Helper()
	dir = t.TempDir()
	id = firstLine(mustRun(t, dir, "demo", "--no-serve"))
	mustRun(t, dir, "export", id, "--format", "xlsx", "-o", "all.xlsx")
	return dir, id, filepath.Join(dir, "all.xlsx")
}

// sheetRows reads the cells of a sheet of a workbook file.
func sheetRows(t *testing.T, path, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestDryRunWarnsOfAFiveWithoutEvidence(t *testing.T) {
	t.Parallel()
	dir, id, path := demoWorkbook(t)
	rows := sheetRows(t, path, "Gap Checklist")
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	ref, r := "", 0
	for i, row := range rows[1:] {
		get := func(h string) string {
			if c := col[h]; c < len(row) {
				return row[c]
			}
			return ""
		}
		if get("Score (1-5)") != "" && get("Evidence") == "" && get("Applicable") == "Yes" {
			ref, r = row[0], i+2
			break
		}
	}
	cell, _ := excelize.CoordinatesToCellName(col["Score (1-5)"]+1, r)
	editXLSX(t, path, map[string]any{"Gap Checklist!" + cell: 5})
	out := mustRun(t, dir, "import", id, "all.xlsx", "--dry-run")
	if !strings.Contains(out, "warning: "+ref+" scored 5 without evidence") || !strings.Contains(out, "counts as 4") {
		t.Errorf("dry run of a 5 without evidence on %s:\n%s", ref, out)
	}
}

func TestImportDateOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	help := mustRun(t, dir, "import", "--help")
	for _, want := range []string{"31/03/2027", "03/31/2027", "31.03.2027", "March 31 2027", "--date-order dmy", "2100-12-31"} {
		if !strings.Contains(help, want) {
			t.Errorf("import --help lacks %q", want)
		}
	}
	id := firstLine(mustRun(t, dir, "demo", "--no-serve"))
	mustRun(t, dir, "export", id, "--format", "xlsx", "-o", "all.xlsx")
	path := filepath.Join(dir, "all.xlsx")
	editXLSX(t, path, map[string]any{"Gap Checklist!M2": "04/05/2027"})
	if r := run(t, dir, nil, "import", id, "all.xlsx", "--dry-run"); r.code != 1 || !strings.Contains(r.stderr, "ambiguous") || !strings.Contains(r.stderr, "Gap Checklist!M2") {
		t.Errorf("an ambiguous date: %d %s", r.code, r.stderr)
	}
	if r := run(t, dir, nil, "import", id, "all.xlsx", "--date-order", "ymd"); r.code != 2 {
		t.Errorf("--date-order ymd: exit %d %s", r.code, r.stderr)
	}
	if out := mustRun(t, dir, "import", id, "all.xlsx", "--dry-run", "--date-order", "mdy"); !strings.Contains(out, `"2027-04-05"`) {
		t.Errorf("--date-order mdy: %s", out)
	}
}

func TestDryRunListsScopeChanges(t *testing.T) {
	t.Parallel()
	dir, id, path := demoWorkbook(t)
	rows := sheetRows(t, path, "Scope & Stakeholders")
	cells := map[string]any{}
	for i, r := range rows {
		switch {
		case len(r) < 2:
		case r[0] == "Target score":
			cells[fmt.Sprintf("Scope & Stakeholders!B%d", i+1)] = 5
		case r[0] == "Locations":
			cells[fmt.Sprintf("Scope & Stakeholders!B%d", i+1)] = r[1] + "\nDublin office"
		}
	}
	editXLSX(t, path, cells)
	out := mustRun(t, dir, "import", id, "all.xlsx", "--dry-run")
	for _, want := range []string{"assessment\n", `would change target_score: "4" → "5"`, "would change boundaries.locations", `+ "Dublin office"`, "and the scope"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run does not say %q:\n%s", want, out)
		}
	}
}
