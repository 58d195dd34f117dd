package report_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/report"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// demoTime fixes the demo, so its figures (not its random id) are stable.
var demoTime = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// demoResults computes the results of the demo assessment, with the history
// the demo command records and a saved assumption.
func demoResults(t testing.TB) app.Results {
	t.Helper()
	return editedDemoResults(t, nil)
}

// editedDemoResults is demoResults after edit, if not nil, changed the
// assessment and its items.
func editedDemoResults(t testing.TB, edit func(a *assess.Assessment, items []assess.Item)) app.Results {
	t.Helper()
	cat := catalog.Builtin()
	a, items := app.DemoAssessment(cat, demoTime, app.DemoSeed)
	if edit != nil {
		edit(&a, items)
	}
	var hist []assess.Change
	for _, it := range items {
		for _, c := range assess.DiffItems(assess.Item{Ref: it.Ref, Applicable: true, Department: it.Department}, it) {
			c.At = it.UpdatedAt
			hist = append(hist, c)
		}
	}
	v := app.View{Assessment: a, Catalog: cat, Items: items, Result: assess.Compute(cat, a, items)}
	ps := store.PlanSettings{Values: map[string]string{"currency": "GBP", "capacity.Samir Okafor": "4"}, Version: 1}
	snaps := []store.Snapshot{{Name: "baseline", CreatedAt: demoTime.AddDate(0, 0, -30), CreatedBy: "Samir Okafor", Assessment: a, Items: items}}
	r, err := app.BuildResults(v, ps, nil, hist, snaps, demoTime)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden file at line %d:\n got %s\nwant %s\n(go test ./internal/report -update rewrites it after a deliberate change)", name, i+1, g, w)
			}
		}
	}
}

func TestGoldenSoAAndRiskRegister(t *testing.T) {
	r := demoResults(t)
	if strings.Contains(fmt.Sprint(r.SoA), r.Assessment.ID) {
		t.Fatal("the SoA carries the random assessment id; goldens would not be stable")
	}
	var soa, risks bytes.Buffer
	if err := report.WriteCSV(&soa, report.SoASheet(r.SoA)); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteCSV(&risks, report.RiskSheet(r.Risks)); err != nil {
		t.Fatal(err)
	}
	golden(t, "demo-soa.csv", soa.Bytes())
	golden(t, "demo-risks.csv", risks.Bytes())
	recs, err := csv.NewReader(bytes.NewReader(soa.Bytes())).ReadAll()
	if err != nil || len(recs) != 94 {
		t.Errorf("SoA has %d records (%v), want a header and 93 controls", len(recs), err)
	}
}

// TestGoldenExecutive compares everything the executive report of the demo
// holds, but the charts' pictures, with the golden file: its sections and
// their blocks in order, every table's header, widths, rows and marks.
func TestGoldenExecutive(t *testing.T) {
	d, err := report.Executive(demoResults(t), report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "demo-executive.txt", []byte(outline(d)))
}

// outline writes a Doc one piece a line.
func outline(d report.Doc) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("doc %q %q %q %s landscape=%v", d.Title, d.Subtitle, d.Org, d.Date.Format(time.RFC3339), d.Landscape)
	for _, f := range d.Cover {
		p("cover %q %q %q", f.Label, f.Value, f.Note)
	}
	for i, s := range d.Sections {
		p("\nsection %s %s %q", d.Number(i), s.ID, s.Title)
		for _, bl := range s.Blocks {
			p("-")
			if bl.Heading != "" {
				p("heading %q", bl.Heading)
			}
			if bl.Paragraph != "" {
				p("paragraph %q", bl.Paragraph)
			}
			for _, x := range bl.Bullets {
				p("bullet %q", x)
			}
			for _, f := range bl.Figures {
				p("figure %q %q %q", f.Label, f.Value, f.Note)
			}
			if tb := bl.Table; tb != nil {
				p("table widths %v small %v", tb.Widths, tb.Small)
				p("header %q", tb.Header)
				for j, row := range tb.Rows {
					mark := ""
					if j < len(tb.Marked) && tb.Marked[j] {
						mark = " marked"
					}
					p("row%s %q", mark, row)
				}
				if len(tb.Marked) > len(tb.Rows) {
					p("%d marks for %d rows", len(tb.Marked), len(tb.Rows))
				}
			}
			if c := bl.Chart; c != nil {
				p("chart %s %q %.1fx%.1fpt plot=%v", c.ID, c.Title, float64(c.W), float64(c.H), c.Plot != nil)
			}
		}
	}
	return b.String()
}

func pdfTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	path := testenv.Program(t, name, "poppler-utils")
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, testenv.Trim(out))
	}
	return string(out)
}

func pageCount(t *testing.T, file string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(pdfTool(t, "pdfinfo", file))
	if m == nil {
		t.Fatal("pdfinfo shows no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestExecutivePDF renders the demo report and reads it back with poppler:
// its pages, its text, its table of contents and its images.
func TestExecutivePDF(t *testing.T) {
	r := demoResults(t)
	d, err := report.Executive(r, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "report.pdf")
	var buf bytes.Buffer
	if err := report.WritePDF(&buf, d); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pages := pageCount(t, file)
	if pages < 15 || pages > 60 {
		t.Errorf("%d pages", pages)
	}
	text := pdfTool(t, "pdftotext", "-layout", file, "-")
	for _, want := range []string{"ISO/IEC 27001:2022 readiness report", app.DemoOrg, "Contents", "Summary", "Statement of Applicability",
		"Requirements matrix", "What blocks certification", "Quick wins", "Forecast and budget", "day_rate", "GBP",
		fmt.Sprintf("Page 3 of %d", pages), longDate(r.Forecast.Certification.P50.Time()), "Tomás Rivera", "A.8.34", "Internal audit (9.2)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	// The table of contents names the right pages.
	toc := pdfTool(t, "pdftotext", "-layout", "-f", "2", "-l", "2", file, "-")
	for i, s := range d.Sections {
		m := regexp.MustCompile(regexp.QuoteMeta(d.Number(i)) + `\s+` + regexp.QuoteMeta(s.Title) + `\s+(\d+)`).FindStringSubmatch(toc)
		if m == nil {
			t.Errorf("contents lack %q with a page number:\n%s", s.Title, toc)
			continue
		}
		page := pdfTool(t, "pdftotext", "-f", m[1], "-l", m[1], file, "-")
		if !strings.Contains(page, s.Title) {
			t.Errorf("contents say %q is on page %s, which does not show it", s.Title, m[1])
		}
	}
	// Seven charts, as images of at least 1000 pixels across.
	images := pdfTool(t, "pdfimages", "-list", file)
	n := 0
	for _, l := range strings.Split(images, "\n")[2:] {
		f := strings.Fields(l)
		if len(f) > 4 && f[2] == "image" {
			if w, _ := strconv.Atoi(f[3]); w >= 1000 {
				n++
			}
		}
	}
	if n < 7 {
		t.Errorf("%d chart images of at least 1000 pixels, want 7 or more:\n%s", n, images)
	}
	// Every page renders.
	pdfTool(t, "pdftoppm", "-r", "30", "-png", file, filepath.Join(dir, "page"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pngs) != pages {
		t.Errorf("pdftoppm rendered %d pages of %d", len(pngs), pages)
	}
}

func longDate(t time.Time) string { return t.Format("2 Jan 2006") }

func TestSoAPDF(t *testing.T) {
	r := demoResults(t)
	var buf bytes.Buffer
	if err := report.WritePDF(&buf, report.SoADoc(r.SoA, r)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "soa.pdf")
	os.WriteFile(file, buf.Bytes(), 0o644)
	if !strings.Contains(pdfTool(t, "pdfinfo", file), "841.89 x 595.28") {
		t.Error("the SoA is not landscape A4")
	}
	text := pdfTool(t, "pdftotext", "-layout", file, "-")
	for _, ref := range []string{"A.5.1 ", "A.6.8", "A.7.12", "A.8.34", "No owned premises cabling"} {
		if !strings.Contains(text, ref) {
			t.Errorf("the SoA PDF lacks %q", ref)
		}
	}
}

func TestHTMLAndMarkdown(t *testing.T) {
	r := demoResults(t)
	r.Assessment.Org = `Acme <script>alert(1)</script> & Co`
	d, err := report.Executive(r, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var h bytes.Buffer
	if err := report.WriteHTML(&h, d); err != nil {
		t.Fatal(err)
	}
	html := h.String()
	if strings.Contains(html, "<script>alert") || !strings.Contains(html, "Acme &lt;script&gt;") {
		t.Error("the organisation's name is not escaped in the HTML")
	}
	if n := strings.Count(html, "<svg"); n < 7 {
		t.Errorf("%d inline charts, want 7 or more", n)
	}
	if strings.Contains(html, "<?xml") {
		t.Error("an XML prologue inside the HTML")
	}
	for _, want := range []string{`href="#appendix-b-soa"`, `id="appendix-b-soa"`, "Forecast and budget", "A.8.34", "Three years, P50", "auditor-days", "Year 2: surveillance audit", "queue ends last", "What if "} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	var m bytes.Buffer
	written := map[string]int{}
	err = report.WriteMarkdown(&m, d, func(name string, data []byte) (string, error) {
		if !bytes.HasPrefix(data, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", name)
		}
		written[name] = len(data)
		return "charts/" + name, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	md := m.String()
	for _, id := range report.ChartOrder {
		if written[id+".png"] == 0 || !strings.Contains(md, "(charts/"+id+".png)") {
			t.Errorf("chart %s not written or not linked", id)
		}
	}
	if !strings.Contains(md, "| A.8.34 |") || !strings.Contains(md, "](#appendix-b-soa)") {
		t.Error("Markdown lacks the SoA rows or the contents links")
	}
}

// TestWorkbooks opens the SoA and risk workbooks with openpyxl.
func TestWorkbooks(t *testing.T) {
	py := testenv.DebianPython(t, "openpyxl", "python3-openpyxl")
	r := demoResults(t)
	dir := t.TempDir()
	write := func(name string, fn func(*bytes.Buffer) error) string {
		var b bytes.Buffer
		if err := fn(&b); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, b.Bytes(), 0o644)
		return p
	}
	soaFile := write("soa.xlsx", func(b *bytes.Buffer) error { return report.WriteSoAXLSX(b, r.SoA) })
	riskFile := write("risks.xlsx", func(b *bytes.Buffer) error { return report.WriteRisksXLSX(b, r.Risks) })
	script := `import sys, openpyxl
for path in sys.argv[1:]:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        print(ws.title, ws.max_row, ws.max_column, ws["A1"].value, ws["A2"].value, ws.freeze_panes, type(ws.cell(2, 9).value).__name__)
`
	out, err := exec.Command(py, "-c", script, soaFile, riskFile).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	got := string(out)
	first := r.Risks.Risks[0].ID
	for _, want := range []string{"Statement of Applicability 94 14 Control A.5.1 A2", "Risk register " + fmt.Sprint(len(r.Risks.Risks)+1) + " 15 ID " + first + " A2 int",
		"Risk matrix 6 6"} {
		if !strings.Contains(got, want) {
			t.Errorf("openpyxl sees:\n%s\nwant a line with %q", got, want)
		}
	}
}
