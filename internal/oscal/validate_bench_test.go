package oscal_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/oscal"
)

// BenchmarkValidate checks the demo assessment's results export against
// NIST's schema, as every export test and every catalog import does. The
// schemas are compiled before the clock starts.
func BenchmarkValidate(b *testing.B) {
	a, items := app.DemoAssessment(catalog.Builtin(), time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), app.DemoSeed)
	var doc bytes.Buffer
	if err := oscal.WriteAssessmentResults(&doc, input(a, items, created)); err != nil {
		b.Fatal(err)
	}
	if err := oscal.Validate(oscal.ModelAssessmentResults, doc.Bytes()); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(doc.Len()))
	for b.Loop() {
		if err := oscal.Validate(oscal.ModelAssessmentResults, doc.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}
