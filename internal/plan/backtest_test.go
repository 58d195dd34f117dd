package plan

import (
	"fmt"
	"math"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// A reference organisation of the back-test: its size and starting
// readiness, and the ranges published sources give for the time to the
// certificate and the first year's cost (docs/forecast.md cites them).
type reference struct {
	name             string
	persons          int
	readiness        float64 // 0..1, the share of the way from 1 to 5
	minMonths        float64
	maxMonths        float64
	minCost, maxCost float64 // year one, EUR
}

var references = []reference{
	{"small SaaS company", 15, 0.40, 3, 9, 15000, 50000},
	{"50-person SaaS company, whole-company scope", 50, 0.40, 6, 12, 25000, 65000},
	{"100-person services company", 100, 0.50, 6, 13, 30000, 120000},
	{"120-person SaaS company (the demo's size and readiness)", 120, 0.48, 6, 14, 40000, 150000},
	{"500-person company", 500, 0.40, 8, 20, 50000, 200000},
}

// referenceItems scores every catalog item so that the overall readiness
// is r: each item gets floor(4r)+1 or one more, the higher scores spread
// evenly through the catalog. Every score has evidence; owners are left to
// each item's department, so each department works through its queue.
func referenceItems(cat *catalog.Catalog, r float64) []assess.Item {
	n := len(cat.Items)
	steps := int(math.Round(r * 4 * float64(n)))
	base, extra := steps/n, steps%n
	var items []assess.Item
	for i, ci := range cat.Items {
		s := 1 + base
		if extra > 0 && (i*extra)%n < extra {
			s++
		}
		items = append(items, assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department, Score: assess.Score(min(5, s)),
			Evidence: []assess.Evidence{{Kind: assess.EvidenceText, Text: "records"}}})
	}
	return items
}

func months(from, to assess.Date) float64 {
	return to.Time().Sub(from.Time()).Hours() / 24 / (365.25 / 12)
}

// TestBackTest fails when a change of defaults moves a reference
// organisation outside the published ranges for time and cost.
func TestBackTest(t *testing.T) {
	cat := catalog.Builtin()
	for _, ref := range references {
		a := assess.Assessment{TargetScore: assess.DefaultTarget, Employees: ref.persons}
		items := referenceItems(cat, ref.readiness)
		if got := assess.Compute(cat, a, items).Overall.Readiness; math.Abs(got-ref.readiness) > 0.01 {
			t.Fatalf("%s: the generated readiness is %.3f, want %.2f", ref.name, got, ref.readiness)
		}
		asm := Defaults()
		asm.Start = start
		f := Compute(cat, a, items, asm)
		m := months(start, f.Certification.P50)
		t.Logf("%-58s P50 %s (%.1f months, range %v–%v), year one P50 EUR %.0f (range %.0f–%.0f), three years EUR %.0f, audit %v days",
			ref.name, f.Certification.P50, m, ref.minMonths, ref.maxMonths, f.Budget.P50, ref.minCost, ref.maxCost, f.Cycle.P50, f.Audit.InitialDays)
		if m < ref.minMonths || m > ref.maxMonths {
			t.Errorf("%s: certificate at P50 in %.1f months, outside the published %v–%v", ref.name, m, ref.minMonths, ref.maxMonths)
		}
		if f.Budget.P50 < ref.minCost || f.Budget.P50 > ref.maxCost {
			t.Errorf("%s: year one costs %s at P50, outside the published %.0f–%.0f", ref.name, fmt.Sprintf("%.0f", f.Budget.P50), ref.minCost, ref.maxCost)
		}
	}
}
