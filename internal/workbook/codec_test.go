package workbook

import (
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

func TestSheetStamp(t *testing.T) {
	effort := 2.5
	it := assess.Item{Ref: "A.5.15", Score: 3, Applicable: true, Owner: "Sam", EffortDays: &effort, Version: 7,
		Evidence: []assess.Evidence{{Kind: assess.EvidenceLink, Text: "Access policy", URL: "https://wiki.example/ac"}}}
	s := newStamp("k3m9x2p7qrst", it)
	st, err := parseStamp(s)
	if err != nil || st.AssessmentID != "k3m9x2p7qrst" || st.Ref != "A.5.15" || st.Version != 7 {
		t.Fatalf("%q → %+v %v", s, st, err)
	}
	for _, f := range app.SheetFields {
		if !st.was(f, app.SheetValue(it, f)) {
			t.Errorf("%s reads as changed", f)
		}
	}
	if st.was(app.FieldOwner, "Dana") || st.was(app.FieldScore, "4") || st.was(app.FieldEvidence, "") {
		t.Error("a changed value reads as unchanged")
	}
	for _, bad := range []string{"", "isogap1/x/A.5.15/7/abc", strings.Replace(s, "/7/", "/-7/", 1), s[:len(s)-1], s + "0", "isogap2" + s[7:]} {
		if _, err := parseStamp(bad); err == nil {
			t.Errorf("%q parsed as a stamp", bad)
		}
	}
}

func TestCanonicalCells(t *testing.T) {
	cat := catalog.Builtin()
	tests := []struct {
		f       app.SheetField
		in, out string
		ok      bool
	}{
		{app.FieldScore, "3 - Partially Implemented", "3", true},
		{app.FieldScore, " 4.0 ", "4", true},
		{app.FieldScore, "Mostly Done", "4", true},
		{app.FieldScore, "", "", true},
		{app.FieldScore, "6", "", false},
		{app.FieldApplicable, "y", "Yes", true},
		{app.FieldApplicable, "N/A", "No", true},
		{app.FieldApplicable, "maybe", "", false},
		{app.FieldDepartment, "hr", "HR", true},
		{app.FieldDepartment, "Marketing", "", false},
		{app.FieldPriority, "HIGH", "High", true},
		{app.FieldTargetDate, "2027-03-31", "2027-03-31", true},
		{app.FieldTargetDate, "03/31/2027", "2027-03-31", true},
		{app.FieldTargetDate, "04/05/2027", "", false},
		{app.FieldEffort, "2.50", "2.5", true},
		{app.FieldEffort, "two days", "", false},
		// The range is the domain's: the import refuses it (TestHostileCells).
		{app.FieldEffort, "-1", "-1", true},
		{app.FieldInclusion, "Best practice; legal-contractual, best practice", "best-practice;legal-contractual", true},
		{app.FieldInclusion, "gut feeling", "", false},
		{app.FieldEvidence, " a \r\n\r\n b  c ", "a\nb c", true},
		{app.FieldNotes, "=1+1", "=1+1", true},
	}
	for _, tc := range tests {
		errs := &assess.FieldErrors{}
		got, ok := canonical(cat, tc.f, tc.in, errs, "Gap Checklist!X1", "")
		if ok != tc.ok || got != tc.out {
			t.Errorf("%s %q → %q %v, want %q %v", tc.f, tc.in, got, ok, tc.out, tc.ok)
		}
		if !ok && (len(errs.List) != 1 || errs.List[0].Where != "Gap Checklist!X1") {
			t.Errorf("%s %q: errors %+v", tc.f, tc.in, errs.List)
		}
	}
}
