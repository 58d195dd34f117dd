package workbook_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// TestDashboardStructure reads an exported Dashboard back without a
// spreadsheet program: every figure row stands where Layout says, under
// its header, with its group's label and criterion; the charts follow each
// other down column J and plot the rows of their block.
func TestDashboardStructure(t *testing.T) {
	v := demoView()
	cat, a := v.Catalog, v.Assessment
	var buf bytes.Buffer
	if err := workbook.Export(&buf, v, workbook.Filter{}, writtenAt); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := workbook.SheetDashboard
	lay := workbook.Layout(cat)
	value := func(col string, row int) string {
		s, _ := f.GetCellValue(sh, fmt.Sprintf("%s%d", col, row))
		return s
	}
	formula := func(col string, row int) string {
		s, _ := f.GetCellFormula(sh, fmt.Sprintf("%s%d", col, row))
		return s
	}
	cols := func(row int, cs ...string) []string {
		var out []string
		for _, c := range cs {
			out = append(out, value(c, row))
		}
		return out
	}
	figureCols := []string{"C", "D", "E", "F", "G", "H"}
	figureHeader := []string{"Readiness", "Coverage", "Applicable", "Assessed", "At Target", "Not Applicable"}

	if got := value("A", 1); got != "Dashboard — "+a.Org {
		t.Errorf("title %q", got)
	}
	if got := value("A", 2); !strings.HasPrefix(got, "Formulas over the Gap Checklist") {
		t.Errorf("note %q", got)
	}
	if value("A", 3) != "Target score" || formula("C", 3) != "target_score" {
		t.Errorf("target score row: %q, %q", value("A", 3), formula("C", 3))
	}

	// Each group: its header above the block, its label, and a criterion
	// that selects it.
	type group struct{ key, id, label, criterion string }
	groups := []group{{"overall", "", "Overall", `"<>"`}, {"clauses", "", "Clause requirements (4-10)", `"` + catalog.KindClause + `"`},
		{"controls", "", "Annex A controls", `"` + catalog.KindControl + `"`}}
	headers := map[int]string{lay.Figures["overall"] - 1: ""}
	blocks := map[string][]int{}
	for _, s := range cat.Sections {
		groups = append(groups, group{s.ID, s.ID, s.Title, `"` + s.ID + `"`})
		blocks[s.Kind] = append(blocks[s.Kind], lay.Figures[s.ID])
	}
	headers[slices.Min(blocks[catalog.KindClause])-1] = "By clause"
	headers[slices.Min(blocks[catalog.KindControl])-1] = "By Annex A theme"
	for _, g := range groups {
		r, ok := lay.Figures[g.key]
		if !ok {
			t.Errorf("Layout has no row for %s", g.key)
			continue
		}
		if got := cols(r, "A", "B"); got[0] != g.id || got[1] != g.label {
			t.Errorf("row %d of %s is labelled %q", r, g.key, got)
		}
		for _, c := range figureCols {
			if fm := formula(c, r); !strings.Contains(fm, ","+g.criterion) {
				t.Errorf("%s%d (%s) does not select %s: %s", c, r, g.key, g.criterion, fm)
			}
		}
	}
	for r, first := range headers {
		if got := cols(r, "A", "C", "D", "E", "F", "G", "H"); !slices.Equal(got, append([]string{first}, figureHeader...)) {
			t.Errorf("header row %d is %q, want %q", r, got, first)
		}
	}
	for kind, rows := range blocks {
		if slices.Max(rows)-slices.Min(rows) != len(rows)-1 {
			t.Errorf("the %s rows are not one block: %v", kind, rows)
		}
	}

	d := lay.Distribution
	if got := cols(d-1, "A", "B", "C", "D", "E", "F", "G"); !slices.Equal(got, []string{"Scores", "Not assessed", "1", "2", "3", "4", "5"}) {
		t.Errorf("distribution header (row %d) %q", d-1, got)
	}
	if value("A", d) != "Items" {
		t.Errorf("distribution row %d is labelled %q", d, value("A", d))
	}
	for s, c := range []string{"B", "C", "D", "E", "F", "G"} {
		if fm := formula(c, d); !strings.HasSuffix(fm, ","+strconv.Itoa(s)+")") {
			t.Errorf("%s%d does not count score %d: %s", c, d, s, fm)
		}
	}
	for r, label := range map[int]string{lay.Flagged: "Scored 5 without evidence (counted as 4)", lay.Blockers: "Audit-readiness blockers", lay.AuditReady: "Audit-ready"} {
		if value("B", r) != label || formula("C", r) == "" {
			t.Errorf("row %d: %q, %q; want %q with a formula", r, value("B", r), formula("C", r), label)
		}
	}
	if fm := formula("C", lay.AuditReady); !strings.Contains(fm, fmt.Sprintf("C%d=0", lay.Blockers)) {
		t.Errorf("audit-ready does not read the blockers' cell: %s", fm)
	}

	// The charts, top to bottom: their anchors, titles and ranges.
	abs := func(col string, first, last int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sh, col, first, col, last)
	}
	bars := func(kind string) []string {
		first, last := slices.Min(blocks[kind]), slices.Max(blocks[kind])
		h := lay.Figures["overall"] - 1
		return []string{fmt.Sprintf("'%s'!$C$%d", sh, h), abs("B", first, last), abs("C", first, last),
			fmt.Sprintf("'%s'!$D$%d", sh, h), abs("B", first, last), abs("D", first, last)}
	}
	want := []dashChart{
		{"J2", "Readiness by clause", bars(catalog.KindClause)},
		{"J19", "Readiness by Annex A theme", bars(catalog.KindControl)},
		{"J36", "Score distribution (applicable items, effective score)",
			[]string{fmt.Sprintf("'%s'!$A$%d", sh, d), fmt.Sprintf("'%s'!$B$%d:$G$%d", sh, d-1, d-1), fmt.Sprintf("'%s'!$B$%d:$G$%d", sh, d, d)}},
	}
	got := dashboardCharts(t, data)
	if len(got) != len(want) {
		t.Fatalf("%d charts on the Dashboard, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].at != want[i].at || got[i].title != want[i].title || !slices.Equal(got[i].refs, want[i].refs) {
			t.Errorf("chart %d:\n got %+v\nwant %+v", i+1, got[i], want[i])
		}
	}
}

// The template's Dashboard carries no organisation.
func TestDashboardTitleAndNote(t *testing.T) {
	var tpl bytes.Buffer
	if err := workbook.Template(&tpl, demoView().Catalog, writtenAt); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(tpl.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, _ := f.GetCellValue(workbook.SheetDashboard, "A1"); got != "Dashboard" {
		t.Errorf("title of the template: %q", got)
	}
}

// demoView is the demo assessment, computed without a store.
func demoView() app.View {
	cat := catalog.Builtin()
	a, items := app.DemoAssessment(cat, writtenAt, app.DemoSeed)
	return app.View{Assessment: a, Catalog: cat, Items: items, Result: assess.Compute(cat, a, items)}
}

// dashChart is a chart as the file holds it: its top-left cell, title,
// and the ranges of its series (name, categories, values for each).
type dashChart struct {
	at, title string
	refs      []string
}

var (
	anchorRE = regexp.MustCompile(`(?s)<xdr:from><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>.*?r:id="([^"]+)"`)
	relRE    = regexp.MustCompile(`Id="([^"]+)" Target="([^"]+)"`)
	titleRE  = regexp.MustCompile(`<a:t>([^<]*)</a:t>`)
	refRE    = regexp.MustCompile(`<(?:c:)?f>([^<]*)</(?:c:)?f>`)
)

// dashboardCharts reads the Dashboard's drawing (the only one in the
// workbook) and its charts, in the order they are anchored.
func dashboardCharts(t *testing.T, data []byte) []dashChart {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		rc, err := zr.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return string(b)
	}
	targets := map[string]string{}
	for _, m := range relRE.FindAllStringSubmatch(read("xl/drawings/_rels/drawing1.xml.rels"), -1) {
		targets[m[1]] = path.Join("xl/drawings", m[2])
	}
	var out []dashChart
	for _, m := range anchorRE.FindAllStringSubmatch(read("xl/drawings/drawing1.xml"), -1) {
		col, _ := strconv.Atoi(m[1])
		row, _ := strconv.Atoi(m[2])
		name, _ := excelize.ColumnNumberToName(col + 1)
		c := dashChart{at: name + strconv.Itoa(row+1)}
		xml := read(targets[m[3]])
		if tm := titleRE.FindStringSubmatch(xml); tm != nil {
			c.title = html.UnescapeString(tm[1])
		}
		for _, r := range refRE.FindAllStringSubmatch(xml, -1) {
			c.refs = append(c.refs, html.UnescapeString(r[1]))
		}
		out = append(out, c)
	}
	return out
}
