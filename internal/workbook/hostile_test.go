package workbook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/workbook"
)

// TestHostileCells imports workbooks with hostile cells: each is refused
// with the cell named, and nothing is stored.
func TestHostileCells(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	data := export(t, svc, id, workbook.Filter{})
	before := historyLen(t, svc, id)
	for _, tc := range []struct {
		name, col string
		v         any
	}{
		{"effort NaN", "O", "NaN"},
		{"effort Inf", "O", "Inf"},
		{"effort -1", "O", -1},
		{"effort 0", "O", 0},
		{"effort 1e309", "O", "1e309"},
		{"target date 0000", "M", "0000-01-01"},
		{"target date 9999", "M", "9999-12-31"},
		{"owner 1 MiB", "K", strings.Repeat("x", 1<<20)},
		{"notes 1 MiB", "P", strings.Repeat("x", 1<<20)},
		// Control characters cannot be written to a cell (XML holds none);
		// they reach the same checks through the service (package app).
	} {
		book := read(t, "x.xlsx", edit(t, data, func(f *excelize.File) { set(t, f, workbook.SheetChecklist, tc.col+"3", tc.v) }))
		_, err := importBooks(t, svc, id, app.SheetImportOptions{}, book)
		var fe *assess.FieldErrors
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "Gap Checklist!"+tc.col+"3") {
			t.Errorf("%s: want an error naming Gap Checklist!%s3, got %v", tc.name, tc.col, err)
		}
	}
	if n := historyLen(t, svc, id); n != before {
		t.Errorf("refused imports wrote %d history entries", n-before)
	}
}
