package workbook_test

import (
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// A sheet made elsewhere that says how far each item is only in words.
func TestImplementationStatusWithoutAScoreIsThatScore(t *testing.T) {
	path := writeSheet(t, `[["Control ID", "Implementation Status", "Owner"], ["A.5.1", "Mostly Done", "Ann"], ["A.5.2", "planning only", ""], ["A.7.5", "Not Applicable", ""], ["4.1", "", "Bob"]]`)
	book, err := workbook.ReadFile(path, catalog.Builtin(), workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range book.Rows {
		if len(r.Problems) > 0 {
			t.Errorf("%s: %+v", r.Ref, r.Problems)
		}
		got[r.Ref] = r.Values[app.FieldScore] + "/" + r.Values[app.FieldApplicable]
	}
	if got["A.5.1"] != "4/" || got["A.5.2"] != "2/" || got["A.7.5"] != "/No" || got["4.1"] != "/" {
		t.Errorf("read %v", got)
	}
}

func TestScoreContradictingItsStatusNamesBothCells(t *testing.T) {
	path := writeSheet(t, `[["Ref", "Score", "Status"], ["A.5.1", 3, "Mostly Done"], ["A.5.2", 4, "4 - Mostly Done"]]`)
	book, err := workbook.ReadFile(path, catalog.Builtin(), workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	for _, r := range book.Rows {
		for _, p := range r.Problems {
			problems = append(problems, p.Where+" "+p.Problem)
		}
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "Checklist!B2") || !strings.Contains(problems[0], "C2") {
		t.Fatalf("problems %q", problems)
	}
}
