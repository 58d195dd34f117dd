package workbook_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/workbook"
)

var storeAll = store.HistoryQuery{}

// writtenAt is the export time the tests use, so two exports compare equal.
var writtenAt = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

// engines are the databases an import must work on.
var engines = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "isogap.db") }},
	{"postgres", func(t *testing.T) string {
		dsn := testenv.PostgresSchema(t)
		if _, _, err := open.Migrate(context.Background(), dsn); err != nil {
			t.Fatal(err)
		}
		return dsn
	}},
}

func newService(t testing.TB, dsn string) *app.Service {
	t.Helper()
	st, err := open.Store(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// The demo is dated by the service's clock: it was written at writtenAt.
	return app.New(st, app.Config{Clock: func() time.Time { return writtenAt }})
}

func sqliteService(t *testing.T) *app.Service {
	return newService(t, engines[0].dsn(t))
}

func demo(t *testing.T, svc *app.Service) string {
	t.Helper()
	a, err := svc.CreateDemo(context.Background(), app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// fresh starts an assessment nobody has touched yet.
func fresh(t *testing.T, svc *app.Service) string {
	t.Helper()
	a, err := svc.CreateAssessment(context.Background(), app.System("test"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func view(t *testing.T, svc *app.Service, id string) app.View {
	t.Helper()
	v, _, err := svc.View(context.Background(), app.System("test"), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// export writes an assessment's workbook to memory.
func export(t *testing.T, svc *app.Service, id string, f workbook.Filter) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := workbook.Export(&buf, view(t, svc, id), f, writtenAt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// edit opens workbook bytes with excelize, lets fn change cells as a
// spreadsheet user would, and returns the saved bytes.
func edit(t *testing.T, data []byte, fn func(f *excelize.File)) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fn(f)
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rowOf finds the Gap Checklist row of a ref in an exported workbook.
func rowOf(t *testing.T, f *excelize.File, ref string) int {
	t.Helper()
	rows, err := f.GetRows(workbook.SheetChecklist)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == ref {
			return i + 1
		}
	}
	t.Fatalf("%s not on the Gap Checklist", ref)
	return 0
}

func set(t *testing.T, f *excelize.File, sheet, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, name string, data []byte) app.SheetBook {
	t.Helper()
	b, err := workbook.Read(name, data, catalog.Builtin(), workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importBooks(t *testing.T, svc *app.Service, id string, opt app.SheetImportOptions, books ...app.SheetBook) (app.SheetImportResult, error) {
	t.Helper()
	return svc.ImportSheets(context.Background(), app.System("tester"), id, books, opt)
}

func item(t *testing.T, svc *app.Service, id, ref string) assess.Item {
	t.Helper()
	it, err := svc.Item(context.Background(), app.System("test"), id, ref)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func historyLen(t *testing.T, svc *app.Service, id string) int {
	t.Helper()
	h, err := svc.History(context.Background(), app.System("test"), id, storeAll)
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

type storeHistoryQuery = store.HistoryQuery

// zipWith builds a zip archive of the given entries.
func zipWith(t *testing.T, entries map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb is a small archive that unpacks to size bytes of zeros.
func zipBomb(t *testing.T, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for range size >> 20 {
		w.Write(chunk)
	}
	zw.Close()
	return buf.Bytes()
}

// replaceEntry rewrites one entry of a zip archive.
func replaceEntry(t *testing.T, data []byte, name, content string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		if f.Name == name {
			w.Write([]byte(content))
			continue
		}
		r, _ := f.Open()
		io.Copy(w, r)
		r.Close()
	}
	zw.Close()
	return buf.Bytes()
}

// manyRows is a checklist with n rows.
func manyRows(t *testing.T, n int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Gap Checklist")
	sw, err := f.NewStreamWriter("Gap Checklist")
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"Ref", "Score"})
	for i := 2; i <= n; i++ {
		sw.SetRow(fmt.Sprintf("A%d", i), []any{"4.1", 3})
	}
	sw.Flush()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
