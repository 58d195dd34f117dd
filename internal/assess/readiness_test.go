package assess

import (
	"math"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/catalog"
)

// tiny is a catalog small enough to compute by hand: clauses C.1, C.2 in
// section "4"; controls A.1.1, A.1.2 in theme "A.1" and A.2.1 in "A.2".
func tiny(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Parse(strings.NewReader(`{
	  "format": "isogap-catalog/v1", "id": "tiny", "name": "Tiny", "version": "1",
	  "departments": ["IT", "HR"],
	  "sections": [{"id": "4", "kind": "clause", "title": "Context"},
	               {"id": "A.1", "kind": "control", "title": "Theme one"},
	               {"id": "A.2", "kind": "control", "title": "Theme two"}],
	  "attributes": [{"key": "control_type", "name": "Control type", "values": ["Preventive", "Detective"]}],
	  "items": [
	    {"ref": "4.1", "kind": "clause", "section": "4", "title": "C1", "questions": ["?"], "evidence": [], "department": "IT", "effort_days": 1},
	    {"ref": "4.2", "kind": "clause", "section": "4", "title": "C2", "questions": ["?"], "evidence": [], "department": "IT", "effort_days": 1},
	    {"ref": "A.1.1", "kind": "control", "section": "A.1", "title": "K1", "questions": ["?"], "evidence": [], "department": "IT", "effort_days": 1, "control_type": ["Preventive"]},
	    {"ref": "A.1.2", "kind": "control", "section": "A.1", "title": "K2", "questions": ["?"], "evidence": [], "department": "HR", "effort_days": 1, "control_type": ["Preventive", "Detective"]},
	    {"ref": "A.2.1", "kind": "control", "section": "A.2", "title": "K3", "questions": ["?"], "evidence": [], "department": "HR", "effort_days": 1, "control_type": ["Detective"]}
	  ]}`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ev() []Evidence { return []Evidence{{ID: 1, Kind: EvidenceText, Text: "policy"}} }

func item(ref string, s Score, evidence bool) Item {
	it := Item{Ref: ref, Score: s, Applicable: true}
	if evidence {
		it.Evidence = ev()
	}
	return it
}

func na(ref, why string) Item { return Item{Ref: ref, Applicable: false, Justification: why} }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestCompute(t *testing.T) {
	cat := tiny(t)
	a := Assessment{TargetScore: 4}
	tests := []struct {
		name                 string
		items                []Item
		target               int
		readiness, coverage  float64
		applicable, assessed int
		auditReady           bool
		blockers             []string // refs, in order
		flagged              []string
	}{
		{name: "nothing assessed", items: nil, readiness: 0, coverage: 0, applicable: 5, assessed: 0,
			blockers: []string{"4.1", "4.2", "A.1.1", "A.1.2", "A.2.1"}},
		{name: "unassessed counts zero",
			items:     []Item{item("4.1", 5, true), item("4.2", 3, false)},
			readiness: (1 + 0.5) / 5, coverage: 2.0 / 5, applicable: 5, assessed: 2,
			blockers: []string{"4.2", "A.1.1", "A.1.2", "A.2.1"}},
		{name: "a 5 without evidence counts as 4 and is flagged",
			items:     []Item{item("4.1", 5, false), item("4.2", 5, true), item("A.1.1", 4, false), item("A.1.2", 4, false), item("A.2.1", 4, false)},
			readiness: (0.75 + 1 + 0.75*3) / 5, coverage: 1, applicable: 5, assessed: 5,
			auditReady: true, flagged: []string{"4.1"}},
		{name: "the 5-without-evidence rule blocks a target of 5", target: 5,
			items:     []Item{item("4.1", 5, false), item("4.2", 5, true), item("A.1.1", 5, true), item("A.1.2", 5, true), item("A.2.1", 5, true)},
			readiness: (0.75 + 4) / 5, coverage: 1, applicable: 5, assessed: 5,
			blockers: []string{"4.1"}, flagged: []string{"4.1"}},
		{name: "not applicable leaves the denominators",
			items:     []Item{item("4.1", 4, false), item("4.2", 4, false), item("A.1.1", 4, false), na("A.1.2", "no HR"), na("A.2.1", "cloud only")},
			readiness: 0.75, coverage: 1, applicable: 3, assessed: 3, auditReady: true},
		{name: "one below target blocks",
			items:     []Item{item("4.1", 4, false), item("4.2", 2, false), item("A.1.1", 4, false), item("A.1.2", 4, false), item("A.2.1", 5, true)},
			readiness: (0.75 + 0.25 + 0.75 + 0.75 + 1) / 5, coverage: 1, applicable: 5, assessed: 5,
			blockers: []string{"4.2"}},
		{name: "all fully implemented",
			items:     []Item{item("4.1", 5, true), item("4.2", 5, true), item("A.1.1", 5, true), item("A.1.2", 5, true), item("A.2.1", 5, true)},
			readiness: 1, coverage: 1, applicable: 5, assessed: 5, auditReady: true},
		{name: "all not started", target: 1,
			items:     []Item{item("4.1", 1, false), item("4.2", 1, false), item("A.1.1", 1, false), item("A.1.2", 1, false), item("A.2.1", 1, false)},
			readiness: 0, coverage: 1, applicable: 5, assessed: 5, auditReady: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := a
			if tc.target != 0 {
				a.TargetScore = tc.target
			}
			r := Compute(cat, a, tc.items)
			o := r.Overall
			if !near(o.Readiness, tc.readiness) || !near(o.Coverage, tc.coverage) {
				t.Errorf("readiness %v coverage %v, want %v and %v", o.Readiness, o.Coverage, tc.readiness, tc.coverage)
			}
			if o.Applicable != tc.applicable || o.Assessed != tc.assessed {
				t.Errorf("applicable %d assessed %d, want %d and %d", o.Applicable, o.Assessed, tc.applicable, tc.assessed)
			}
			if r.AuditReady != tc.auditReady {
				t.Errorf("audit-ready %v, want %v (blockers %v)", r.AuditReady, tc.auditReady, r.Blockers)
			}
			var refs []string
			for _, b := range r.Blockers {
				refs = append(refs, b.Ref)
			}
			if strings.Join(refs, ",") != strings.Join(tc.blockers, ",") {
				t.Errorf("blockers %v, want %v", refs, tc.blockers)
			}
			if strings.Join(r.Flagged(), ",") != strings.Join(tc.flagged, ",") {
				t.Errorf("flagged %v, want %v", r.Flagged(), tc.flagged)
			}
			// The groups partition the items: their weighted means give the overall figure.
			var sum float64
			var n int
			for _, g := range append(append([]Group{}, r.ByClause...), r.ByTheme...) {
				sum += g.Readiness * float64(g.Applicable)
				n += g.Applicable
			}
			if n != o.Applicable || (n > 0 && !near(sum/float64(n), o.Readiness)) {
				t.Errorf("groups add up to %d items / %v, overall %d / %v", n, sum/float64(max(n, 1)), o.Applicable, o.Readiness)
			}
		})
	}
}

func TestComputeGroups(t *testing.T) {
	cat := tiny(t)
	items := []Item{item("4.1", 3, false), item("4.2", 5, true), item("A.1.1", 2, false), na("A.1.2", "x"), item("A.2.1", 4, false)}
	r := Compute(cat, Assessment{TargetScore: 4}, items)
	check := func(what string, g Group, readiness, coverage float64, applicable int) {
		t.Helper()
		if !near(g.Readiness, readiness) || !near(g.Coverage, coverage) || g.Applicable != applicable {
			t.Errorf("%s: readiness %v coverage %v applicable %d; want %v %v %d", what, g.Readiness, g.Coverage, g.Applicable, readiness, coverage, applicable)
		}
	}
	check("clause 4", r.ByClause[0], (0.5+1)/2, 1, 2)
	check("theme A.1", r.ByTheme[0], 0.25, 1, 1)
	check("theme A.2", r.ByTheme[1], 0.75, 1, 1)
	if r.ByTheme[0].NotApplicable != 1 {
		t.Errorf("theme A.1 not applicable: %d, want 1", r.ByTheme[0].NotApplicable)
	}
	ct := r.ByAttribute[0]
	if ct.Key != catalog.AttrControlType || len(ct.Values) != 2 {
		t.Fatalf("attribute groups: %+v", r.ByAttribute)
	}
	check("Preventive", ct.Values[0], 0.25, 1, 1) // A.1.1 only: A.1.2 is not applicable
	check("Detective", ct.Values[1], 0.75, 1, 1)  // A.2.1
	if r.Clauses.Applicable != 2 || r.Controls.Applicable != 2 {
		t.Errorf("clauses %d controls %d applicable", r.Clauses.Applicable, r.Controls.Applicable)
	}
	if r.Scores != (Distribution{0, 0, 1, 1, 1, 1}) {
		t.Errorf("distribution %v", r.Scores)
	}
	gaps := r.Gaps()
	if len(gaps) != 2 || gaps[0].Ref != "A.1.1" || gaps[0].Gap != 2 || gaps[1].Ref != "4.1" {
		t.Errorf("gaps %+v", gaps)
	}
}

func TestExclusionWithoutJustificationBlocks(t *testing.T) {
	cat := tiny(t)
	var items []Item
	for _, ci := range cat.Items {
		items = append(items, item(ci.Ref, 5, true))
	}
	a := Assessment{TargetScore: 4, Exclusions: []Exclusion{{What: "Marketing site"}}}
	r := Compute(cat, a, items)
	if r.AuditReady || len(r.Blockers) != 1 || !strings.Contains(r.Blockers[0].Reason, "justification") {
		t.Fatalf("blockers %+v", r.Blockers)
	}
	a.Exclusions[0].Justification = "no customer data"
	if r := Compute(cat, a, items); !r.AuditReady {
		t.Fatalf("still blocked: %+v", r.Blockers)
	}
}

func TestValidateItem(t *testing.T) {
	cat := tiny(t)
	for _, tc := range []struct {
		name  string
		it    Item
		field string // "" = valid
	}{
		{"valid", item("A.1.1", 3, false), ""},
		{"unassessed", item("A.1.1", 0, false), ""},
		{"score too high", item("A.1.1", 7, false), "score"},
		{"score negative", item("A.1.1", -1, false), "score"},
		{"N/A with justification", na("A.1.1", "not used"), ""},
		{"N/A without justification", na("A.1.1", "  "), "justification"},
		{"clause cannot be N/A", na("4.1", "we do not want it"), "applicable"},
		{"unknown ref", item("A.9.9", 3, false), "ref"},
		{"unknown department", Item{Ref: "4.1", Applicable: true, Department: "Marketing"}, "department"},
		{"unknown priority", Item{Ref: "4.1", Applicable: true, Priority: "Urgent"}, "priority"},
		{"unknown reason", Item{Ref: "A.1.1", Applicable: true, Inclusion: []string{"whim"}}, "inclusion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateItem(cat, tc.it)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			fe, ok := err.(*FieldErrors)
			if !ok || len(fe.List) == 0 || fe.List[0].Where != tc.field {
				t.Fatalf("error %v, want one naming field %q", err, tc.field)
			}
			if KindOf(err) != KindInvalid {
				t.Errorf("kind %v", KindOf(err))
			}
		})
	}
}

func TestParseScore(t *testing.T) {
	for in, want := range map[string]Score{"": 0, "3": 3, " 4 ": 4, "5.0": 5, "3 - Partially Implemented": 3, "2-Planning Only": 2,
		"1: Not Started": 1, "Mostly Done": 4, "fully implemented & evidenced": 5} {
		got, err := ParseScore(in)
		if err != nil || got != want {
			t.Errorf("ParseScore(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "6", "7", "3.5", "x", "-1", "three"} {
		if got, err := ParseScore(in); err == nil {
			t.Errorf("ParseScore(%q) = %v, want an error", in, got)
		}
	}
}

func TestLabels(t *testing.T) {
	want := []string{"Not Assessed", "Not Started", "Planning Only", "Partially Implemented", "Mostly Done", "Fully Implemented & Evidenced"}
	for s := Score(0); s <= 5; s++ {
		if s.Label() != want[s] {
			t.Errorf("label %d: %q", s, s.Label())
		}
		if s.Meaning() == "" {
			t.Errorf("no meaning for %d", s)
		}
	}
	if ItemReadiness(1) != 0 || ItemReadiness(3) != 0.5 || ItemReadiness(5) != 1 || ItemReadiness(0) != 0 {
		t.Error("item readiness is not (score-1)/4")
	}
}

func TestDiffItems(t *testing.T) {
	e := 2.5
	old := Item{Ref: "A.1.1", Score: 2, Applicable: true, Owner: "Ann"}
	new := old
	new.Score, new.Owner, new.EffortDays, new.TargetDate = 4, "Bob", &e, NewDate(2027, 3, 31)
	var got []string
	for _, c := range DiffItems(old, new) {
		got = append(got, c.Field+":"+c.Old+">"+c.New)
	}
	want := "score:2>4,owner:Ann>Bob,target_date:>2027-03-31,effort_days:>2.5"
	if strings.Join(got, ",") != want {
		t.Errorf("diff %v, want %s", got, want)
	}
	if len(DiffItems(old, old)) != 0 {
		t.Error("an item differs from itself")
	}
}

func BenchmarkComputeFullAssessment(b *testing.B) {
	cat := catalog.Builtin()
	var items []Item
	for i, ci := range cat.Items {
		it := item(ci.Ref, Score(i%6), i%2 == 0)
		items = append(items, it)
	}
	a := Assessment{TargetScore: 4}
	b.ReportAllocs()
	for b.Loop() {
		Compute(cat, a, items)
	}
}

// StatusOf gives one item the status Compute gives it among all the others,
// whatever its score, applicability, evidence and the assessment's target.
func TestStatusOfMatchesCompute(t *testing.T) {
	cat := catalog.Builtin()
	for target := 0; target <= 5; target++ {
		a := Assessment{TargetScore: target}
		items := make([]Item, len(cat.Items))
		for i, ci := range cat.Items {
			it := Item{Ref: ci.Ref, Applicable: (i+target)%7 != 0, Score: Score((i*7 + target) % 6)}
			if i%3 == 0 {
				it.Evidence = []Evidence{{Kind: EvidenceText, Text: "x"}}
			}
			items[i] = it
		}
		r := Compute(cat, a, items)
		for i, ci := range cat.Items {
			if got := StatusOf(ci, a, items[i]); got != r.Items[i] {
				t.Fatalf("target %d, %s: StatusOf %+v, Compute %+v", target, ci.Ref, got, r.Items[i])
			}
		}
	}
}
