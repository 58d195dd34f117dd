package workbook_test

import (
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/workbook"
)

// viewRow finds a ref's row on a sheet other than the checklist.
func viewRow(t *testing.T, f *excelize.File, sheet, ref string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == ref {
			return i + 1
		}
	}
	t.Fatalf("%s not on %s", ref, sheet)
	return 0
}

func TestEditsTypedOnTheSoAAndTheActionPlanAreImported(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	var gap string
	for _, it := range view(t, svc, id).Items {
		if it.Applicable && it.Score.Assessed() && it.Score < 3 && it.Ref[0] == 'A' {
			gap = it.Ref
			break
		}
	}
	excl := "A.7.4"
	data := edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		r := viewRow(t, f, workbook.SheetSoA, excl)
		set(t, f, workbook.SheetSoA, fmt.Sprintf("D%d", r), "No")
		set(t, f, workbook.SheetSoA, fmt.Sprintf("G%d", r), "Fully remote: no premises to monitor")
		a := viewRow(t, f, workbook.SheetActions, gap)
		set(t, f, workbook.SheetActions, fmt.Sprintf("E%d", a), "Grace Hopper")
		set(t, f, workbook.SheetActions, fmt.Sprintf("H%d", a), "Roll out the new procedure")
	})
	if _, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, "views.xlsx", data)); err != nil {
		t.Fatal(err)
	}
	if it := item(t, svc, id, excl); it.Applicable || it.Justification != "Fully remote: no premises to monitor" {
		t.Errorf("%s: applicable %v, justification %q", excl, it.Applicable, it.Justification)
	}
	if it := item(t, svc, id, gap); it.Owner != "Grace Hopper" || it.Action != "Roll out the new procedure" {
		t.Errorf("%s: owner %q, action %q", gap, it.Owner, it.Action)
	}
}
