package workbook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/workbook"
)

// These tests hand isogap's workbooks to real spreadsheet software
// (openpyxl, LibreOffice) and read back what those programs wrote.

func python(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	py := testenv.DebianPython(t, "openpyxl", "python3-openpyxl")
	cmd := exec.Command(py, append([]string{"-c", script}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("python: %v\n%s", err, testenv.Trim(stderr))
	}
	return out
}

const writeElsewhere = `
import sys, datetime, openpyxl
wb = openpyxl.Workbook()
cover = wb.active
cover.title = "Cover"
cover["A1"] = "Acme ISO 27001 readiness — answers from Legal"
ws = wb.create_sheet(" gap checklist ")
ws["A1"] = "Filled in by Tomás, October"
# The header stands on row 3, columns in an order of their own, with extras.
ws.append([])
ws.append(["Notes", "Score (1-5)", "Control ID", "Reviewer initials", "Owner", "Due date", "Evidence / Notes", "Applicable?", "Justification", "Priority"])
ws.append([])
ws.append([None, None, "A.5 Organizational controls"])
ws.append(["checked twice", 3, "A.5.31", "TR", "Tomás Rivera", datetime.datetime(2027, 1, 15), "Register of legal requirements\nhttps://wiki.acme.example/legal", "Yes", None, "high"])
ws.append([None, "4", "a.5.32", "TR", None, "2027-02-28", None, None, None, None])
ws.append([None, "2 - Planning Only", "A 5.34", None, "Tomás Rivera", "15 Mar 2027", None, None, None, "Low"])
ws.append([None, "N/A", "A.7.5", None, None, None, None, None, "Fully remote: no premises to protect", None])
ws.append([None, 5.0, "4.2", None, None, 46600, "Interested parties register", "Yes", None, None])
ws.append([])
ws.append([None, None, "End of list"])
wb.create_sheet("Pivot")["A1"] = "summary"
wb.save(sys.argv[1])
`

func TestImportWorkbookWrittenByOpenpyxl(t *testing.T) {
	svc := sqliteService(t)
	id := fresh(t, svc) // nothing set in isogap: a sheet made elsewhere fills it in
	path := filepath.Join(t.TempDir(), "legal.xlsx")
	python(t, writeElsewhere, path)
	book, err := workbook.ReadFile(path, catalog.Builtin(), workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(book.Rows) != 5 {
		t.Fatalf("read %d rows, want 5: %+v", len(book.Rows), book.Rows)
	}
	if _, err := importBooks(t, svc, id, app.SheetImportOptions{}, book); err != nil {
		t.Fatal(err)
	}
	it := item(t, svc, id, "A.5.31")
	if it.Score != 3 || it.Owner != "Tomás Rivera" || it.TargetDate.String() != "2027-01-15" || it.Priority != assess.PriorityHigh ||
		it.Notes != "checked twice" || !hasEvidence(it, "Register of legal requirements") || !hasEvidence(it, "https://wiki.acme.example/legal") {
		t.Errorf("A.5.31: %+v", it)
	}
	if it := item(t, svc, id, "A.5.32"); it.Score != 4 || it.TargetDate.String() != "2027-02-28" {
		t.Errorf("A.5.32: %+v", it)
	}
	if it := item(t, svc, id, "A.5.34"); it.Score != 2 || it.TargetDate.String() != "2027-03-15" || it.Priority != assess.PriorityLow {
		t.Errorf("A.5.34: %+v", it)
	}
	if it := item(t, svc, id, "A.7.5"); it.Applicable || it.Justification != "Fully remote: no premises to protect" {
		t.Errorf("A.7.5: %+v", it)
	}
	// 46600 is an Excel serial number: 2027-08-01.
	if it := item(t, svc, id, "4.2"); it.Score != 5 || it.TargetDate.String() != "2027-08-01" || !hasEvidence(it, "Interested parties register") {
		t.Errorf("4.2: %+v", it)
	}
}

func hasEvidence(it assess.Item, s string) bool {
	for _, e := range it.Evidence {
		if e.Text == s || e.URL == s {
			return true
		}
	}
	return false
}

const inspect = `
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {"sheets": wb.sheetnames, "states": {ws.title: ws.sheet_state for ws in wb.worksheets}, "rows": {}}
for ws in wb.worksheets:
    out["rows"][ws.title] = ws.max_row
g = wb["Gap Checklist"]
out["validations"] = sorted(str(dv.sqref) + " " + dv.type + " " + str(dv.formula1) for dv in g.data_validations.dataValidation)
out["conditional"] = sorted(str(r.sqref) for r in g.conditional_formatting)
out["freeze"] = g.freeze_panes
out["filter"] = g.auto_filter.ref
out["print_titles"] = g.print_title_rows
out["orientation"] = g.page_setup.orientation
out["fit_width"] = g.page_setup.fitToWidth
out["fit_height"] = g.page_setup.fitToHeight
out["fit_to_page"] = g.sheet_properties.pageSetUpPr.fitToPage
out["hidden"] = sorted(k for k, d in g.column_dimensions.items() if d.hidden)
out["header"] = [c.value for c in g[1]]
out["types"] = {}
for row in g.iter_rows(min_row=2):
    if row[0].value == "A.5.7":
        for c in row[:16]:
            out["types"][c.column_letter] = [c.data_type, c.value if isinstance(c.value, str) else None]
out["status_formula"] = g["I2"].value
out["names"] = sorted(d.name for d in wb.defined_names.definedName)
out["charts"] = len(wb["Dashboard"]._charts)
print(json.dumps(out))
`

func TestOpenpyxlReadsEverySheet(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	if _, err := svc.UpdateItem(context.Background(), app.System("tester"), id, "A.5.7", 0, app.ItemPatch{Notes: ptr("=1+1"), Owner: ptr("+Sam"), Action: ptr("@import")}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), workbook.FileName)
	if err := os.WriteFile(path, export(t, svc, id, workbook.Filter{}), 0o644); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Sheets                   []string
		States                   map[string]string
		Rows                     map[string]int
		Validations, Conditional []string
		FitToPage                bool `json:"fit_to_page"`
		Hidden, Header, Names    []string
		Types                    map[string][2]any
		Charts                   int
	}
	out := python(t, inspect, path)
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var raw map[string]any
	json.Unmarshal(out, &raw)
	want := []string{"Instructions", "Scope & Stakeholders", "Gap Checklist", "Statement of Applicability", "Action Plan", "Dashboard", "isogap"}
	if strings.Join(got.Sheets, "|") != strings.Join(want, "|") {
		t.Errorf("sheets %v", got.Sheets)
	}
	if got.States["isogap"] != "veryHidden" || got.States["Gap Checklist"] != "visible" {
		t.Errorf("sheet states %v", got.States)
	}
	if got.Rows["Gap Checklist"] != 124 || got.Rows["Statement of Applicability"] != 96 {
		t.Errorf("rows %v", got.Rows)
	}
	vals := strings.Join(got.Validations, "\n")
	for _, w := range []string{"H2:H124 list \"1,2,3,4,5\"", "F2:F124 list \"Yes,No\"", "L2:L124 list \"Critical,High,Medium,Low\"",
		"E2:E124 list departments", "K2:K124 list stakeholder_names", "M2:M124 date", "O2:O124 decimal"} {
		if !strings.Contains(vals, w) {
			t.Errorf("no validation %q in\n%s", w, vals)
		}
	}
	if strings.Join(got.Conditional, " ") != "A2:P124 H2:I124" {
		t.Errorf("conditional formats on %v", got.Conditional)
	}
	dollars := func(k string) any { s, _ := raw[k].(string); return strings.ReplaceAll(s, "$", "") }
	if raw["freeze"] != "B2" || dollars("filter") != "A1:W124" || dollars("print_titles") != "1:1" || raw["orientation"] != "landscape" ||
		raw["fit_width"] != 1.0 || raw["fit_height"] != 0.0 || !got.FitToPage {
		t.Errorf("layout: freeze %v filter %v titles %v orientation %v fit %v×%v page %v", raw["freeze"], raw["filter"],
			raw["print_titles"], raw["orientation"], raw["fit_width"], raw["fit_height"], got.FitToPage)
	}
	if len(got.Hidden) == 0 || got.Hidden[0] != "Q" || strings.Contains(strings.Join(got.Hidden, ""), "P") {
		t.Errorf("hidden columns %v", got.Hidden)
	}
	if got.Header[7] != "Score (1-5)" || got.Header[16] != workbook.StampHeader {
		t.Errorf("header %v", got.Header)
	}
	for col, v := range map[string]string{"P": "=1+1", "K": "+Sam", "N": "@import"} {
		if tv := got.Types[col]; tv[0] != "s" || tv[1] != v {
			t.Errorf("column %s of A.5.7 is %v, want the text %q", col, tv, v)
		}
	}
	if st, _ := raw["status_formula"].(string); !strings.HasPrefix(st, "=IF(") {
		t.Errorf("status is not a formula: %v", raw["status_formula"])
	}
	for _, n := range []string{"chk_effective", "chk_in_scope", "departments", "stakeholder_names", "target_score"} {
		if !strings.Contains(strings.Join(got.Names, " "), n) {
			t.Errorf("defined name %s missing: %v", n, got.Names)
		}
	}
	if got.Charts != 3 {
		t.Errorf("%d charts on the Dashboard, want 3", got.Charts)
	}
}

// recalc has LibreOffice open and save each workbook, recalculating every
// formula rather than trusting the cached values, and returns the paths of
// the saved copies.
func recalc(t *testing.T, paths ...string) []string {
	t.Helper()
	soffice := testenv.Program(t, "soffice", "libreoffice-calc")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	recalcAlways(t, filepath.Join(dir, "profile"))
	args := []string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out}
	cmd := exec.Command(soffice, append(args, paths...)...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, testenv.Trim(b))
	}
	var res []string
	for _, p := range paths {
		q := filepath.Join(out, filepath.Base(p))
		if _, err := os.Stat(q); err != nil {
			t.Fatalf("LibreOffice wrote no %s", q)
		}
		res = append(res, q)
	}
	return res
}

// recalcAlways sets up a LibreOffice profile that recalculates every
// formula of an xlsx file on load (by default it keeps the cached values).
func recalcAlways(t *testing.T, profile string) {
	t.Helper()
	const xcu = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`
	if err := os.MkdirAll(filepath.Join(profile, "user"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(xcu), 0o644); err != nil {
		t.Fatal(err)
	}
}

const dashboardValues = `
import sys, json, openpyxl
out = {}
for p in sys.argv[1:]:
    ws = openpyxl.load_workbook(p, data_only=True)["Dashboard"]
    out[p] = [[c for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=8, values_only=True)]
print(json.dumps(out, default=str))
`

// checkDashboard compares a recalculated Dashboard with isogap's figures.
func checkDashboard(t *testing.T, name string, cells [][]any, v app.View) {
	t.Helper()
	lay := workbook.Layout(v.Catalog)
	r := v.Result
	at := func(row int, col int) any {
		if row-1 < len(cells) && col < len(cells[row-1]) {
			return cells[row-1][col]
		}
		return nil
	}
	num := func(row, col int) float64 {
		f, ok := at(row, col).(float64)
		if !ok {
			t.Errorf("%s: Dashboard row %d column %d is %v, not a number", name, row, col+1, at(row, col))
		}
		return f
	}
	figures := map[string]assess.Figures{"overall": r.Overall, "clauses": r.Clauses, "controls": r.Controls}
	for _, g := range append(append([]assess.Group{}, r.ByClause...), r.ByTheme...) {
		figures[g.ID] = g.Figures
	}
	if len(figures) != len(lay.Figures) {
		t.Errorf("%s: %d groups in the layout, %d in isogap", name, len(lay.Figures), len(figures))
	}
	for id, fg := range figures {
		row, ok := lay.Figures[id]
		if !ok {
			t.Errorf("%s: no Dashboard row for %s", name, id)
			continue
		}
		for i, want := range []float64{fg.Readiness, fg.Coverage, float64(fg.Applicable), float64(fg.Assessed), float64(fg.AtTarget), float64(fg.NotApplicable)} {
			if i < 2 && fg.Applicable == 0 {
				// Nothing applicable: no readiness or coverage to show.
				if got := at(row, 2+i); got != "—" {
					t.Errorf("%s: %s column %c = %v, want — (nothing applicable)", name, id, 'C'+i, got)
				}
				continue
			}
			if got := num(row, 2+i); math.Abs(got-want) > 1e-9 {
				t.Errorf("%s: %s column %c = %v, isogap says %v", name, id, 'C'+i, got, want)
			}
		}
	}
	for s := 0; s <= 5; s++ {
		if got := num(lay.Distribution, 1+s); int(got) != r.Scores[s] {
			t.Errorf("%s: %d items with effective score %d, isogap says %d", name, int(got), s, r.Scores[s])
		}
	}
	if got := num(lay.Flagged, 2); int(got) != len(r.Flagged()) {
		t.Errorf("%s: flagged %v, isogap says %d", name, got, len(r.Flagged()))
	}
	if got := num(lay.Blockers, 2); int(got) != len(r.Blockers) {
		t.Errorf("%s: blockers %v, isogap says %d", name, got, len(r.Blockers))
	}
	ready := map[bool]string{true: "Yes", false: "No"}[r.AuditReady]
	if got := at(lay.AuditReady, 2); got != ready {
		t.Errorf("%s: audit-ready %v, isogap says %s", name, got, ready)
	}
}

func TestLibreOfficeRecalculatesTheDashboard(t *testing.T) {
	testenv.Program(t, "soffice", "libreoffice-calc")
	ctx := context.Background()
	svc := sqliteService(t)
	dir := t.TempDir()
	ids := map[string]string{}

	empty, err := svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: "Empty Ltd"})
	if err != nil {
		t.Fatal(err)
	}
	ids["empty"] = empty.ID
	ids["demo"] = demo(t, svc)

	// All 5, half of them without evidence (counted as 4), target 5.
	all5, err := svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: "All Fives Ltd", TargetScore: 5})
	if err != nil {
		t.Fatal(err)
	}
	ids["all-5"] = all5.ID
	five := assess.Score(5)
	for i, ci := range catalog.Builtin().Items {
		if _, err := svc.UpdateItem(ctx, app.System("tester"), all5.ID, ci.Ref, 0, app.ItemPatch{Score: &five}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := svc.AddEvidence(ctx, app.System("tester"), all5.ID, ci.Ref, app.NewEvidence{Text: "Audit pack " + ci.Ref}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Exclusions, one of them unjustified in the scope, and a whole theme N/A.
	na, err := svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: "Remote Ltd",
		Exclusions: []assess.Exclusion{{What: "Sales office", Justification: "No data"}, {What: "Lab"}}})
	if err != nil {
		t.Fatal(err)
	}
	ids["with-NA"] = na.ID
	no := false
	for i, ci := range catalog.Builtin().Items {
		p := app.ItemPatch{}
		switch {
		case ci.Section == "A.7":
			p.Applicable, p.Justification = &no, ptr("Fully remote company without premises")
		case i%3 == 0:
			s := assess.Score(1 + i%5)
			p.Score = &s
		default:
			continue
		}
		if _, err := svc.UpdateItem(ctx, app.System("tester"), na.ID, ci.Ref, 0, p); err != nil {
			t.Fatal(err)
		}
	}

	var names, paths []string
	for name, id := range ids {
		p := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(p, export(t, svc, id, workbook.Filter{}), 0o644); err != nil {
			t.Fatal(err)
		}
		names, paths = append(names, name), append(paths, p)
	}
	// A copy edited in a spreadsheet and never recalculated: the Dashboard
	// must follow the edits once LibreOffice opens it, and agree with
	// isogap after the import.
	editedID := demo(t, svc)
	editedData := edit(t, export(t, svc, editedID, workbook.Filter{}), func(f *excelize.File) {
		sh := workbook.SheetChecklist
		set(t, f, sh, fmt.Sprintf("H%d", rowOf(t, f, "4.3")), 5)                         // a 5 without evidence
		set(t, f, sh, fmt.Sprintf("H%d", rowOf(t, f, "6.2")), "2 - Planning Only")       // text
		set(t, f, sh, fmt.Sprintf("H%d", rowOf(t, f, "A.5.10")), 1)                      //
		set(t, f, sh, fmt.Sprintf("H%d", rowOf(t, f, "A.8.9")), "N/A")                   // N/A in the score
		set(t, f, sh, fmt.Sprintf("G%d", rowOf(t, f, "A.8.9")), "Immutable images only") //
		set(t, f, sh, fmt.Sprintf("F%d", rowOf(t, f, "A.7.12")), "Yes")                  // back in scope
		r := rowOf(t, f, "A.6.3")
		set(t, f, sh, fmt.Sprintf("H%d", r), 5)
		set(t, f, sh, fmt.Sprintf("J%d", r), "Training records 2026")
	})
	edited := filepath.Join(dir, "edited.xlsx")
	if err := os.WriteFile(edited, editedData, 0o644); err != nil {
		t.Fatal(err)
	}
	names, paths = append(names, "edited"), append(paths, edited)

	saved := recalc(t, paths...)
	var dash map[string][][]any
	if err := json.Unmarshal(python(t, dashboardValues, saved...), &dash); err != nil {
		t.Fatal(err)
	}
	if _, err := importBooks(t, svc, editedID, app.SheetImportOptions{}, read(t, "edited.xlsx", editedData)); err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		id := ids[name]
		if name == "edited" {
			id = editedID
		}
		v := view(t, svc, id)
		checkDashboard(t, name, dash[saved[i]], v)
	}
	// The import made isogap agree with the recalculated copy.
	v := view(t, svc, editedID)
	if it, _ := v.Item("A.8.9"); it.Applicable {
		t.Error("A.8.9 typed N/A is still applicable")
	}
}
