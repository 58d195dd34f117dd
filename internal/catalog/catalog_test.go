package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestBuiltinCounts(t *testing.T) {
	c := Builtin()
	if got := c.Count(KindClause); got != 30 {
		t.Errorf("clause requirements: got %d, want 30", got)
	}
	if got := c.Count(KindControl); got != 93 {
		t.Errorf("Annex A controls: got %d, want 93", got)
	}
	perSection := map[string]int{}
	for _, it := range c.Items {
		perSection[it.Section]++
	}
	want := map[string]int{"4": 4, "5": 3, "6": 5, "7": 7, "8": 3, "9": 6, "10": 2, "A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
	for s, n := range want {
		if perSection[s] != n {
			t.Errorf("section %s: %d items, want %d", s, perSection[s], n)
		}
	}
	if len(perSection) != len(want) {
		t.Errorf("sections with items: %v, want exactly %v", perSection, want)
	}
	// The sub-clauses are separate items, and clause 5.1 is not control A.5.1.
	for _, ref := range []string{"6.1.1", "6.1.2", "6.1.3", "7.5.1", "7.5.2", "7.5.3", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "5.1", "A.5.1", "A.8.34"} {
		if _, ok := c.Item(ref); !ok {
			t.Errorf("missing %s", ref)
		}
	}
	for _, ref := range []string{"6.1", "7.5", "9.2", "9.3", "A.5.38", "A.8.35"} {
		if _, ok := c.Item(ref); ok {
			t.Errorf("%s must not be an item", ref)
		}
	}
	c51, _ := c.Item("5.1")
	a51, _ := c.Item("A.5.1")
	if c51.Kind != KindClause || a51.Kind != KindControl || c51.Title == a51.Title {
		t.Errorf("5.1 (%s %q) and A.5.1 (%s %q) must be different items", c51.Kind, c51.Title, a51.Kind, a51.Title)
	}
}

func TestBuiltinTitlesSpotCheck(t *testing.T) {
	c := Builtin()
	for ref, title := range map[string]string{
		"4.1":    "Understanding the organization and its context",
		"6.1.2":  "Information security risk assessment",
		"6.3":    "Planning of changes",
		"9.2.2":  "Internal audit programme",
		"10.2":   "Nonconformity and corrective action",
		"A.5.1":  "Policies for information security",
		"A.5.7":  "Threat intelligence",
		"A.5.23": "Information security for use of cloud services",
		"A.6.7":  "Remote working",
		"A.7.4":  "Physical security monitoring",
		"A.8.12": "Data leakage prevention",
		"A.8.28": "Secure coding",
		"A.8.34": "Protection of information systems during audit testing",
	} {
		it, ok := c.Item(ref)
		if !ok || it.Title != title {
			t.Errorf("%s: title %q, want %q", ref, it.Title, title)
		}
	}
}

func TestBuiltinEveryFieldFilled(t *testing.T) {
	c := Builtin()
	for _, it := range c.Items {
		if strings.TrimSpace(it.Summary) == "" {
			t.Errorf("%s: no summary", it.Ref)
		}
		if n := len(it.Questions); n < 2 || n > 4 {
			t.Errorf("%s: %d questions, want 2-4", it.Ref, n)
		}
		for _, q := range it.QuestionTexts() {
			if !strings.HasSuffix(strings.TrimSpace(q), "?") {
				t.Errorf("%s: question is not a question: %q", it.Ref, q)
			}
		}
		if n := len(it.Evidence); n < 2 || n > 4 {
			t.Errorf("%s: %d evidence lines, want 2-4", it.Ref, n)
		}
		if it.EffortDays < 1 || it.EffortDays > 30 {
			t.Errorf("%s: effort_days %v, want 1-30 for a small organisation", it.Ref, it.EffortDays)
		}
		if it.Kind == KindControl {
			for _, key := range AttributeKeys {
				if len(it.Attr(key)) == 0 {
					t.Errorf("%s: attribute %s is empty", it.Ref, key)
				}
			}
		}
	}
}

func TestBuiltinAttributes(t *testing.T) {
	c := Builtin()
	var newer []string
	for _, it := range c.Items {
		if it.NewIn2022 {
			newer = append(newer, it.Ref)
		}
	}
	want := []string{"A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11", "A.8.12", "A.8.16", "A.8.23", "A.8.28"}
	if !slices.Equal(newer, want) {
		t.Errorf("new in 2022: %v, want %v", newer, want)
	}
	// A few rows of the ISO/IEC 27002:2022 attribute table, checked value by value.
	for _, tc := range []struct {
		ref  string
		attr string
		want []string
	}{
		{"A.5.1", AttrControlType, []string{"Preventive"}},
		{"A.5.7", AttrControlType, []string{"Preventive", "Detective", "Corrective"}},
		{"A.5.30", AttrProperties, []string{"Availability"}},
		{"A.5.30", AttrConcepts, []string{"Respond"}},
		{"A.8.16", AttrControlType, []string{"Detective", "Corrective"}},
		{"A.8.16", AttrCapabilities, []string{"Information_security_event_management"}},
		{"A.8.8", AttrCapabilities, []string{"Threat_and_vulnerability_management"}},
		{"A.8.13", AttrConcepts, []string{"Recover"}},
		{"A.7.1", AttrDomains, []string{"Protection"}},
		{"A.6.1", AttrCapabilities, []string{"Human_resource_security"}},
	} {
		it, _ := c.Item(tc.ref)
		if got := it.Attr(tc.attr); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: %v, want %v", tc.ref, tc.attr, got, tc.want)
		}
	}
	for _, ref := range []string{"4.1", "4.2"} {
		it, _ := c.Item(ref)
		if !it.Amended2024 {
			t.Errorf("%s: the 2024 climate-change amendment is not marked", ref)
		}
		if !slices.ContainsFunc(it.QuestionTexts(), func(q string) bool { return strings.Contains(strings.ToLower(q), "climate") }) {
			t.Errorf("%s: no question asks about climate change", ref)
		}
	}
}

func TestBuiltinMatchesSchema(t *testing.T) {
	sch := compileSchema(t)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(BuiltinJSON()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("embedded catalog does not match catalog.schema.json: %v", err)
	}
	// The schema must also reject what Parse rejects, or it documents nothing.
	bad := strings.Replace(string(BuiltinJSON()), `"kind": "control"`, `"kind": "kontrol"`, 1)
	inst, _ = jsonschema.UnmarshalJSON(strings.NewReader(bad))
	if sch.Validate(inst) == nil {
		t.Fatal("schema accepted an unknown kind")
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON()))
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource("catalog.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := comp.Compile("catalog.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestCompareRefs(t *testing.T) {
	refs := []string{"A.8.12", "10.1", "A.5.1", "4.1", "A.8.3", "6.1.2", "6.2", "5.1", "9.3.3", "6.1.10", "A.10.1", "A.5.10"}
	SortRefs(refs)
	want := []string{"4.1", "5.1", "6.1.2", "6.1.10", "6.2", "9.3.3", "10.1", "A.5.1", "A.5.10", "A.8.3", "A.8.12", "A.10.1"}
	if !slices.Equal(refs, want) {
		t.Errorf("sorted: %v\nwant:   %v", refs, want)
	}
}

func TestLookupRef(t *testing.T) {
	c := Builtin()
	for in, want := range map[string]string{"a.5.15": "A.5.15", " A 5.15 ": "A.5.15", "A5.15": "A.5.15", "5.1": "5.1", "6.1.2": "6.1.2"} {
		if got, ok := c.LookupRef(in); !ok || got != want {
			t.Errorf("LookupRef(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "5.15", "A.9.1", "x"} {
		if got, ok := c.LookupRef(in); ok {
			t.Errorf("LookupRef(%q) found %q", in, got)
		}
	}
}

func TestParseReportsWhere(t *testing.T) {
	good := string(BuiltinJSON())
	for name, tc := range map[string]struct{ in, want string }{
		"syntax":          {good[:200] + "}", "line"},
		"unknown field":   {strings.Replace(good, `"summary"`, `"sumary"`, 1), `unknown field "sumary"`},
		"bad attribute":   {good[:strings.Index(good, `"items"`)] + strings.Replace(good[strings.Index(good, `"items"`):], `"Preventive"`, `"Preventative"`, 1), `value "Preventative" is not one of the declared values`},
		"ref with #":      {strings.Replace(good, `"ref": "4.2"`, `"ref": "4.2#1"`, 1), "items[1] (4.2#1): ref contains '#' or a space"},
		"ref with space":  {strings.Replace(good, `"ref": "4.2"`, `"ref": "4. 2"`, 1), "items[1] (4. 2): ref contains '#' or a space"},
		"duplicate ref":   {strings.Replace(good, `"ref": "4.2"`, `"ref": "4.1"`, 1), "duplicate ref"},
		"bad department":  {strings.Replace(good, `"department": "HR"`, `"department": "People Ops"`, 1), `department "People Ops"`},
		"order":           {strings.Replace(good, `"ref": "4.3"`, `"ref": "4.0"`, 1), "out of order"},
		"wrong format":    {strings.Replace(good, `isogap-catalog/v1`, `isogap-catalog/v9`, 1), "format"},
		"section missing": {strings.Replace(good, `"section": "A.6"`, `"section": "A.9"`, 1), `section "A.9" is not declared`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestCustomCatalog(t *testing.T) {
	custom := map[string]any{
		"format": Format, "id": "acme-baseline", "name": "Acme internal baseline", "version": "1",
		"departments": []string{"IT"},
		"sections":    []map[string]string{{"id": "P", "kind": "clause", "title": "Policy"}, {"id": "T", "kind": "control", "title": "Technical"}},
		"items": []map[string]any{
			{"ref": "1.1", "kind": "clause", "section": "P", "title": "Policy exists", "questions": []string{"Is there one?"}, "evidence": []string{"The policy"}, "department": "IT", "effort_days": 2},
			{"ref": "A.1.1", "kind": "control", "section": "T", "title": "MFA", "questions": []string{"Is MFA on?"}, "evidence": []string{}, "department": "IT", "effort_days": 3},
		},
	}
	b, _ := json.Marshal(custom)
	c, err := Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if c.Count(KindControl) != 1 || c.Count(KindClause) != 1 {
		t.Errorf("counts: %d clauses, %d controls", c.Count(KindClause), c.Count(KindControl))
	}
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err := compileSchema(t).Validate(inst); err != nil {
		t.Errorf("a valid custom catalog fails the schema: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(BuiltinJSON())
	f.Add([]byte(`{"format":"isogap-catalog/v1","items":[{"ref":"1"}]}`))
	f.Add([]byte(`{`))
	f.Add(customWith(`["a", {"id": "A.1.1#3", "text": "b"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(bytes.NewReader(data))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		// Whatever parses must be self-consistent.
		for _, it := range c.Items {
			if got, ok := c.Item(it.Ref); !ok || got.Ref != it.Ref {
				t.Fatal(fmt.Sprintf("index broken for %q", it.Ref))
			}
			for _, q := range it.Questions {
				if got, _, ok := c.Question(q.ID); !ok || got.Ref != it.Ref {
					t.Fatalf("question %q of %q does not look up", q.ID, it.Ref)
				}
			}
		}
	})
}

// Refs of other frameworks sort naturally too: runs of digits as numbers,
// an enhancement right after its control.
func TestCompareRefsNatural(t *testing.T) {
	want := []string{"AC-1", "AC-2", "AC-2(1)", "AC-2(2)", "AC-2(13)", "AC-3", "AC-10", "AU-2", "CM-7(5)", "SC-7"}
	refs := slices.Clone(want)
	slices.Reverse(refs)
	SortRefs(refs)
	if !slices.Equal(refs, want) {
		t.Errorf("sorted: %v\nwant:   %v", refs, want)
	}
	for _, p := range [][2]string{{"8.3", "8.12"}, {"10.2", "A.5.1"}, {"9.3.3", "10.1"}, {"A.5.37", "A.6.1"}, {"s1.1.1", "s1.2.1"}, {"x-9", "x-010"}} {
		if CompareRefs(p[0], p[1]) >= 0 || CompareRefs(p[1], p[0]) <= 0 {
			t.Errorf("%s does not sort before %s", p[0], p[1])
		}
	}
	if CompareRefs("AC-2", "AC-2") != 0 || CompareRefs("x-01", "x-1") == 0 {
		t.Error("only equal refs compare equal")
	}
	// The built-in catalog is already in this order, item after item.
	b := Builtin()
	for i := 1; i < len(b.Items); i++ {
		if CompareRefs(b.Items[i-1].Ref, b.Items[i].Ref) >= 0 {
			t.Errorf("built-in %s sorts after %s", b.Items[i-1].Ref, b.Items[i].Ref)
		}
	}
}

// A catalog whose refs are not ISO-shaped still finds what people type:
// exactly, then as an ISO ref, then ignoring case.
func TestLookupRefOtherFramework(t *testing.T) {
	c := &Catalog{Format: Format, ID: "x", Name: "X", Version: "1", Departments: []string{"IT"},
		Sections: []Section{{ID: "AC", Kind: KindControl, Title: "Access control"}}}
	for _, ref := range []string{"AC-2", "AC-2(1)", "Ac-3"} {
		c.Items = append(c.Items, Item{Ref: ref, Kind: KindControl, Section: "AC", Title: ref, Questions: []Question{{Text: "?"}}, Department: "IT", EffortDays: 1})
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"AC-2": "AC-2", "ac-2": "AC-2", " ac-2(1) ": "AC-2(1)", "Ac-3": "Ac-3", "AC-3": "Ac-3"} {
		if got, ok := c.LookupRef(in); !ok || got != want {
			t.Errorf("LookupRef(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := c.LookupRef("AC-4"); ok {
		t.Errorf("LookupRef(AC-4) found %q", got)
	}
}
