package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

func glyphs(t testing.TB) *glyphSet {
	t.Helper()
	g, err := pdfGlyphs()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestPDFText(t *testing.T) {
	g := glyphs(t)
	for _, c := range []struct {
		in, line, multiline string
	}{
		{"Ωmega Привет Ελληνικά Zoë", "Ωmega Привет Ελληνικά Zoë", "Ωmega Привет Ελληνικά Zoë"},
		{"Cafe\u0301 q\u0307", "Café q\u0307", "Café q\u0307"},      // composed where the font has the letter
		{"Bob 👍 👍🏽 👨‍👩‍👧 🇬🇧 1️⃣", "Bob □ □ □ □ 1", "Bob □ □ □ □ 1"}, // one placeholder per character
		{"山田 مرحبا שלום", "□□ □□□□□ שלום", "□□ □□□□□ שלום"},
		{"a\u200db\u00adc\u202Ed\ufe0fe", "abcde", "abcde"},
		{"x\x00\x07\x1b\x7fy\tz", "xy z", "xy z"},
		{"1\r\n2\r3\n4\u20285\u00a06\u30007", "1 2 3 4 5 6 7", "1\n2\n3\n4\n5 6 7"},
		{"\xff\xe2\x82 \U0010FFFF 𝔘 \uffff", "□ □ □ □", "□ □ □ □"},
		{"\u0301x", "\u0301x", "\u0301x"}, // a mark with nothing to sit on is shown as typed
	} {
		if got := g.text(c.in, false); got != c.line {
			t.Errorf("text(%q) on one line = %q, want %q", c.in, got, c.line)
		}
		if got := g.text(c.in, true); got != c.multiline {
			t.Errorf("text(%q) = %q, want %q", c.in, got, c.multiline)
		}
	}
}

// FuzzPDFText checks that the sanitiser leaves only what the font draws and
// that the PDF writer takes anything in every kind of text it draws.
func FuzzPDFText(f *testing.F) {
	for _, s := range []string{"", "Bob 👍", "👨‍👩‍👧🇬🇧", "山田太郎", "مرحبا שלום", "Cafe\u0301", "a\u200db", "x\x00\x07y\r\n", "{nb}",
		"\xff\xe2\x82", "\U0010FFFF", "\u0301", "(\\)", "Pneumonoultramicroscopicsilicovolcanoconiosis"} {
		f.Add(s)
	}
	g := glyphs(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, multiline := range []bool{false, true} {
			out := g.text(s, multiline)
			if !utf8.ValidString(out) {
				t.Fatalf("text(%q) = %q, not UTF-8", s, out)
			}
			for _, r := range out {
				if !g.has(r) && !(multiline && r == '\n') {
					t.Fatalf("text(%q, %v) = %q has %U, which the font lacks", s, multiline, out, r)
				}
			}
		}
		d := Doc{Title: s, Subtitle: s, Org: s, Cover: []Figure{{s, s, s}}, Sections: []Section{{ID: "s", Title: s, Appendix: true, Blocks: []Block{
			{Heading: s}, {Paragraph: s}, {Bullets: []string{s}}, {Figures: []Figure{{s, s, s}}},
			{Table: &Table{Header: []string{s, s}, Rows: [][]string{{s, s}, {s}}, Small: true}},
		}}}}
		if err := WritePDF(io.Discard, d); err != nil {
			t.Fatalf("WritePDF with %q: %v", s, err)
		}
		v := PackInput{Catalog: catalog.Builtin(), Assessment: assess.Assessment{Org: s, Scope: s}, Department: s, Assessor: s,
			Interviewee: assess.Stakeholder{Name: s, Email: s, Department: s}, Items: []assess.Item{{Ref: "7.2", Department: s}}}
		if err := WriteInterviewPack(io.Discard, v); err != nil {
			t.Fatalf("WriteInterviewPack with %q: %v", s, err)
		}
	})
}

// TestPDFTextPaths checks that pdf.go hands text to the PDF library only
// through the functions that make it drawable first.
func TestPDFTextPaths(t *testing.T) {
	takesText := map[string]bool{"CellFormat": true, "Cell": true, "Cellf": true, "MultiCell": true, "SplitText": true, "SplitLines": true,
		"Bookmark": true, "Text": true, "Write": true, "Writef": true, "WriteAligned": true, "SetTitle": true, "SetSubject": true,
		"SetAuthor": true, "SetKeywords": true}
	wrappers := map[string]bool{"cell": true, "paragraph": true, "wrap": true, "bookmark": true, "describe": true}
	fs := token.NewFileSet()
	for _, name := range []string{"pdf.go", "pack.go"} {
		file, err := parser.ParseFile(fs, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checkTextPaths(t, fs, file, takesText, wrappers)
	}
}

func checkTextPaths(t *testing.T, fs *token.FileSet, file *ast.File, takesText, wrappers map[string]bool) {
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		ast.Inspect(fn, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && takesText[sel.Sel.Name] && !wrappers[fn.Name.Name] {
				t.Errorf("%s: %s calls %s directly; hand text over through cell, paragraph, wrap, bookmark or describe", fs.Position(call.Pos()), fn.Name.Name, sel.Sel.Name)
			}
			return true
		})
	}
}
