package assess_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// hostileTexts are texts no field may hold, with the problem named.
var hostileTexts = []struct{ name, v, problem string }{
	{"invalid UTF-8", "\xff\xfeowner", "not valid UTF-8"},
	{"NUL", "Ann\x00Example", "control characters"},
	{"escape", "Ann\x1b[31m", "control characters"},
	{"C1 control", "Ann\u0085", "control characters"},
	{"1 MiB", strings.Repeat("x", 1<<20), "too long"},
}

func mustDate(t *testing.T, s string) assess.Date {
	t.Helper()
	d, err := assess.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// named checks that err is a field error naming where, with problem.
func named(t *testing.T, err error, where, problem string) {
	t.Helper()
	var fe *assess.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("%s: want a field error, got %v", where, err)
	}
	for _, f := range fe.List {
		if f.Where == where && strings.Contains(f.Problem, problem) {
			if !utf8.ValidString(f.Value) || strings.IndexFunc(f.Value, unicode.IsControl) >= 0 || utf8.RuneCountInString(f.Value) > 41 {
				t.Errorf("%s: the report shows the value as %q", where, f.Value)
			}
			return
		}
	}
	t.Errorf("%s: want %q named, got %v", where, problem, err)
}

func TestValidateItemRefusesHostileValues(t *testing.T) {
	cat := catalog.Builtin()
	base := assess.Item{Ref: "A.5.15", Applicable: true}
	if err := assess.ValidateItem(cat, base); err != nil {
		t.Fatal(err)
	}
	for _, tc := range hostileTexts {
		for field, set := range map[string]func(*assess.Item, string){
			"owner":          func(it *assess.Item, v string) { it.Owner = v },
			"action":         func(it *assess.Item, v string) { it.Action = v },
			"notes":          func(it *assess.Item, v string) { it.Notes = v },
			"justification":  func(it *assess.Item, v string) { it.Justification = v },
			"inclusion_note": func(it *assess.Item, v string) { it.InclusionNote = v },
		} {
			it := base
			set(&it, tc.v)
			named(t, assess.ValidateItem(cat, it), field, tc.problem)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 0, 1000.5, math.MaxFloat64} {
		it := base
		it.EffortDays = &f
		named(t, assess.ValidateItem(cat, it), "effort_days", "out of range")
	}
	for _, d := range []string{"0000-01-01", "1999-12-31", "2101-01-01", "9999-12-31"} {
		it := base
		it.TargetDate = mustDate(t, d)
		named(t, assess.ValidateItem(cat, it), "target_date", "out of range")
	}
	// Multi-line fields keep line breaks and tabs; the limits are in characters.
	ok := base
	e := 1000.0
	ok.EffortDays, ok.TargetDate = &e, mustDate(t, "2100-12-31")
	ok.Notes, ok.Owner = "line one\r\n\tline two", strings.Repeat("é", assess.MaxShortLen)
	if err := assess.ValidateItem(cat, ok); err != nil {
		t.Errorf("a valid item was refused: %v", err)
	}
	ok.Owner = "Ann\tExample"
	named(t, assess.ValidateItem(cat, ok), "owner", "control characters")
}

func TestValidateAssessmentRefusesHostileValues(t *testing.T) {
	cat := catalog.Builtin()
	base := assess.Assessment{Org: "Acme", TargetScore: 4,
		Stakeholders: []assess.Stakeholder{{Name: "Hana", Department: "HR", Email: "hana@example.com"}},
		Exclusions:   []assess.Exclusion{{What: "Office Wi-Fi", Justification: "Guests only"}},
		Boundaries:   assess.Boundaries{Units: []string{"Engineering"}}}
	if err := assess.ValidateAssessment(cat, base); err != nil {
		t.Fatal(err)
	}
	for _, tc := range hostileTexts {
		for field, set := range map[string]func(*assess.Assessment, string){
			"org":                         func(a *assess.Assessment, v string) { a.Org = v },
			"scope":                       func(a *assess.Assessment, v string) { a.Scope = v },
			"interfaces":                  func(a *assess.Assessment, v string) { a.Interfaces = v },
			"lead":                        func(a *assess.Assessment, v string) { a.Lead = v },
			"boundaries.units[1]":         func(a *assess.Assessment, v string) { a.Boundaries.Units = []string{"x", v} },
			"stakeholders[0].name":        func(a *assess.Assessment, v string) { a.Stakeholders = []assess.Stakeholder{{Name: v}} },
			"stakeholders[0].email":       func(a *assess.Assessment, v string) { a.Stakeholders = []assess.Stakeholder{{Name: "H", Email: v}} },
			"exclusions[0].what":          func(a *assess.Assessment, v string) { a.Exclusions = []assess.Exclusion{{What: v}} },
			"exclusions[0].justification": func(a *assess.Assessment, v string) { a.Exclusions = []assess.Exclusion{{What: "x", Justification: v}} },
		} {
			a := base
			set(&a, tc.v)
			named(t, assess.ValidateAssessment(cat, a), field, tc.problem)
		}
	}
	for _, n := range []int{-1, assess.MaxEmployees + 1} {
		a := base
		a.Employees = n
		named(t, assess.ValidateAssessment(cat, a), "employees", "out of range")
	}
	for _, n := range []int{0, 6} {
		a := base
		a.TargetScore = n
		named(t, assess.ValidateAssessment(cat, a), "target_score", "out of range")
	}
	a := base
	a.Stakeholders = make([]assess.Stakeholder, assess.MaxListLen+1)
	named(t, assess.ValidateAssessment(cat, a), "stakeholders", "too many")
}

func TestValidateEvidenceRefusesHostileValues(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://example.com/x", "https://", "https://ex\x00ample.com/"} {
		named(t, assess.ValidateEvidence(assess.Evidence{Kind: assess.EvidenceLink, URL: u}), "url", "")
	}
	for _, tc := range hostileTexts {
		named(t, assess.ValidateEvidence(assess.Evidence{Kind: assess.EvidenceText, Text: "x" + tc.v}), "text", tc.problem)
		named(t, assess.ValidateEvidence(assess.Evidence{Kind: assess.EvidenceFile, FileName: "x" + tc.v}), "file_name", tc.problem)
	}
	named(t, assess.ValidateEvidence(assess.Evidence{Kind: assess.EvidenceText, Text: "x", Date: mustDate(t, "0000-01-01")}), "date", "out of range")
	named(t, assess.ValidateEvidence(assess.Evidence{Kind: "script", Text: "x"}), "kind", "unknown")
	if err := assess.ValidateEvidence(assess.Evidence{Kind: assess.EvidenceLink, URL: "https://example.com/policy"}); err != nil {
		t.Errorf("a web link was refused: %v", err)
	}
}

// FuzzCheckText: whatever CheckText accepts is valid UTF-8 within the
// limit, without control characters other than line breaks and tabs in
// multi-line text; whatever it refuses is reported in a printable form.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"", "Ann", "a\nb\tc", "\xff", "a\x00", "é", "\u2028", strings.Repeat("ü", 30)} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		const max = 20
		errs := &assess.FieldErrors{}
		ok := assess.CheckText(errs, "f", s, max, multiline)
		if ok != (len(errs.List) == 0) {
			t.Fatalf("%q: ok %v with %d problems", s, ok, len(errs.List))
		}
		if ok {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
				t.Fatalf("accepted %q", s)
			}
			for _, r := range s {
				if unicode.IsControl(r) && !(multiline && strings.ContainsRune("\n\r\t", r)) {
					t.Fatalf("accepted %q with control %U", s, r)
				}
			}
			return
		}
		v := errs.List[0].Value
		if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 || utf8.RuneCountInString(v) > 41 {
			t.Fatalf("%q reported as %q", s, v)
		}
	})
}
