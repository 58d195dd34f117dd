package report_test

import (
	"io"
	"testing"

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
