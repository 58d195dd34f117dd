package risk

import (
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

func TestLikelihoodImpact(t *testing.T) {
	for s, want := range map[assess.Score]int{0: 5, 1: 5, 2: 4, 3: 3, 4: 2, 5: 1} {
		if got := Likelihood(s); got != want {
			t.Errorf("Likelihood(%d) = %d, want %d", s, got, want)
		}
	}
	cia := []string{"Confidentiality", "Integrity", "Availability"}
	tests := []struct {
		p     assess.Priority
		props []string
		want  int
	}{
		{assess.PriorityCritical, cia, 5}, {assess.PriorityHigh, cia, 5}, {assess.PriorityHigh, cia[:2], 4},
		{assess.PriorityMedium, cia[:1], 2}, {assess.PriorityLow, cia[:1], 1}, {"", nil, 3}, {assess.PriorityLow, nil, 2},
	}
	for _, tc := range tests {
		if got := Impact(tc.p, tc.props); got != tc.want {
			t.Errorf("Impact(%q, %v) = %d, want %d", tc.p, tc.props, got, tc.want)
		}
	}
	for r, want := range map[int]string{1: "Low", 4: "Low", 5: "Medium", 9: "Medium", 10: "High", 16: "High", 20: "Critical", 25: "Critical"} {
		if got := Level(r); got != want {
			t.Errorf("Level(%d) = %s, want %s", r, got, want)
		}
	}
}

func TestBuild(t *testing.T) {
	cat := catalog.Builtin()
	var items []assess.Item
	for _, ci := range cat.Items {
		items = append(items, assess.Item{Ref: ci.Ref, Applicable: true, Score: 4})
	}
	set := func(ref string, fn func(*assess.Item)) {
		for i := range items {
			if items[i].Ref == ref {
				fn(&items[i])
			}
		}
	}
	set("A.8.13", func(it *assess.Item) {
		it.Score, it.Priority, it.Owner, it.Action = 1, assess.PriorityCritical, "Marcus", "Test restores monthly"
	})
	set("6.1.2", func(it *assess.Item) { it.Score = 3 })
	set("A.7.12", func(it *assess.Item) { it.Score, it.Applicable, it.Justification = 1, false, "no cabling" })
	reg := Build(cat, assess.Assessment{Org: "Acme", TargetScore: 4}, items, map[string]assess.Date{"A.8.13": assess.NewDate(2027, 3, 1)})
	if len(reg.Risks) != 2 {
		t.Fatalf("%d risks, want 2 (the excluded control is no risk)", len(reg.Risks))
	}
	top := reg.Risks[0]
	if top.ID != "R-001" || top.Ref != "A.8.13" || top.Likelihood != 5 || top.Impact != 5 || top.Level != "Critical" ||
		top.Treatment != "Test restores monthly" || top.Owner != "Marcus" || top.Planned != assess.NewDate(2027, 3, 1) {
		t.Errorf("top risk: %+v", top)
	}
	second := reg.Risks[1]
	if second.Ref != "6.1.2" || second.Rating != 9 || second.Treatment == "" {
		t.Errorf("second risk: %+v", second)
	}
	if reg.Matrix[4][4] != 1 || reg.Matrix[2][2] != 1 || reg.ByLevel["Critical"] != 1 || reg.ByLevel["Medium"] != 1 {
		t.Errorf("matrix %v by level %v", reg.Matrix, reg.ByLevel)
	}
}
