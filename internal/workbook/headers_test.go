package workbook_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// sheetOf writes a one-sheet workbook with openpyxl from a JSON table
// (strings starting with "=" become formulas).
const sheetOf = `
import sys, json, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Checklist"
for row in json.loads(sys.argv[2]):
    ws.append(row)
wb.save(sys.argv[1])
`

func writeSheet(t *testing.T, table string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sheet.xlsx")
	python(t, sheetOf, path, table)
	return path
}

func TestCommonHeadersAreDecidedByTheirValues(t *testing.T) {
	for _, tc := range []struct {
		name, table string
	}{
		{"# and Control", `[["#", "Control", "Title", "Score", "Owner"], [1, "A.5.1", "Policies", 3, "Ann"], [2, "A.5.2", "Roles", 2, ""], [3, "4.1", "Context", 4, ""]]`},
		{"No., Control ID and Requirement", `[["No.", "Control ID", "Requirement", "Score (1-5)"], [1, "A.5.1", "Policies for information security", 3], [2, "A.5.2", "Roles and responsibilities", 2], [3, "4.1", "Understanding the organization", 4]]`},
		{"ID numbers and Item refs", `[["ID", "Item", "Maturity"], [1, "A.5.1", 3], [2, "A.5.2", 2], [3, "4.1", 4]]`},
		{"Requirement refs and Item titles", `[["Item", "Requirement", "Score"], ["Policies", "A.5.1", 3], ["Roles", "A.5.2", 2], ["Context", "4.1", 4]]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			book, err := workbook.ReadFile(writeSheet(t, tc.table), catalog.Builtin(), workbook.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range book.Rows {
				got[r.Ref] = r.Values[app.FieldScore]
				if len(r.Problems) > 0 {
					t.Errorf("%s: %+v", r.Ref, r.Problems)
				}
			}
			if len(got) != 3 || got["A.5.1"] != "3" || got["A.5.2"] != "2" || got["4.1"] != "4" {
				t.Errorf("rows %v", got)
			}
		})
	}
}

func TestColumnsWhoseValuesLeaveItOpenAreRefused(t *testing.T) {
	path := writeSheet(t, `[["Control", "Requirement", "Score"], ["A.5.1", "A.5.1", 3], ["A.5.2", "A.5.2", 2]]`)
	_, err := workbook.ReadFile(path, catalog.Builtin(), workbook.DefaultLimits)
	if err == nil || !strings.Contains(err.Error(), "A1") || !strings.Contains(err.Error(), "B1") || !strings.Contains(err.Error(), "refs") {
		t.Fatalf("two columns of refs: %v", err)
	}
}

func TestTotalsRowSavedByLibreOfficeIsSkipped(t *testing.T) {
	src := writeSheet(t, `[["Ref", "Score", "Owner"], ["A.5.1", 3, "Ann"], ["A.5.2", 2, "Bob"], ["4.1", 4, ""], ["Total", "=AVERAGE(B2:B4)", ""]]`)
	saved := convert(t, src, "xlsx:Calc MS Excel 2007 XML")
	book, err := workbook.ReadFile(saved, catalog.Builtin(), workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(book.Skipped) != 1 || !strings.Contains(book.Skipped[0].Where, "5") || !strings.Contains(book.Skipped[0].Why, "Total") {
		t.Fatalf("skipped %+v", book.Skipped)
	}
	svc := sqliteService(t)
	id := fresh(t, svc)
	if _, err := importBooks(t, svc, id, app.SheetImportOptions{}, book); err != nil {
		t.Fatal(err)
	}
	if it := item(t, svc, id, "A.5.2"); it.Score != 2 || it.Owner != "Bob" {
		t.Errorf("A.5.2: %+v", it)
	}
}
