package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
