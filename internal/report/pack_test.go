package report_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/report"
)

// packItems is every item of the built-in catalog as an assessment holds
// it, with a few scores set.
func packItems() []assess.Item {
	var out []assess.Item
	for i, c := range catalog.Builtin().Items {
		out = append(out, assess.Item{Ref: c.Ref, Department: c.Department, Applicable: true, Score: assess.Score(i % 6)})
	}
	return out
}

func TestDepartmentItems(t *testing.T) {
	items := []assess.Item{
		{Ref: "A.6.1", Department: "HR"}, {Ref: "A.8.1", Department: "IT Operations"},
		{Ref: "7.2", Department: " hr "}, {Ref: "A.7.1", Department: ""}, {Ref: "A.6.4", Department: "HR"},
	}
	var refs []string
	for _, it := range report.DepartmentItems(items, "HR") {
		refs = append(refs, it.Ref)
	}
	if strings.Join(refs, " ") != "A.6.1 7.2 A.6.4" {
		t.Errorf("HR: %v", refs)
	}
	if got := report.DepartmentItems(items, " "); got != nil {
		t.Errorf("no department: %v", got)
	}
	if got := report.DepartmentItems(items, "Facilities"); got != nil {
		t.Errorf("Facilities: %v", got)
	}
}

// writePack writes the guide to a file and returns its path and pages.
func writePack(t *testing.T, v report.PackInput) (string, int) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteInterviewPack(&buf, v); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pack.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, pageCount(t, file)
}

func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// pageTexts returns the text of each page.
func pageTexts(t *testing.T, file string, pages int) []string {
	t.Helper()
	out := make([]string, pages+1)
	for i := 1; i <= pages; i++ {
		n := strconv.Itoa(i)
		out[i] = flat(pdfTool(t, "pdftotext", "-f", n, "-l", n, file, "-"))
	}
	return out
}

// checkKeptTogether checks each item's title and all its question ids are
// on one page.
func checkKeptTogether(t *testing.T, items []assess.Item, pages []string) {
	t.Helper()
	for _, it := range items {
		c, _ := catalog.Builtin().Item(it.Ref)
		page := 0
		for i, text := range pages {
			if strings.Contains(text, flat(c.Ref+" "+c.Title)) {
				page = i
				break
			}
		}
		if page == 0 {
			t.Errorf("no page shows %s %s", c.Ref, c.Title)
			continue
		}
		for _, q := range c.Questions {
			if !strings.Contains(pages[page], q.ID+" ") {
				t.Errorf("%s starts on page %d, its question %s is not there", c.Ref, page, q.ID)
			}
		}
	}
}

func TestInterviewPack(t *testing.T) {
	cat := catalog.Builtin()
	hr := report.DepartmentItems(packItems(), "HR")
	if len(hr) < 5 {
		t.Fatalf("%d HR items", len(hr))
	}
	v := report.PackInput{
		Catalog:     cat,
		Assessment:  assess.Assessment{Org: "Acme 🚀 Zürich — Ωmega Ltd", Scope: "The SaaS platform, its people in Prague and Lyon, and the support desk.\nNot the on-premises legacy ERP."},
		Interviewee: assess.Stakeholder{Name: "Jana Novák 山田 👩‍💻", Email: "jana@example.com", Department: "HR"},
		Due:         assess.NewDate(2027, 1, 31),
		Items:       hr,
		Assessor:    "Tomás Rivera",
		Date:        time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC),
	}
	// Out of order on the way in, in catalog order on paper.
	v.Items = append([]assess.Item{hr[len(hr)-1]}, hr[:len(hr)-1]...)
	file, pages := writePack(t, v)
	text := flat(pdfTool(t, "pdftotext", file, "-"))
	for _, want := range []string{"Interview guide", "Acme □ Zürich — Ωmega Ltd", "Jana Novák □□ □ <jana@example.com>", "HR", "Tomás Rivera",
		"Sunday 31 January 2027", "Not the on-premises legacy ERP.", "How to use this guide", "The 1–5 scale",
		"Fully Implemented & Evidenced", "Evidence to bring or send", "Don't know", "Not applicable", "Partly",
		"Overall, where does this item stand?", "1 Not Started", "Page 1 of " + strconv.Itoa(pages), "Page " + strconv.Itoa(pages) + " of " + strconv.Itoa(pages)} {
		if !strings.Contains(text, want) {
			t.Errorf("the guide lacks %q", want)
		}
	}
	last := -1
	for _, it := range hr {
		c, _ := cat.Item(it.Ref)
		at := strings.Index(text, flat(c.Ref+" "+c.Title))
		if at < 0 {
			t.Errorf("the guide lacks the item %s %s", c.Ref, c.Title)
			continue
		}
		if at < last {
			t.Errorf("%s is not in catalog order", c.Ref)
		}
		last = at
		for _, q := range c.Questions {
			if !strings.Contains(text, q.ID+" "+flat(q.Text)) {
				t.Errorf("the guide lacks the question %s %q", q.ID, q.Text)
			}
		}
		for _, e := range c.Evidence {
			if !strings.Contains(text, flat(e)) {
				t.Errorf("the guide lacks the evidence %q of %s", e, c.Ref)
			}
		}
	}
	// Another department's questions are not in it.
	for _, it := range report.DepartmentItems(packItems(), "IT Operations") {
		c, _ := cat.Item(it.Ref)
		for _, q := range c.Questions {
			if strings.Contains(text, q.ID+" ") || strings.Contains(text, flat(q.Text)) {
				t.Errorf("the HR guide holds the IT Operations question %s", q.ID)
			}
		}
	}
	checkKeptTogether(t, hr, pageTexts(t, file, pages))

	// Page 1 renders, and not blank.
	dir := t.TempDir()
	pdfTool(t, "pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", file, filepath.Join(dir, "page"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pngs) != 1 {
		t.Fatalf("pdftoppm rendered %v", pngs)
	}
	if ink := inkShare(t, pngs[0]); ink < 0.01 {
		t.Errorf("page 1 is nearly blank: %.4f of its pixels are not white", ink)
	}
}

// inkShare is the share of a PNG's pixels that are not near white.
func inkShare(t *testing.T, file string) float64 {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return inked(img)
}

func inked(img image.Image) float64 {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xE000 || g < 0xE000 || bl < 0xE000 {
				n++
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}

// TestInterviewPackDepartment: a guide for a department with no one named,
// the largest department, every item kept on one page.
func TestInterviewPackDepartment(t *testing.T) {
	items := report.DepartmentItems(packItems(), "Security/ISMS")
	items[0].Applicable = false
	file, pages := writePack(t, report.PackInput{Catalog: catalog.Builtin(), Assessment: assess.Assessment{Org: "Acme"},
		Department: "Security/ISMS", Items: items})
	text := flat(pdfTool(t, "pdftotext", file, "-"))
	for _, want := range []string{"Security/ISMS", "INTERVIEWEE —", "ANSWERS DUE —", "40 items"} {
		if !strings.Contains(text, want) {
			t.Errorf("the guide lacks %q", want)
		}
	}
	if pages < 20 {
		t.Errorf("%d pages for 40 items", pages)
	}
	checkKeptTogether(t, items, pageTexts(t, file, pages))
	if c, _ := catalog.Builtin().Item(items[0].Ref); c.IsControl() && !strings.Contains(text, "Excluded from scope") {
		t.Error("an excluded control is not shown as such")
	}
}

func TestInterviewPackRefuses(t *testing.T) {
	cat := catalog.Builtin()
	for _, c := range []struct {
		v    report.PackInput
		want string
	}{
		{report.PackInput{Items: packItems()[:1]}, "no catalog"},
		{report.PackInput{Catalog: cat}, "no items"},
		{report.PackInput{Catalog: cat, Items: []assess.Item{{Ref: "A.9.9"}}}, `item "A.9.9" is not in the catalog`},
		{report.PackInput{Catalog: cat, Items: []assess.Item{{Ref: "7.2"}, {Ref: "7.2"}}}, "listed twice"},
	} {
		err := report.WriteInterviewPack(&bytes.Buffer{}, c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error about %q", err, c.want)
		}
	}
}
