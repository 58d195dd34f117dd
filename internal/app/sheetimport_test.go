package app

import (
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

func TestSheetStamp(t *testing.T) {
	effort := 2.5
	it := assess.Item{Ref: "A.5.15", Score: 3, Applicable: true, Owner: "Sam", EffortDays: &effort, Version: 7,
		Evidence: []assess.Evidence{{Kind: assess.EvidenceLink, Text: "Access policy", URL: "https://wiki.example/ac"}}}
	s := NewSheetStamp("k3m9x2p7qrst", it)
	st, err := ParseSheetStamp(s)
	if err != nil || st.AssessmentID != "k3m9x2p7qrst" || st.Ref != "A.5.15" || st.Version != 7 {
		t.Fatalf("%q → %+v %v", s, st, err)
	}
	for _, f := range SheetFields {
		if st.changed(f, SheetValue(it, f)) {
			t.Errorf("%s reads as changed", f)
		}
	}
	if !st.changed(FieldOwner, "Dana") || !st.changed(FieldScore, "4") || !st.changed(FieldEvidence, "") {
		t.Error("a changed value reads as unchanged")
	}
	for _, bad := range []string{"", "isogap1/x/A.5.15/7/abc", strings.Replace(s, "/7/", "/-7/", 1), s[:len(s)-1], s + "0", "isogap2" + s[7:]} {
		if _, err := ParseSheetStamp(bad); err == nil {
			t.Errorf("%q parsed as a stamp", bad)
		}
	}
}

func TestCanonicalCells(t *testing.T) {
	cat := catalog.Builtin()
	tests := []struct {
		f       SheetField
		in, out string
		ok      bool
	}{
		{FieldScore, "3 - Partially Implemented", "3", true},
		{FieldScore, " 4.0 ", "4", true},
		{FieldScore, "Mostly Done", "4", true},
		{FieldScore, "", "", true},
		{FieldScore, "6", "", false},
		{FieldApplicable, "y", "Yes", true},
		{FieldApplicable, "N/A", "No", true},
		{FieldApplicable, "maybe", "", false},
		{FieldDepartment, "hr", "HR", true},
		{FieldDepartment, "Marketing", "", false},
		{FieldPriority, "HIGH", "High", true},
		{FieldTargetDate, "2027-03-31", "2027-03-31", true},
		{FieldTargetDate, "03/31/2027", "", false},
		{FieldEffort, "2.50", "2.5", true},
		{FieldEffort, "-1", "", false},
		{FieldInclusion, "Best practice; legal-contractual, best practice", "best-practice;legal-contractual", true},
		{FieldInclusion, "gut feeling", "", false},
		{FieldEvidence, " a \r\n\r\n b  c ", "a\nb c", true},
		{FieldNotes, "=1+1", "=1+1", true},
	}
	for _, tc := range tests {
		errs := &assess.FieldErrors{}
		got, ok := canonical(cat, tc.f, tc.in, errs, "Gap Checklist!X1")
		if ok != tc.ok || got != tc.out {
			t.Errorf("%s %q → %q %v, want %q %v", tc.f, tc.in, got, ok, tc.out, tc.ok)
		}
		if !ok && (len(errs.List) != 1 || errs.List[0].Where != "Gap Checklist!X1") {
			t.Errorf("%s %q: errors %+v", tc.f, tc.in, errs.List)
		}
	}
}

func TestEvidenceFromLine(t *testing.T) {
	for in, want := range map[string]NewEvidence{
		"https://wiki.example/x":                {URL: "https://wiki.example/x"},
		"Restore test <https://wiki.example/r>": {Text: "Restore test", URL: "https://wiki.example/r"},
		"Signed policy v2":                      {Text: "Signed policy v2"},
		"https://wiki.example/x and a remark":   {Text: "https://wiki.example/x and a remark"},
		"Report [restore.pdf]":                  {Text: "Report [restore.pdf]"},
	} {
		if got := evidenceFromLine(in); got.Text != want.Text || got.URL != want.URL {
			t.Errorf("%q → %+v, want %+v", in, got, want)
		}
	}
}
