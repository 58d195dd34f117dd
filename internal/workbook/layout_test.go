package workbook_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/chart"
	"github.com/isogap/isogap/internal/workbook"
)

// exportDemo writes the demo's workbook, or one department's copy.
func exportDemo(t *testing.T, f workbook.Filter) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := workbook.Export(&buf, demoView(), f, writtenAt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLibreOfficeRowHeightsFitText: LibreOffice shows every Gap Checklist
// row at least as tall as its questions' lines (it keeps the stored
// height, so a row without one overlapped the rows below).
func TestLibreOfficeRowHeightsFitText(t *testing.T) {
	v := demoView()
	rows := render(t, exportDemo(t, workbook.Filter{}))[workbook.SheetChecklist]
	checked := 0
	for _, r := range rows[1:] {
		if len(r.Cells) < 4 {
			continue
		}
		if _, ok := v.Catalog.Item(r.Cells[0].Text); !ok {
			continue
		}
		checked++
		lines := strings.Count(r.Cells[3].Text, "\n") + 1
		if min := 17 * lines; r.Height < min {
			t.Errorf("%s: row shown %d px high for %d lines of questions (at least %d px)", r.Cells[0].Text, r.Height, lines, min)
		}
	}
	if checked != len(v.Catalog.Items) {
		t.Errorf("checked %d rows, want %d", checked, len(v.Catalog.Items))
	}
}

// layoutInspect reports, per visible sheet, its print setup, protection,
// and the text cells a spreadsheet program would clip: a wrapping cell
// whose lines do not fit its row, or a bold header wider than its cell.
const layoutInspect = `
import sys, json, math, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {}
def lines(text, width, factor):
    cap = max(int(width * 1.2 / factor), 1)
    n = 0
    for line in text.split("\n"):
        n += 1
        used = 0
        for word in line.split():
            if used == 0:
                used = len(word)
            elif used + 1 + len(word) <= cap:
                used += 1 + len(word)
            else:
                n += 1
                used = len(word)
            while used > cap:
                n += 1
                used -= cap
    return n
for ws in wb.worksheets:
    if ws.sheet_state != "visible":
        continue
    widths = lambda c: ws.column_dimensions[c].width if ws.column_dimensions[c].width else 8.43
    merged = {}
    for m in ws.merged_cells.ranges:
        merged[(m.min_row, m.min_col)] = sum(widths(openpyxl.utils.get_column_letter(c)) for c in range(m.min_col, m.max_col + 1))
    clipped = []
    for row in ws.iter_rows():
        for c in row:
            if not isinstance(c.value, str) or c.value == "" or c.data_type == "f":
                continue
            if ws.column_dimensions[c.column_letter].hidden:
                continue
            width = merged.get((c.row, c.column), widths(c.column_letter))
            factor = 1.1 if c.font.b else 1.0
            height = ws.row_dimensions[c.row].height or 15
            if c.alignment.wrap_text:
                n = lines(c.value, width, factor)
                if height < n * 12.5:
                    clipped.append("%s: %d lines in %.0f pt" % (c.coordinate, n, height))
    ps = ws.page_setup
    fill = lambda c: c.fill.fgColor.rgb if c.fill and c.fill.fill_type == "solid" else None
    out[ws.title] = {
        "print_area": str(ws.print_area or ""), "titles": str(ws.print_title_rows or ""),
        "orientation": ps.orientation, "fit_width": ps.fitToWidth, "fit_to_page": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
        "footer": ws.oddFooter.left.text or "", "footer_right": ws.oddFooter.right.text or "",
        "protected": bool(ws.protection.sheet), "password": ws.protection.password or "",
        "clipped": clipped,
        "unlocked": sorted({c.column_letter for row in ws.iter_rows(min_row=2) for c in row if c.protection.locked is False}),
        "locked_formulas": all(c.protection.locked is not False for row in ws.iter_rows() for c in row if c.data_type == "f" and c.column_letter not in "DEGH"),
        "shaded": sorted({c.column_letter for row in ws.iter_rows(min_row=2) for c in row if c.protection.locked is False and fill(c) and fill(c).endswith("FFF4CC")}),
        "texts": [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.data_type != "f"],
    }
print(json.dumps(out))
`

type sheetLayout struct {
	PrintArea   string `json:"print_area"`
	Titles      string
	Orientation string
	FitWidth    int  `json:"fit_width"`
	FitToPage   bool `json:"fit_to_page"`
	Footer      string
	FooterRight string `json:"footer_right"`
	Protected   bool
	Password    string
	Clipped     []string
	Unlocked    []string
	Locked      bool `json:"locked_formulas"`
	Shaded      []string
	Texts       []string
}

func inspectLayout(t *testing.T, data []byte) map[string]sheetLayout {
	t.Helper()
	p := filepath.Join(t.TempDir(), "book.xlsx")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var out map[string]sheetLayout
	if err := json.Unmarshal(python(t, layoutInspect, p), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEverySheetPrintsAndFits: every visible sheet has a print area, a
// landscape page one page wide and a footer with the page number; the
// tables repeat their header row; no text is clipped by its row height
// (Dashboard headers included).
func TestEverySheetPrintsAndFits(t *testing.T) {
	for name, data := range map[string][]byte{"export": exportDemo(t, workbook.Filter{}), "hr": exportDemo(t, workbook.Filter{Department: "HR"})} {
		sheets := inspectLayout(t, data)
		for _, sh := range []string{workbook.SheetInstructions, workbook.SheetScope, workbook.SheetChecklist, workbook.SheetSoA, workbook.SheetActions, workbook.SheetDashboard} {
			l, ok := sheets[sh]
			if !ok {
				continue // a stakeholder's copy leaves some sheets out
			}
			if l.PrintArea == "" || l.Orientation != "landscape" || l.FitWidth != 1 || !l.FitToPage {
				t.Errorf("%s %s: print area %q, orientation %q, fit %d wide (%v)", name, sh, l.PrintArea, l.Orientation, l.FitWidth, l.FitToPage)
			}
			if !strings.Contains(l.FooterRight, "&P") {
				t.Errorf("%s %s: footer %q / %q has no page number", name, sh, l.Footer, l.FooterRight)
			}
			if len(l.Clipped) > 0 {
				t.Errorf("%s %s: text cut off by the row height in %v", name, sh, l.Clipped)
			}
		}
		for _, sh := range []string{workbook.SheetChecklist, workbook.SheetSoA, workbook.SheetActions} {
			if l, ok := sheets[sh]; ok && strings.ReplaceAll(l.Titles, "$", "") != "1:1" {
				t.Errorf("%s %s: print titles %q", name, sh, l.Titles)
			}
		}
		if l := sheets[workbook.SheetChecklist]; !strings.Contains(strings.ReplaceAll(l.PrintArea, "$", ""), "A1:P124") && name == "export" {
			t.Errorf("the Gap Checklist prints %q, want A1:P124 (without the hidden helpers)", l.PrintArea)
		}
	}
}

// TestViewSheetsAreProtected: the Statement of Applicability, the Action
// Plan and the Dashboard are protected without a password; their formulas
// are locked, the cells a person may edit are unlocked and shaded, and
// each sheet says what can be edited there.
func TestViewSheetsAreProtected(t *testing.T) {
	sheets := inspectLayout(t, exportDemo(t, workbook.Filter{}))
	for sh, want := range map[string][]string{workbook.SheetSoA: {"D", "E", "F", "G"}, workbook.SheetActions: {"E", "G", "H"}, workbook.SheetDashboard: nil} {
		l := sheets[sh]
		if !l.Protected || l.Password != "" {
			t.Errorf("%s: protected %v, password %q; want protected without a password", sh, l.Protected, l.Password)
		}
		if !l.Locked {
			t.Errorf("%s: a formula cell outside the input columns is unlocked", sh)
		}
		if strings.Join(l.Unlocked, "") != strings.Join(want, "") || strings.Join(l.Shaded, "") != strings.Join(want, "") {
			t.Errorf("%s: unlocked columns %v, shaded %v; want %v", sh, l.Unlocked, l.Shaded, want)
		}
		says := false
		for _, s := range l.Texts {
			if strings.Contains(s, "protected") {
				says = true
			}
		}
		if !says {
			t.Errorf("%s does not say that it is protected and what can be edited", sh)
		}
	}
	if l := sheets[workbook.SheetChecklist]; l.Protected {
		t.Error("the Gap Checklist is protected: it must stay free to edit, sort and filter")
	}
}

// TestEmptyGroupsShowADash: a theme whose controls are all excluded
// shows "—" for readiness and coverage, not 0.0 %, both cached and once
// LibreOffice recalculates.
func TestEmptyGroupsShowADash(t *testing.T) {
	v := demoView()
	for i, it := range v.Items {
		if strings.HasPrefix(it.Ref, "A.7.") {
			v.Items[i].Applicable, v.Items[i].Justification = false, "Fully remote: no premises"
		}
	}
	var buf bytes.Buffer
	if err := workbook.Export(&buf, v, workbook.Filter{}, writtenAt); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "remote.xlsx")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := recalc(t, p)[0]
	var dash map[string][][]any
	if err := json.Unmarshal(python(t, dashboardValues, p, fresh), &dash); err != nil {
		t.Fatal(err)
	}
	row := workbook.Layout(v.Catalog).Figures["A.7"]
	for _, path := range []string{p, fresh} {
		cells := dash[path][row-1]
		if cells[4] != 0.0 || cells[2] != "—" || cells[3] != "—" {
			t.Errorf("%s: A.7 (all excluded) shows applicable %v, readiness %v, coverage %v; want 0, —, —",
				filepath.Base(path), cells[4], cells[2], cells[3])
		}
	}
}

var (
	dptRE  = regexp.MustCompile(`<(?:c:)?dPt>.*?<a:srgbClr val="([0-9A-Fa-f]{6})"`)
	axisRE = regexp.MustCompile(`(?s)<(?:c:)?(?:catAx|valAx)>.*?</(?:c:)?(?:catAx|valAx)>`)
)

// TestChartColours: the score distribution's columns are in the scores'
// red-to-green scale, and the charts' titles are dark and legible.
func TestChartColours(t *testing.T) {
	data := exportDemo(t, workbook.Filter{})
	xmls := chartXML(t, data)
	if len(xmls) != 3 {
		t.Fatalf("%d charts", len(xmls))
	}
	var got []string
	for _, m := range dptRE.FindAllStringSubmatch(xmls[2], -1) {
		got = append(got, "#"+strings.ToUpper(m[1]))
	}
	if strings.Join(got, " ") != strings.Join(chart.ScoreHex[:], " ") {
		t.Errorf("score distribution columns are coloured %v, want %v", got, chart.ScoreHex)
	}
	for i, x := range xmls {
		axes := axisRE.FindAllString(x, -1)
		if len(axes) != 2 {
			t.Errorf("chart %d: %d axes", i+1, len(axes))
		}
		for _, a := range axes {
			if !strings.Contains(a, `<a:srgbClr val="333333"`) {
				t.Errorf("chart %d: axis labels not in dark grey: %.200s…", i+1, a)
			}
		}
	}
}

// chartXML returns the charts' XML, in order.
func chartXML(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := 1; ; i++ {
		f, err := zr.Open(fmt.Sprintf("xl/charts/chart%d.xml", i))
		if err != nil {
			return out
		}
		b, _ := io.ReadAll(f)
		f.Close()
		out = append(out, string(b))
	}
}
