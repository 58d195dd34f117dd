package workbook_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// BenchmarkExport writes the demo assessment's workbook (124 rows, seven
// sheets, formulas, validations, three charts).
func BenchmarkExport(b *testing.B) {
	svc := benchService(b)
	v, _, err := svc.View(context.Background(), app.System("bench"), benchDemo(b, svc))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := workbook.Export(io.Discard, v, workbook.Filter{}, writtenAt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead reads the demo's exported workbook back into rows.
func BenchmarkRead(b *testing.B) {
	svc := benchService(b)
	id := benchDemo(b, svc)
	data := benchExport(b, svc, id)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := workbook.Read("demo.xlsx", data, catalog.Builtin(), workbook.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport reads the workbook and plans its import against the
// database (a dry run: the same checks as a real import, without writing).
func BenchmarkImport(b *testing.B) {
	svc := benchService(b)
	id := benchDemo(b, svc)
	data := benchExport(b, svc, id)
	b.ReportAllocs()
	for b.Loop() {
		book, err := workbook.Read("demo.xlsx", data, catalog.Builtin(), workbook.DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.ImportSheets(context.Background(), app.System("test"), id, []app.SheetBook{book}, app.SheetImportOptions{DryRun: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchService(b *testing.B) *app.Service {
	return newService(b, filepath.Join(b.TempDir(), "isogap.db"))
}

func benchDemo(b *testing.B, svc *app.Service) string {
	a, err := svc.CreateDemo(context.Background(), app.System("bench"))
	if err != nil {
		b.Fatal(err)
	}
	return a.ID
}

func benchExport(b *testing.B, svc *app.Service, id string) []byte {
	v, _, err := svc.View(context.Background(), app.System("bench"), id)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := workbook.Export(&buf, v, workbook.Filter{}, writtenAt); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
