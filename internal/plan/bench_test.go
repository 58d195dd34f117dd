package plan

import (
	"math/rand/v2"
	"testing"

	"github.com/isogap/isogap/internal/catalog"
)

// BenchmarkForecast1000Runs is the forecast of a full generated assessment
// (123 items, about 80 actions) with 1,000 Monte Carlo runs.
func BenchmarkForecast1000Runs(b *testing.B) {
	cat := catalog.Builtin()
	a, items, asm := generate(rand.New(rand.NewPCG(7, 8)))
	asm.Runs = 1000
	var actions int
	for b.Loop() {
		actions = len(Compute(cat, a, items, asm).Actions)
	}
	b.ReportMetric(float64(actions), "actions")
}
