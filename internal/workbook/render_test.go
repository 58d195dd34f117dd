package workbook_test

import (
	"bytes"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/chart"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/workbook"
)

// These tests look at what LibreOffice shows: it converts a workbook to
// HTML, which carries each cell's rendered text, its fill (conditional
// formats applied) and each row's height.

// shownCell is a cell as LibreOffice renders it.
type shownCell struct {
	Text, Fill string
}

// shownRow is a rendered row: its height in pixels and its cells.
type shownRow struct {
	Height int
	Cells  []shownCell
}

var (
	sheetHeadRE = regexp.MustCompile(`(?s)<h1>Sheet \d+: <em>(.*?)</em></h1>.*?<table[^>]*>(.*?)</table>`)
	rowRE       = regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
	tdRE        = regexp.MustCompile(`(?s)<td([^>]*)>(.*?)</td>`)
	attrRE      = regexp.MustCompile(`(\w+)="?([^" >]*)"?`)
	tagRE       = regexp.MustCompile(`<[^>]*>`)
)

// render has LibreOffice convert a workbook to HTML and returns each
// sheet's rendered rows.
func render(t *testing.T, data []byte) map[string][]shownRow {
	t.Helper()
	soffice := testenv.Program(t, "soffice", "libreoffice-calc")
	dir := t.TempDir()
	src := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "html", "--outdir", dir, src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, testenv.Trim(b))
	}
	page, err := os.ReadFile(filepath.Join(dir, "book.html"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]shownRow{}
	for _, sm := range sheetHeadRE.FindAllSubmatch(page, -1) {
		name := html.UnescapeString(string(sm[1]))
		var rows []shownRow
		for _, rm := range rowRE.FindAllSubmatch(sm[2], -1) {
			var row shownRow
			for _, cm := range tdRE.FindAllSubmatch(rm[1], -1) {
				attrs := map[string]string{}
				for _, am := range attrRE.FindAllSubmatch(cm[1], -1) {
					attrs[strings.ToLower(string(am[1]))] = string(am[2])
				}
				if h, err := strconv.Atoi(attrs["height"]); err == nil && h > row.Height {
					row.Height = h
				}
				text := strings.ReplaceAll(string(cm[2]), "<br>", "\n")
				text = strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(text, "")))
				c := shownCell{Text: text, Fill: strings.ToUpper(attrs["bgcolor"])}
				row.Cells = append(row.Cells, c)
				if span, err := strconv.Atoi(attrs["colspan"]); err == nil {
					for range span - 1 {
						row.Cells = append(row.Cells, shownCell{})
					}
				}
			}
			rows = append(rows, row)
		}
		out[name] = rows
	}
	if len(out) == 0 {
		t.Fatalf("LibreOffice's HTML has no sheets:\n%s", testenv.Trim(page))
	}
	return out
}

// TestLibreOfficeShowsScoreColours: LibreOffice paints every score and
// status cell of the Gap Checklist in its effective score's colour (the
// conditional formats work), and an excluded control in none.
func TestLibreOfficeShowsScoreColours(t *testing.T) {
	v := demoView()
	var buf bytes.Buffer
	if err := workbook.Export(&buf, v, workbook.Filter{}, writtenAt); err != nil {
		t.Fatal(err)
	}
	rows := render(t, buf.Bytes())[workbook.SheetChecklist]
	byRef := map[string]shownRow{}
	for _, r := range rows {
		if len(r.Cells) > 8 {
			byRef[r.Cells[0].Text] = r
		}
	}
	seen := map[int]bool{}
	for _, is := range v.Result.Items {
		r, ok := byRef[is.Ref]
		if !ok {
			t.Errorf("%s is not on the rendered Gap Checklist", is.Ref)
			continue
		}
		want := ""
		if is.Applicable {
			want = chart.ScoreHex[is.Effective]
			seen[int(is.Effective)] = true
		}
		for _, c := range []int{7, 8} {
			if got := r.Cells[c].Fill; got != want {
				t.Errorf("%s column %c (%q) is shown with fill %q, want %q (effective score %d, applicable %v)",
					is.Ref, 'A'+c, r.Cells[c].Text, got, want, is.Effective, is.Applicable)
			}
		}
	}
	if len(seen) != 6 {
		t.Errorf("the demo shows only the colours of scores %v; the test wants all six", seen)
	}
}
