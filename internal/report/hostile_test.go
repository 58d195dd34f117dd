package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/report"
)

// fillUserText puts text into every field of the assessment and of every
// fifth item that a contributor can type, and adds a link evidence to
// those items with the given URL.
func fillUserText(text, evidenceURL string) func(a *assess.Assessment, items []assess.Item) {
	return func(a *assess.Assessment, items []assess.Item) {
		a.Org, a.Scope, a.Interfaces, a.Lead = text, text, text, text
		a.Boundaries = assess.Boundaries{Units: []string{text}, Locations: []string{text}, Services: []string{text}, Systems: []string{text}}
		a.Exclusions = []assess.Exclusion{{What: text, Justification: text}}
		a.Stakeholders = append(a.Stakeholders, assess.Stakeholder{Name: text, Department: text, Email: text})
		for i := range a.Stakeholders {
			a.Stakeholders[i].Name = text
		}
		for i := 0; i < len(items); i += 5 {
			it := &items[i]
			it.Owner, it.Department, it.Action, it.Notes, it.InclusionNote = text, text, text, text, text
			if !it.Applicable {
				it.Justification = text
			}
			it.Evidence = append(it.Evidence, assess.Evidence{Kind: assess.EvidenceLink, Text: text, URL: evidenceURL, AddedBy: text})
		}
	}
}

// TestPDFsDrawAnyText renders the report and SoA PDFs of an assessment whose
// text carries what the embedded font cannot draw: the PDFs are written,
// poppler reads them, and the text the font has comes out as typed.
func TestPDFsDrawAnyText(t *testing.T) {
	long := strings.Repeat("Pneumonoultramicroscopicsilicovolcanoconiosis", 12)
	text := "Ωmega Привет Ελληνικά Cafe\u0301 Zoë Bob 👍 👍🏽 👨‍👩‍👧 🇬🇧 山田太郎 情報 مرحبا שלום " +
		"Zwj\u200dJoined Ctl\x00\x07\x1b\x7fChars tab\there line\r\nbreak \u2028 {nb} \xff\xe2\x82 \U0010FFFF 𝔘𝔫𝔦 \u202Eevil\u202C " + long
	r := editedDemoResults(t, fillUserText(text, "javascript:alert(1)"))
	d, err := report.Executive(r, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, doc := range map[string]report.Doc{"report.pdf": d, "soa.pdf": report.SoADoc(r.SoA, r)} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("WritePDF panics: %v", p)
					}
				}()
				if err := report.WritePDF(&buf, doc); err != nil {
					t.Fatal(err)
				}
			}()
			file := filepath.Join(dir, name)
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out := pdfTool(t, "pdftotext", file, "-")
			if strings.Contains(out, "Error") {
				t.Errorf("pdftotext complains:\n%s", out[:min(len(out), 2000)])
			}
			for _, want := range []string{"Ωmega Привет Ελληνικά", "Café Zoë", "Bob □ □ □ □ □□□□", "ZwjJoined", "CtlChars", "tab here", "{nb}",
				"Pneumonoultramicroscopicsilicovolcanoconiosis", "evil"} {
				if !strings.Contains(out, want) {
					t.Errorf("the PDF's text lacks %q", want)
				}
			}
		})
	}
}

// hostileMarkdown is text a contributor could type to make a Markdown
// report run script, link somewhere dangerous or break its structure.
var hostileMarkdown = strings.Join([]string{
	"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "![y](javascript:alert(2))",
	"<javascript:alert(3)>", "a | b", "# heading", "- item", "1. one", "===", "```", "<!-- c", "*em* _u_ `c` ~~s~~ $m$ \\", "&lt;b&gt;",
}, "\n")

// TestMarkdownEscapesUserText feeds every field a contributor types hostile
// text and reads the Markdown report back: no HTML, no link other than the
// report's own and http(s), no structure from user text.
func TestMarkdownEscapesUserText(t *testing.T) {
	safe := "https://example.com/policy_v2?a=1&b=(2)"
	r := editedDemoResults(t, fillUserText(hostileMarkdown, "javascript:alert(1)"))
	r2 := editedDemoResults(t, fillUserText("Policy", safe))
	var md string
	for _, r := range []app.Results{r, r2} {
		d, err := report.Executive(r, report.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := report.WriteMarkdown(&b, d, nil); err != nil {
			t.Fatal(err)
		}
		md += b.String()
	}

	// The only HTML is the writer's own: section anchors, line breaks in
	// the figures and autolinks, which are all http(s).
	rest := regexp.MustCompile(`<a id="[a-z0-9-]+"></a>|<br>|<https?://[^\s<>]*>`).ReplaceAllString(md, "")
	if i := strings.Index(rest, "<"); i >= 0 {
		t.Errorf("raw < in the Markdown: %q", rest[max(0, i-60):min(len(rest), i+60)])
	}
	for _, m := range regexp.MustCompile(`(?:^|[^\\])\]\(([^)]*)\)`).FindAllStringSubmatch(md, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("a link to %q", m[1])
		}
	}
	if !strings.Contains(md, "<"+safe+">") {
		t.Errorf("the https evidence is not a link")
	}
	if !strings.Contains(md, `&lt;script&gt;alert\(1\)&lt;/script&gt;`) || !strings.Contains(md, `&amp;lt;b&amp;gt;`) {
		t.Error("the user's text is not shown as it was typed")
	}
	for _, m := range regexp.MustCompile("(?m)^ {0,3}(#+ heading|[-+*] item|1[.)] one|===|```|~~~)").FindAllString(md, -1) {
		t.Errorf("user text starts a Markdown block: %q", m)
	}
	// Every table keeps its columns.
	pipes := regexp.MustCompile(`(^|[^\\])(\\\\)*\|`)
	cols := 0
	for n, l := range strings.Split(md, "\n") {
		if !strings.HasPrefix(l, "|") {
			cols = 0
			continue
		}
		c := len(pipes.FindAllString(l, -1))
		if cols == 0 {
			cols = c
		} else if c != cols {
			t.Errorf("line %d has %d cells, its table's header %d: %s", n+1, c-1, cols-1, l)
		}
	}
}
