package report_test

import (
	"io"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/report"
)

// BenchmarkExecutivePDF lays out and writes the PDF report of the full demo
// assessment (123 items, seven charts at 220 dpi).
func BenchmarkExecutivePDF(b *testing.B) {
	r := demoResults(b)
	var size int64
	for b.Loop() {
		d, err := report.Executive(r, report.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cw := &countWriter{}
		if err := report.WritePDF(cw, d); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.ReportMetric(float64(size)/1024, "KiB")
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// BenchmarkInterviewPack writes the interview guide of the largest
// department of the built-in catalog (Security/ISMS, 40 items).
func BenchmarkInterviewPack(b *testing.B) {
	v := report.PackInput{Catalog: catalog.Builtin(), Assessment: assess.Assessment{Org: "Acme"},
		Department: "Security/ISMS", Items: report.DepartmentItems(packItems(), "Security/ISMS")}
	var size int64
	for b.Loop() {
		cw := &countWriter{}
		if err := report.WriteInterviewPack(cw, v); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.ReportMetric(float64(size)/1024, "KiB")
}
