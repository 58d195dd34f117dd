package plan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

var start = assess.NewDate(2027, 1, 4)

// generate builds a random assessment: scores (some unassessed, some 5s
// without evidence), exclusions, owners, priorities, target dates and
// effort overrides, a random size and random assumptions.
func generate(rng *rand.Rand) (assess.Assessment, []assess.Item, Assumptions) {
	cat := catalog.Builtin()
	owners := []string{"", "Ann", "Bo", "Cy", "Di"}
	a := assess.Assessment{ID: "gen", TargetScore: 3 + rng.IntN(3), Employees: []int{0, 8, 45, 120, 900, 6000}[rng.IntN(6)]}
	var items []assess.Item
	for _, ci := range cat.Items {
		it := assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department}
		if ci.IsControl() && rng.IntN(15) == 0 {
			it.Applicable, it.Justification = false, "not in scope"
		}
		it.Score = assess.Score(rng.IntN(6))
		if rng.IntN(2) == 0 {
			it.Evidence = []assess.Evidence{{Kind: assess.EvidenceText, Text: "x"}}
		}
		it.Owner = owners[rng.IntN(len(owners))]
		if rng.IntN(3) > 0 {
			it.Priority = assess.Priorities[rng.IntN(4)]
		}
		if rng.IntN(3) == 0 {
			it.TargetDate = start.AddDays(rng.IntN(300))
		}
		if rng.IntN(10) == 0 {
			e := float64(rng.IntN(40)) / 2
			it.EffortDays = &e
		}
		items = append(items, it)
	}
	asm := Defaults()
	asm.Start = start
	asm.Runs = 200
	asm.Seed = rng.Uint64()
	asm.Capacity = 0.5 + float64(rng.IntN(6))/2
	if rng.IntN(2) == 0 {
		asm.CapacityBy = ByDepartment
	}
	asm.Capacities = map[string]float64{"Ann": 0.2 + float64(rng.IntN(10))/4}
	asm.QuickWinDays = float64(rng.IntN(5))
	asm.EffortLow, asm.EffortHigh = 0.5+rng.Float64()/2, 1+rng.Float64()*2
	return a, items, asm
}

// notLater checks the forecast g is neither later nor dearer than f.
func notLater(t *testing.T, what string, f, g Forecast) {
	t.Helper()
	dates := []struct {
		name string
		a, b assess.Date
	}{
		{"remediation done", f.RemediationDone, g.RemediationDone},
		{"planned", f.Certification.Planned, g.Certification.Planned},
		{"P50", f.Certification.P50, g.Certification.P50},
		{"P90", f.Certification.P90, g.Certification.P90},
	}
	for _, d := range dates {
		if d.a.Before(d.b) {
			t.Errorf("%s: %s certification date went from %s to %s", what, d.name, d.a, d.b)
		}
	}
	const eps = 1e-6
	for _, m := range []struct {
		name string
		a, b float64
	}{{"planned budget", f.Budget.Total, g.Budget.Total}, {"P50 budget", f.Budget.P50, g.Budget.P50}, {"P90 budget", f.Budget.P90, g.Budget.P90},
		{"three-year cost", f.Cycle.Total, g.Cycle.Total}, {"three-year cost P50", f.Cycle.P50, g.Cycle.P50}, {"three-year cost P90", f.Cycle.P90, g.Cycle.P90}} {
		if m.b > m.a+eps {
			t.Errorf("%s: %s went from %.2f to %.2f", what, m.name, m.a, m.b)
		}
	}
}

// TestRaisingAScoreNeverLaterOrDearer raises scores of random items of many
// generated assessments, one at a time and several at once.
func TestRaisingAScoreNeverLaterOrDearer(t *testing.T) {
	cat := catalog.Builtin()
	rng := rand.New(rand.NewPCG(1, 2))
	cases := 300
	if testing.Short() {
		cases = 40
	}
	changedSome := 0
	for n := 0; n < cases; n++ {
		a, items, asm := generate(rng)
		before := Compute(cat, a, items, asm)
		raised := make([]assess.Item, len(items))
		copy(raised, items)
		k := 1 + rng.IntN(5)
		var what []string
		for j := 0; j < k; j++ {
			i := rng.IntN(len(raised))
			if raised[i].Score == 5 {
				continue
			}
			s := raised[i].Score + assess.Score(1+rng.IntN(int(5-raised[i].Score)))
			what = append(what, fmt.Sprintf("%s %d→%d", raised[i].Ref, raised[i].Score, s))
			raised[i].Score = s
		}
		after := Compute(cat, a, raised, asm)
		if after.Budget.Total < before.Budget.Total {
			changedSome++
		}
		notLater(t, fmt.Sprintf("case %d (%s)", n, strings.Join(what, ", ")), before, after)
	}
	if changedSome < cases/3 {
		t.Errorf("only %d of %d raises lowered the budget: the generator hardly exercises the property", changedSome, cases)
	}
}

func TestMoreCapacityNeverLater(t *testing.T) {
	cat := catalog.Builtin()
	rng := rand.New(rand.NewPCG(3, 4))
	cases := 200
	if testing.Short() {
		cases = 30
	}
	earlier := 0
	for n := 0; n < cases; n++ {
		a, items, asm := generate(rng)
		before := Compute(cat, a, items, asm)
		more := asm
		more.Capacities = map[string]float64{}
		for k, v := range asm.Capacities {
			more.Capacities[k] = v
		}
		switch rng.IntN(3) {
		case 0:
			more.Capacity += 0.5
		case 1:
			if len(before.Resources) > 0 {
				r := before.Resources[rng.IntN(len(before.Resources))]
				more.Capacities[r.Name] = r.Capacity + 1
			}
		default:
			more.Capacities["Ann"] += 2
		}
		after := Compute(cat, a, items, more)
		if after.Certification.Planned.Before(before.Certification.Planned) {
			earlier++
		}
		notLater(t, fmt.Sprintf("case %d", n), before, after)
		if after.Budget.Total != before.Budget.Total || after.Cycle.Total != before.Cycle.Total {
			t.Errorf("case %d: capacity changed the budget: %.2f → %.2f (three years %.2f → %.2f)", n, before.Budget.Total, after.Budget.Total, before.Cycle.Total, after.Cycle.Total)
		}
	}
	if earlier == 0 {
		t.Error("more capacity never brought a date forward: the generator hardly exercises the property")
	}
}

func TestSameInputsSameOutput(t *testing.T) {
	cat := catalog.Builtin()
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 20; n++ {
		a, items, asm := generate(rng)
		f1 := Compute(cat, a, items, asm)
		// Item order must not matter either.
		shuffled := make([]assess.Item, len(items))
		copy(shuffled, items)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		f2 := Compute(cat, a, shuffled, asm)
		if !reflect.DeepEqual(f1, f2) {
			t.Fatalf("case %d: two forecasts of the same inputs differ", n)
		}
		other := asm
		other.Seed++
		if f3 := Compute(cat, a, items, other); len(f1.Actions) > 10 && reflect.DeepEqual(f1.Budget, f3.Budget) {
			t.Errorf("case %d: another seed gave the very same budget percentiles; is the seed used?", n)
		}
	}
}

// TestWorkedExample checks the model by hand on a small case.
func TestWorkedExample(t *testing.T) {
	cat := catalog.Builtin()
	a := assess.Assessment{TargetScore: 4, Employees: 50} // size factor 1
	var items []assess.Item
	for _, ci := range cat.Items {
		items = append(items, assess.Item{Ref: ci.Ref, Applicable: true, Score: 4, Department: ci.Department})
	}
	set := func(ref string, fn func(*assess.Item)) {
		for i := range items {
			if items[i].Ref == ref {
				fn(&items[i])
			}
		}
	}
	ci41, _ := cat.Item("4.1")
	ci515, _ := cat.Item("A.5.15")
	set("4.1", func(it *assess.Item) { it.Score, it.Owner, it.Priority = 2, "Ann", assess.PriorityHigh })
	set("A.5.15", func(it *assess.Item) { it.Score, it.Owner = 0, "Ann" }) // unassessed: planned as 1
	override := 3.0
	set("A.8.8", func(it *assess.Item) {
		it.Score, it.Owner, it.EffortDays, it.TargetDate = 3, "Bo", &override, start.AddDays(7)
	})
	asm := Defaults()
	asm.Start = start
	asm.QuickWinDays = 0
	asm.Capacity = 1
	asm.Capacities = map[string]float64{"Bo": 0.5}
	f := Compute(cat, a, items, asm)
	if len(f.Actions) != 3 || f.Unassessed != 1 {
		t.Fatalf("%d actions (%d unassessed), want 3 (1)", len(f.Actions), f.Unassessed)
	}
	byRef := map[string]Action{}
	for _, act := range f.Actions {
		byRef[act.Ref] = act
	}
	want41 := ci41.EffortDays * 2 / 4 * asm.EffortFactor
	want515 := ci515.EffortDays * 3 / 4 * asm.EffortFactor
	if got := byRef["4.1"].Effort; got != want41 {
		t.Errorf("4.1 effort %v, want baseline × 2/4 = %v", got, want41)
	}
	if got := byRef["A.5.15"].Effort; got != want515 {
		t.Errorf("A.5.15 effort %v, want baseline × 3/4 = %v", got, want515)
	}
	if act := byRef["A.8.8"]; act.Effort != 3 || act.EffortSource != EffortOverride {
		t.Errorf("A.8.8: %v from %s, want the override 3", act.Effort, act.EffortSource)
	}
	// Ann does 4.1 first (High priority), then A.5.15, at 1 day a week.
	ann := want41 + want515
	if act := byRef["4.1"]; act.Start != start || act.Finish != start.AddDays(ceil(want41*7)) {
		t.Errorf("4.1 planned %s – %s", act.Start, act.Finish)
	}
	if act := byRef["A.5.15"]; act.Finish != start.AddDays(ceil(ann*7)) {
		t.Errorf("A.5.15 finishes %s, want %s", act.Finish, start.AddDays(ceil(ann*7)))
	}
	// Bo: 3 days at half a day a week = 6 weeks, after the target date a week in.
	if act := byRef["A.8.8"]; act.Finish != start.AddDays(42) || !act.Late || f.Late != 1 {
		t.Errorf("A.8.8 finishes %s late=%v (late count %d), want %s and late", act.Finish, act.Late, f.Late, start.AddDays(42))
	}
	remDays := max(ceil(ann*7), 42)
	if f.RemediationDone != start.AddDays(remDays) {
		t.Errorf("remediation done %s, want %s", f.RemediationDone, start.AddDays(remDays))
	}
	// 50 people: 10 audit days, Stage 1 3 days (one week), Stage 2 7 days (two weeks).
	after := 7 * (10 + 2 + 1 + 1 + 6 + 2 + 4)
	if f.Certification.Planned != start.AddDays(remDays+after) {
		t.Errorf("certified %s, want %s", f.Certification.Planned, start.AddDays(remDays+after))
	}
	if f.Certification.P90.Before(f.Certification.P50) {
		t.Errorf("P90 %s before P50 %s", f.Certification.P90, f.Certification.P50)
	}
	days := want41 + want515 + 3 + 0.5*10 + 5 + 2
	fee := 10 * asm.AuditDayRate
	if f.Budget.InternalDays != days || f.Budget.Total != days*600+fee+3000 {
		t.Errorf("budget %v days, total %v; want %v days, %v", f.Budget.InternalDays, f.Budget.Total, days, days*600+fee+3000)
	}
	if au := f.Audit; au.InitialDays != 10 || au.Band != "46–65" || au.Stage1Days != 3 || au.Stage2Days != 7 || au.Fee != fee || au.SurveillanceDays != 3.5 || au.RecertificationDays != 7 {
		t.Errorf("audit: %+v", au)
	}
	// The cycle: year one is the budget; years 2 and 3 a surveillance audit
	// and a year of running the ISMS; then the recertification audit.
	running := 0.5*46 + 5 + 2 + 3
	wantCycle := f.Budget.Total + 2*(3.5*asm.AuditDayRate+running*600) + 7*asm.AuditDayRate
	if c := f.Cycle; len(c.Years) != 4 || math.Abs(c.Total-wantCycle) > 1e-6 || c.RunningDays != running || math.Abs(c.P50-c.Total-(f.Budget.P50-f.Budget.Total)) > 1e-6 {
		t.Errorf("cycle: %+v, want total %v", c, wantCycle)
	}
	// The critical path: Ann's queue (4.1, A.5.15) or Bo's (A.8.8), whichever ends last.
	cp := f.CriticalPath
	if cp == nil {
		t.Fatal("no critical path")
	}
	wantRes, wantRefs := "Bo", []string{"A.8.8"}
	if ceil(ann*7) > 42 {
		wantRes, wantRefs = "Ann", []string{"4.1", "A.5.15"}
	}
	if cp.Resource != wantRes || !reflect.DeepEqual(cp.Refs, wantRefs) || cp.WhatIfCapacity != asm.CapacityOf(wantRes)+1 {
		t.Errorf("critical path %+v, want %s %v", cp, wantRes, wantRefs)
	}
	if f.Certification.P50.Before(cp.WhatIfP50) || cp.DaysSaved < 0 || f.Certification.Planned.Before(cp.WhatIfPlanned) {
		t.Errorf("one more day a week made it later: %+v", cp)
	}
	if n := len(f.Steps); n != 7 || f.Steps[1].Name != "Internal audit (9.2)" || f.Steps[2].Name != "Management review (9.3)" {
		t.Errorf("steps: %+v", f.Steps)
	}
}

func ceil(f float64) int {
	n := int(f)
	if float64(n) < f {
		n++
	}
	return n
}

func TestSizeFactorCurve(t *testing.T) {
	prev := 0.0
	for _, n := range []int{1, 10, 50, 100, 400, 1000, 5000, 100000} {
		f := SizeFactor(n)
		if f < prev || f < 0.7 || f > 3 {
			t.Errorf("SizeFactor(%d) = %v (after %v)", n, f, prev)
		}
		prev = f
	}
	if SizeFactor(50) != 1 || SizeFactor(0) != 1 || SizeFactor(400) != 2 {
		t.Errorf("SizeFactor(50)=%v SizeFactor(0)=%v SizeFactor(400)=%v, want 1 1 2", SizeFactor(50), SizeFactor(0), SizeFactor(400))
	}
}

func TestAssumptionKeys(t *testing.T) {
	a, err := Apply(Defaults(), map[string]string{"day_rate": "650", "Currency": "gbp", "capacity.Samir Okafor": "2.5",
		"size_factor": "auto", "start": "2027-02-01", "capacity_by": "Department"})
	if err != nil {
		t.Fatal(err)
	}
	if a.DayRate != 650 || a.Currency != "GBP" || a.CapacityOf("Samir Okafor") != 2.5 || a.CapacityOf("Other") != 2 ||
		a.Start != assess.NewDate(2027, 2, 1) || a.CapacityBy != ByDepartment {
		t.Errorf("applied: %+v", a)
	}
	_, err = Apply(Defaults(), map[string]string{"day_rate": "lots", "currency": "euro", "stage1_weeks": "-1", "nope": "1", "capacity.": "1"})
	fe, ok := err.(*assess.FieldErrors)
	if !ok || len(fe.List) != 5 {
		t.Fatalf("bad settings: %v, want 5 problems", err)
	}
	for _, want := range []string{"day_rate", "lots", "currency", "three letters", "stage1_weeks", "out of range", "nope", "unknown assumption"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if _, err := Apply(Defaults(), map[string]string{"effort_low": "1", "effort_high": "1"}); err != nil {
		t.Errorf("a zero-width range is allowed: %v", err)
	}
	// Every key round-trips through its text form.
	d := Defaults()
	for _, s := range d.Settings(nil) {
		var b Assumptions = Defaults()
		if err := b.Set(s.Name, s.Value); err != nil {
			t.Errorf("%s=%q does not parse back: %v", s.Name, s.Value, err)
		}
		if v, _ := b.Get(s.Name); v != s.Value {
			t.Errorf("%s: %q → %q", s.Name, s.Value, v)
		}
	}
}

func FuzzAssumptionSet(f *testing.F) {
	for _, s := range []string{"day_rate=650", "currency=EUR", "capacity.Ann=2", "start=2027-01-01", "seed=18446744073709551615", "runs=0", "size_factor=auto"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, v, _ := strings.Cut(s, "=")
		a := Defaults()
		if err := a.Set(k, v); err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			return
		}
		// Whatever parses must forecast without panicking.
		a.Start = start
		a.Runs = min(a.Runs, 20)
		Compute(catalog.Builtin(), assess.Assessment{TargetScore: 4}, nil, a)
	})
}
