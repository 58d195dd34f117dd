package workbook_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

const textDates = `
import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Gap Checklist"
ws.append(["Ref", "Score", "Due date"])
ws.append(["A.5.1", 2, "31/03/2027"])
ws.append(["A.5.2", 2, "03/31/2027"])
ws.append(["A.5.3", 2, "31.03.2027"])
ws.append(["A.5.4", 2, "March 31 2027"])
ws.append(["A.5.5", 2, sys.argv[2]])
wb.save(sys.argv[1])
`

func TestDatesTypedAsText(t *testing.T) {
	svc := sqliteService(t)
	id := fresh(t, svc)
	dir := t.TempDir()
	readWith := func(last string, order workbook.DateOrder) (app.SheetBook, error) {
		path := filepath.Join(dir, strings.NewReplacer("/", "-", " ", "-").Replace(last)+string(order)+".xlsx")
		python(t, textDates, path, last)
		return workbook.ReadFileWith(path, catalog.Builtin(), workbook.Options{Limits: workbook.DefaultLimits, DateOrder: order})
	}
	// 04/05/2027 could be either: refused unless the order is said.
	problems := func(last string, order workbook.DateOrder) *assess.FieldErrors {
		book, err := readWith(last, order)
		if err != nil {
			t.Fatal(err)
		}
		return importErr(t, svc, id, app.SheetImportOptions{}, book)
	}
	if fe := problems("04/05/2027", ""); len(fe.List) != 1 || !strings.Contains(fe.Error(), "Gap Checklist!C6") ||
		!strings.Contains(fe.Error(), "ambiguous") || !strings.Contains(fe.Error(), "--date-order") {
		t.Fatalf("an ambiguous date: %v", fe)
	}
	if fe := problems("31/02/2027", workbook.DateDMY); !strings.Contains(fe.Error(), "no such date") {
		t.Fatalf("31 February: %v", fe)
	}
	book, err := readWith("04/05/2027", workbook.DateDMY)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importBooks(t, svc, id, app.SheetImportOptions{}, book); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{"A.5.1": "2027-03-31", "A.5.2": "2027-03-31", "A.5.3": "2027-03-31", "A.5.4": "2027-03-31", "A.5.5": "2027-05-04"} {
		if got := item(t, svc, id, ref).TargetDate.String(); got != want {
			t.Errorf("%s target date %s, want %s", ref, got, want)
		}
	}
}

// The sheet's own date check allows what isogap allows, no more, no less.
func TestSheetDateCheckMatchesTheDomain(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	f, err := excelize.OpenReader(strings.NewReader(string(export(t, svc, id, workbook.Filter{}))))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dvs, err := f.GetDataValidations(workbook.SheetChecklist)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := workbook.DateSerialRange()
	found := false
	for _, dv := range dvs {
		if dv.Type == "date" {
			found = true
			if strings.Trim(dv.Formula1, "<formula1></>") != fmt.Sprint(lo) || strings.Trim(dv.Formula2, "<formula2></>") != fmt.Sprint(hi) {
				t.Errorf("the sheet checks dates %s–%s, isogap allows %v–%v", dv.Formula1, dv.Formula2, lo, hi)
			}
		}
	}
	if !found {
		t.Fatal("no date check on the Gap Checklist")
	}
	// Past the last day both allow: refused on import too.
	data := edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		set(t, f, workbook.SheetChecklist, colOf(t, f, "Target Date")+"2", fmt.Sprintf("%d-01-01", assess.MaxYear+1))
	})
	if fe := importErr(t, svc, id, app.SheetImportOptions{}, read(t, "late.xlsx", data)); !strings.Contains(fe.Error(), "late.xlsx: Gap Checklist!") {
		t.Fatalf("a date past the range: %v", fe)
	}
}
