package oscal

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/catalog"
)

// customCatalog is a small isogap catalog of another framework, with refs
// that are not ISO-shaped and characters OSCAL ids do not allow.
func customCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c := &catalog.Catalog{
		Format: catalog.Format, ID: "acme-baseline", Name: "ACME baseline & friends", Version: "3 (2026)",
		Departments: []string{"IT", "HR"},
		Sections: []catalog.Section{
			{ID: "GOV", Kind: catalog.KindClause, Title: "Governance"},
			{ID: "AC", Kind: catalog.KindControl, Title: "Access control"},
		},
		Attributes: []catalog.Attribute{{Key: catalog.AttrControlType, Name: "Type", Values: []string{"Preventive", "Detective"}}},
		Items: []catalog.Item{
			{Ref: "AC-2", Kind: catalog.KindControl, Section: "AC", Title: "Accounts", Summary: "Keep accounts tidy.",
				Questions: []catalog.Question{{Text: "Who approves new accounts?"}, {ID: "AC-2#7", Text: "How are leavers removed?"}},
				Evidence:  []string{"Account list"}, Department: "IT", EffortDays: 2.5, ControlType: []string{"Preventive", "Detective"}},
			{Ref: "AC-2(1)", Kind: catalog.KindControl, Section: "AC", Title: "Automated account management",
				Questions: []catalog.Question{{Text: "Is it automated?"}}, Department: "IT", EffortDays: 1, NewIn2022: true},
			{Ref: "GOV/1", Kind: catalog.KindClause, Section: "GOV", Title: "Policy", Questions: []catalog.Question{{Text: "Is there a policy?"}},
				Department: "HR", EffortDays: 3},
		},
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func writeCatalog(t testing.TB, c *catalog.Catalog) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCatalog(&buf, c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The built-in catalog and a custom one both give valid OSCAL, the same
// bytes each time.
func TestWriteCatalogValidAndStable(t *testing.T) {
	for name, c := range map[string]*catalog.Catalog{"builtin": catalog.Builtin(), "custom": customCatalog(t)} {
		t.Run(name, func(t *testing.T) {
			a, b := writeCatalog(t, c), writeCatalog(t, c)
			if !bytes.Equal(a, b) {
				t.Error("two exports of one catalog differ")
			}
			if err := StrictValidate(ModelCatalog, a); err != nil {
				t.Fatal(err)
			}
			var doc catalogDoc
			if err := json.Unmarshal(a, &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Catalog.Groups) != len(c.Sections) {
				t.Errorf("%d groups for %d sections", len(doc.Catalog.Groups), len(c.Sections))
			}
			n := 0
			for _, g := range doc.Catalog.Groups {
				n += len(g.Controls)
			}
			if n != len(c.Items) {
				t.Errorf("%d controls for %d items", n, len(c.Items))
			}
		})
	}
}

// The shape: a group per section, the ref as label, the title, isogap's
// fields as props and its questions as parts, in isogap's namespace.
func TestWriteCatalogShape(t *testing.T) {
	out := writeCatalog(t, catalog.Builtin())
	var doc catalogDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	md := doc.Catalog.Metadata
	if md.Title != catalog.Builtin().Name || md.OSCALVersion != Version || md.LastModified != "2024-01-01T00:00:00Z" {
		t.Errorf("metadata: %+v", md)
	}
	g := doc.Catalog.Groups[7]
	if g.ID != "sec-A.5" || g.Title != "Organizational controls" || g.Props[0] != (Prop{Name: "label", Value: "A.5"}) {
		t.Errorf("group 7: %s %q %v", g.ID, g.Title, g.Props)
	}
	ctl := g.Controls[14]
	if ctl.ID != "ref-A.5.15" || ctl.Title != "Access control" || ctl.Props[0].Value != "A.5.15" {
		t.Errorf("control: %s %q %v", ctl.ID, ctl.Title, ctl.Props)
	}
	want := map[string]bool{"kind=control": true, "department=Security/ISMS": true, "capabilities=Identity_and_access_management": true}
	for _, p := range ctl.Props[1:] {
		if p.NS != Namespace {
			t.Errorf("prop %s outside isogap's namespace", p.Name)
		}
		delete(want, p.Name+"="+p.Value)
	}
	if len(want) > 0 {
		t.Errorf("props missing: %v (have %v)", want, ctl.Props)
	}
	it, _ := catalog.Builtin().Item("A.5.15")
	var qs []string
	for _, p := range ctl.Parts {
		if p.Name == partQuestion && p.NS == Namespace {
			qs = append(qs, p.Prose)
		}
	}
	if strings.Join(qs, "|") != strings.Join(it.QuestionTexts(), "|") {
		t.Errorf("question parts %q, want %q", qs, it.QuestionTexts())
	}
}

func TestIDMaker(t *testing.T) {
	m := idMaker{}
	for _, c := range [][2]string{{"4.1", "ref-4.1"}, {"AC-2(1)", "ref-AC-2_1_"}, {"AC-2_1_", "ref-AC-2_1_-2"}, {"GOV/1", "ref-GOV_1"}} {
		if got := m.make("ref-", c[0]); got != c[1] {
			t.Errorf("id of %q = %q, want %q", c[0], got, c[1])
		}
	}
}
