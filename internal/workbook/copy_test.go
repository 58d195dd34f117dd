package workbook_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/workbook"
)

// TestStakeholderCopy: the copy written for one department or owner holds
// what that person needs and nothing else: their items with their
// questions, the scoring guide, and how to return the file to the
// assessor, named; no scope, Statement of Applicability, Action Plan or
// Dashboard. It still imports.
func TestStakeholderCopy(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	v := view(t, svc, id)
	lead := v.Assessment.Lead
	if lead == "" {
		t.Fatal("the demo has no assessment lead")
	}
	for _, f := range []workbook.Filter{{Department: "HR"}, {Owner: "Priya Natarajan"}} {
		data := export(t, svc, id, f)
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var visible []string
		for _, sh := range x.GetSheetList() {
			if ok, _ := x.GetSheetVisible(sh); ok {
				visible = append(visible, sh)
			}
		}
		if !slices.Equal(visible, []string{workbook.SheetInstructions, workbook.SheetChecklist}) {
			t.Errorf("%s: visible sheets %v, want Instructions and Gap Checklist only", f, visible)
		}
		var want []string
		for _, it := range v.Items {
			if (f.Department != "" && it.Department == f.Department) || (f.Owner != "" && strings.EqualFold(it.Owner, f.Owner)) {
				want = append(want, it.Ref)
			}
		}
		rows, _ := x.GetRows(workbook.SheetChecklist)
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[0])
			ci, _ := v.Catalog.Item(r[0])
			if len(ci.Questions) == 0 || !strings.Contains(r[3], ci.Questions[0].Text) {
				t.Errorf("%s: %s's row lacks its questions", f, r[0])
			}
		}
		if !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("%s: items %v, want %v", f, got, want)
		}
		ins, _ := x.GetRows(workbook.SheetInstructions)
		var text strings.Builder
		for _, r := range ins {
			text.WriteString(strings.Join(r, " ") + "\n")
		}
		for s := assess.Score(1); s <= 5; s++ {
			if !strings.Contains(text.String(), s.Meaning()) {
				t.Errorf("%s: the scoring guide lacks %d %s", f, s, s.Label())
			}
		}
		for _, s := range []string{"How to return this", "send it back to " + lead} {
			if !strings.Contains(text.String(), s) {
				t.Errorf("%s: the instructions do not say %q:\n%s", f, s, text.String())
			}
		}
		x.Close()

		// Answered and returned, it imports.
		answered := edit(t, data, func(x *excelize.File) {
			old, _ := x.GetCellValue(workbook.SheetChecklist, "H2")
			set(t, x, workbook.SheetChecklist, "H2", 4-map[string]int{"4": 2}[old])
		})
		res, err := importBooks(t, svc, id, app.SheetImportOptions{DryRun: true}, read(t, "copy.xlsx", answered))
		if err != nil {
			t.Errorf("%s: the answered copy does not import: %v", f, err)
		} else if len(res.Changes) == 0 {
			t.Errorf("%s: the answered score is not imported", f)
		}
	}
}
