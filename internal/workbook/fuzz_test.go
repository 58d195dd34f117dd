package workbook_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// FuzzRead feeds the reader damaged workbooks: it must answer with rows or
// an error of kind Invalid, never panic, never read past its limits.
// "go test -fuzz FuzzRead ./internal/workbook" explores further.
func FuzzRead(f *testing.F) {
	cat := catalog.Builtin()
	var tpl bytes.Buffer
	if err := workbook.Template(&tpl, cat, writtenAt); err != nil {
		f.Fatal(err)
	}
	f.Add(tpl.Bytes())
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte{})
	// A small hand-made sheet, to give the fuzzer cell text to mutate.
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "Gap Checklist")
	for i, row := range [][]any{{"Control ID", "Score (1-5)", "Due date", "Evidence / Notes", "Applicable?"},
		{"A.5.1", "3 - Partially Implemented", "2027-03-31", "Policy v2", "Yes"}, {"4.1", 46600, 5, "", "N/A"}} {
		x.SetSheetRow("Gap Checklist", "A"+string(rune('1'+i)), &row)
	}
	// And a scope sheet: labels, lists and the two tables.
	x.NewSheet("Scope & Stakeholders")
	for i, row := range [][]any{{"Organisation", "Acme"}, {"Locations", "London\nRemote"}, {"Target score", 4},
		{"Excluded from the scope", "Justification"}, {"US office", "Separate entity"},
		{"Name", "Department", "E-mail"}, {"Ada", "hr", "ada@example.com"}, {"Departments"}, {"HR"}} {
		x.SetSheetRow("Scope & Stakeholders", "A"+string(rune('1'+i)), &row)
	}
	small, _ := x.WriteToBuffer()
	f.Add(small.Bytes())
	lim := workbook.DefaultLimits
	lim.MaxUnzipped, lim.MaxRows = 4<<20, 300
	f.Fuzz(func(t *testing.T, data []byte) {
		book, err := workbook.Read("fuzz.xlsx", data, cat, lim)
		if err != nil {
			if assess.KindOf(err) != assess.KindInvalid {
				t.Fatalf("error of kind %v: %v", assess.KindOf(err), err)
			}
			return
		}
		for _, r := range book.Rows {
			if r.Ref == "" || r.RefCell == "" {
				t.Fatalf("row without a ref: %+v", r)
			}
			for fld := range r.Values {
				if r.Cells[fld] == "" {
					t.Fatalf("value of %s without its cell", fld)
				}
			}
		}
		if sc := book.Scope; sc != nil {
			if len(sc.StakeholderCells) != len(sc.Sheet.Stakeholders) || len(sc.ExclusionCells) != len(sc.Sheet.Exclusions) {
				t.Fatalf("table rows without their cells: %+v", sc)
			}
		}
		_ = app.SheetBook(book)
	})
}
