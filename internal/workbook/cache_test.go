package workbook_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/workbook"
	"github.com/xuri/excelize/v2"
)

// formulaValues lists, for each workbook, every formula cell of the
// visible sheets with the value a data-only reader sees (the cached
// value), and the Dashboard as data-only rows.
const formulaValues = `
import sys, json, openpyxl
out = {}
for p in sys.argv[1:]:
    formulas = openpyxl.load_workbook(p)
    values = openpyxl.load_workbook(p, data_only=True)
    cells = {}
    for ws in formulas.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    cells[ws.title + "!" + c.coordinate] = values[ws.title][c.coordinate].value
    out[p] = {"cells": cells, "dashboard": []}
    if "Dashboard" in values.sheetnames:
        dash = values["Dashboard"]
        out[p]["dashboard"] = [list(r) for r in dash.iter_rows(min_row=1, max_row=dash.max_row, max_col=8, values_only=True)]
print(json.dumps(out, default=str))
`

type formulaDump struct {
	Cells     map[string]any
	Dashboard [][]any
}

// TestCachedValues: every formula of an export carries the value it
// computes to, so a data-only reader (openpyxl with data_only=True, a
// previewer) sees the Dashboard's figures without recalculating: they
// equal isogap's own figures and what LibreOffice computes afresh, for
// the whole assessment, one department's copy and the blank template.
func TestCachedValues(t *testing.T) {
	v := demoView()
	dir := t.TempDir()
	books := map[string][]byte{}
	for name, f := range map[string]workbook.Filter{"demo": {}, "hr": {Department: "HR"}} {
		var buf bytes.Buffer
		if err := workbook.Export(&buf, v, f, writtenAt); err != nil {
			t.Fatal(err)
		}
		books[name] = buf.Bytes()
	}
	var tpl bytes.Buffer
	if err := workbook.Template(&tpl, v.Catalog, writtenAt); err != nil {
		t.Fatal(err)
	}
	books["template"] = tpl.Bytes()
	var names, paths []string
	for name, data := range books {
		p := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		names, paths = append(names, name), append(paths, p)
	}
	recalculated := recalc(t, paths...)
	var dump map[string]formulaDump
	if err := json.Unmarshal(python(t, formulaValues, append(slices.Clone(paths), recalculated...)...), &dump); err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		cached, fresh := dump[paths[i]], dump[recalculated[i]]
		if len(cached.Cells) < 30 {
			t.Errorf("%s: only %d formula cells", name, len(cached.Cells))
		}
		bad := 0
		for _, ref := range slices.Sorted(func(yield func(string) bool) {
			for k := range cached.Cells {
				if !yield(k) {
					return
				}
			}
		}) {
			c := cached.Cells[ref]
			f, ok := fresh.Cells[ref]
			if !ok {
				t.Errorf("%s: LibreOffice has no formula at %s", name, ref)
				continue
			}
			if !sameValue(c, f) {
				if bad++; bad <= 15 {
					t.Errorf("%s: %s is cached as %#v, LibreOffice computes %#v", name, ref, c, f)
				}
			}
		}
		if bad > 15 {
			t.Errorf("%s: %d cells differ in all", name, bad)
		}
	}
	checkDashboard(t, "demo before any recalculation", dump[paths[slices.Index(names, "demo")]].Dashboard, v)
}

// sameValue compares a cached value with a recomputed one: numbers to
// 1e-9, an empty text the same as no value.
func sameValue(a, b any) bool {
	num := func(x any) (float64, bool) {
		y, ok := x.(float64)
		return y, ok
	}
	if x, ok := num(a); ok {
		y, ok := num(b)
		return ok && x-y < 1e-9 && y-x < 1e-9
	}
	str := func(x any) string {
		if x == nil {
			return ""
		}
		return fmt.Sprint(x)
	}
	return str(a) == str(b)
}

// TestChartCaches: each chart series carries the values of the cells it
// plots, so a previewer draws the Dashboard's charts without calculating.
func TestChartCaches(t *testing.T) {
	v := demoView()
	var buf bytes.Buffer
	if err := workbook.Export(&buf, v, workbook.Filter{}, writtenAt); err != nil {
		t.Fatal(err)
	}
	charts := chartSeries(t, buf.Bytes())
	if len(charts) != 3 {
		t.Fatalf("%d charts", len(charts))
	}
	lay := workbook.Layout(v.Catalog)
	r := v.Result
	var clauseReadiness []string
	for _, g := range r.ByClause {
		clauseReadiness = append(clauseReadiness, strconv.FormatFloat(g.Readiness, 'g', -1, 64))
	}
	var scores []string
	for s := 0; s <= 5; s++ {
		scores = append(scores, strconv.Itoa(r.Scores[s]))
	}
	want := map[string][]string{
		fmt.Sprintf("'Dashboard'!$C$%d:$C$%d", lay.Figures["4"], lay.Figures["10"]):            clauseReadiness,
		fmt.Sprintf("'Dashboard'!$B$%d:$G$%d", lay.Distribution, lay.Distribution):             scores,
		fmt.Sprintf("'Dashboard'!$B$%d:$G$%d", lay.Distribution-1, lay.Distribution-1):         {"Not assessed", "1", "2", "3", "4", "5"},
		fmt.Sprintf("'Dashboard'!$B$%d:$B$%d", lay.Figures["A.5"], lay.Figures["A.8"]):         {"Organizational controls", "People controls", "Physical controls", "Technological controls"},
		fmt.Sprintf("'Dashboard'!$C$%d", lay.Figures["overall"]-1):                             {"Readiness"},
		fmt.Sprintf("'Dashboard'!$D$%d:$D$%d", lay.Figures["overall"], lay.Figures["overall"]): nil, // not plotted
	}
	seen := 0
	for _, c := range charts {
		for ref, cache := range c {
			if cache == nil {
				t.Errorf("series %s has no cache", ref)
				continue
			}
			if w, ok := want[ref]; ok && w != nil {
				seen++
				if !slices.Equal(cache, w) {
					t.Errorf("series %s caches %q, want %q", ref, cache, w)
				}
			}
		}
	}
	if seen < 5 {
		t.Errorf("only %d of the expected series found: %v", seen, charts)
	}
}

var (
	seriesRE = regexp.MustCompile(`<(?:c:)?(?:strRef|numRef)><(?:c:)?f>([^<]*)</(?:c:)?f>(<(?:c:)?(?:strCache|numCache)>.*?</(?:c:)?(?:strCache|numCache)>)?`)
	pointRE  = regexp.MustCompile(`<(?:c:)?pt idx="(\d+)"><(?:c:)?v>([^<]*)</(?:c:)?v>`)
	countRE  = regexp.MustCompile(`<(?:c:)?ptCount val="(\d+)"`)
)

// chartSeries reads each chart's series references and their caches
// (nil where a reference has none; "" for a point left out).
func chartSeries(t *testing.T, data []byte) []map[string][]string {
	t.Helper()
	var out []map[string][]string
	for _, x := range chartXML(t, data) {
		b := []byte(x)
		m := map[string][]string{}
		for _, s := range seriesRE.FindAllSubmatch(b, -1) {
			ref := html.UnescapeString(string(s[1]))
			if len(s[2]) == 0 {
				m[ref] = nil
				continue
			}
			n := 0
			if c := countRE.FindSubmatch(s[2]); c != nil {
				n, _ = strconv.Atoi(string(c[1]))
			}
			vals := make([]string, n)
			for _, p := range pointRE.FindAllSubmatch(s[2], -1) {
				if k, _ := strconv.Atoi(string(p[1])); k < n {
					vals[k] = html.UnescapeString(string(p[2]))
				}
			}
			m[ref] = vals
		}
		out = append(out, m)
	}
	return out
}

var (
	dimensionRE = regexp.MustCompile(`<dimension ref="([^"]*)"`)
	cellRefRE   = regexp.MustCompile(`<c r="([A-Z]+[0-9]+)"`)
)

// TestDimensions: each sheet's <dimension> spans exactly its cells, as
// readers that stream a sheet rely on.
func TestDimensions(t *testing.T) {
	v := demoView()
	var buf bytes.Buffer
	if err := workbook.Export(&buf, v, workbook.Filter{}, writtenAt); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		n++
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		maxCol, maxRow := 1, 1
		for _, m := range cellRefRE.FindAllSubmatch(b, -1) {
			c, r, err := excelize.CellNameToCoordinates(string(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			maxCol, maxRow = max(maxCol, c), max(maxRow, r)
		}
		want, _ := excelize.CoordinatesToCellName(maxCol, maxRow)
		want = "A1:" + want
		got := ""
		if m := dimensionRE.FindSubmatch(b); m != nil {
			got = string(m[1])
		}
		if got != want {
			t.Errorf("%s: <dimension> %q, its cells span %s", zf.Name, got, want)
		}
	}
	if n != 7 {
		t.Errorf("%d sheets", n)
	}
}
