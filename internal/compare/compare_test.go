package compare

import (
	"math"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

func TestCompare(t *testing.T) {
	cat := catalog.Builtin()
	before := []assess.Item{
		{Ref: "4.1", Applicable: true, Score: 2},
		{Ref: "4.2", Applicable: true, Score: 4},
		{Ref: "A.5.1", Applicable: true, Score: 5}, // no evidence: counts as 4
		{Ref: "A.7.12", Applicable: true, Score: 1},
	}
	after := []assess.Item{
		{Ref: "4.1", Applicable: true, Score: 4},
		{Ref: "4.2", Applicable: true, Score: 3},
		{Ref: "A.5.1", Applicable: true, Score: 4},
		{Ref: "A.7.12", Applicable: false, Justification: "none"},
	}
	a := assess.Assessment{Org: "Acme", TargetScore: 4}
	r := Compare(State{Label: "x@base", Catalog: cat, Assessment: a, Items: before}, State{Label: "x", Catalog: cat, Assessment: a, Items: after})
	want := map[string]Change{"4.1": Improved, "4.2": Regressed, "A.5.1": Unchanged, "A.7.12": Rescoped, "4.3": Unchanged}
	for _, it := range r.Items {
		if w, ok := want[it.Ref]; ok && it.Change != w {
			t.Errorf("%s: %s, want %s", it.Ref, it.Change, w)
		}
	}
	if r.Counts[Improved] != 1 || r.Counts[Regressed] != 1 || r.Counts[Rescoped] != 1 || r.Counts[Unchanged] != len(cat.Items)-3 {
		t.Errorf("counts %v", r.Counts)
	}
	if len(r.Changed()) != 3 || r.A.Label != "x@base" {
		t.Errorf("changed %v", r.Changed())
	}
	if d := r.ReadinessDelta - (r.B.Overall.Readiness - r.A.Overall.Readiness); math.Abs(d) > 1e-12 || r.ReadinessDelta == 0 {
		t.Errorf("readiness delta %v", r.ReadinessDelta)
	}
}
