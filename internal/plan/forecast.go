package plan

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// Phase is a stage of the road to certification.
type Phase string

const (
	PhaseQuickWins   Phase = "Quick wins"
	PhaseFoundations Phase = "Foundations"
	PhaseOperate     Phase = "Operate the ISMS"
	PhaseAudit       Phase = "Audit"
)

// Phases lists the phases in order.
var Phases = []Phase{PhaseQuickWins, PhaseFoundations, PhaseOperate, PhaseAudit}

// Index is the phase's position in Phases.
func (p Phase) Index() int { return slices.Index(Phases, p) }

// Effort sources.
const (
	EffortCatalog  = "catalog"
	EffortOverride = "override"
)

// Action is the remediation of one item below its target: who does it, how
// much work it is and when it is planned.
type Action struct {
	Ref        string          `json:"ref"`
	Kind       string          `json:"kind"`
	Title      string          `json:"title"`
	Section    string          `json:"section"`
	Owner      string          `json:"owner"`
	Department string          `json:"department"`
	Priority   assess.Priority `json:"priority"`
	// Resource is whose capacity the action uses: the owner (or the
	// department when the item has no owner, or capacity is by department).
	Resource  string       `json:"resource"`
	Score     assess.Score `json:"score"`
	Effective assess.Score `json:"effective_score"`
	Status    string       `json:"status"`
	Gap       int          `json:"gap"`
	// Effort is the estimate in person-days; EffortSource says whether it
	// comes from the catalog baseline or the item's own override.
	Effort       float64     `json:"effort_days"`
	EffortSource string      `json:"effort_source"`
	Phase        Phase       `json:"phase"`
	Start        assess.Date `json:"start"`
	Finish       assess.Date `json:"finish"`
	TargetDate   assess.Date `json:"target_date"`
	// Late: the planned finish is after the item's target date.
	Late   bool   `json:"late"`
	Action string `json:"action"`
}

// Resource is one owner's or department's share of the work.
type Resource struct {
	Name     string      `json:"name"`
	Capacity float64     `json:"capacity_days_per_week"`
	Effort   float64     `json:"effort_days"`
	Actions  int         `json:"actions"`
	Finish   assess.Date `json:"finish"`
}

// Step is a dated stage after remediation, or a phase's span.
type Step struct {
	Name   string      `json:"name"`
	Phase  Phase       `json:"phase"`
	Start  assess.Date `json:"start"`
	Finish assess.Date `json:"finish"`
}

// Dates are the planned certification date (every action taking exactly
// its estimate) and the P50/P90 dates of the Monte Carlo runs.
type Dates struct {
	Planned assess.Date `json:"planned"`
	P50     assess.Date `json:"p50"`
	P90     assess.Date `json:"p90"`
}

// Cost is one line of the budget.
type Cost struct {
	Name   string  `json:"name"`
	Amount float64 `json:"amount"`
}

// Budget is internal time at the day rate plus external costs.
type Budget struct {
	Currency string  `json:"currency"`
	DayRate  float64 `json:"day_rate"`
	// RemediationDays and OperatingDays add up to InternalDays (planned).
	RemediationDays float64 `json:"remediation_days"`
	OperatingDays   float64 `json:"operating_days"`
	InternalDays    float64 `json:"internal_days"`
	Internal        float64 `json:"internal_cost"`
	External        []Cost  `json:"external"`
	ExternalTotal   float64 `json:"external_total"`
	// Total is the planned total; P50 and P90 come from the runs.
	Total float64 `json:"total"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
}

// Forecast is the road to certification of one assessment.
type Forecast struct {
	Assumptions Assumptions `json:"assumptions"`
	// SizeFactor is the factor in force (set, or from the employees).
	SizeFactor float64     `json:"size_factor"`
	Employees  int         `json:"employees"`
	Target     int         `json:"target"`
	Start      assess.Date `json:"start"`
	// Actions are in planned order: by start date, then resource.
	Actions   []Action   `json:"actions"`
	Resources []Resource `json:"resources"`
	// Phases are the spans of the four phases; Steps the dated stages
	// after remediation (operating period, internal audit … certificate).
	Phases          []Step      `json:"phases"`
	Steps           []Step      `json:"steps"`
	RemediationDone assess.Date `json:"remediation_done"`
	Certification   Dates       `json:"certification"`
	Budget          Budget      `json:"budget"`
	// Late counts actions planned to finish after their target date;
	// Unassessed counts actions for items without a score, planned as
	// "Not Started".
	Late       int `json:"late"`
	Unassessed int `json:"unassessed"`
	QuickWins  int `json:"quick_wins"`
}

// weeksToDays turns a duration in weeks into whole calendar days.
func weeksToDays(w float64) int { return int(math.Round(w * 7)) }

// Effort is the estimate, in person-days, to bring an item from its
// effective score to the target: the catalog's baseline (the whole way from
// 1 to 5) × the share of that way still to go (gap / 4) × the size factor;
// or the item's own override when it has one. Items at target need nothing.
func Effort(ci catalog.Item, it assess.Item, gap int, sizeFactor float64) (float64, string) {
	if gap <= 0 {
		return 0, ""
	}
	if it.EffortDays != nil {
		return *it.EffortDays, EffortOverride
	}
	return ci.EffortDays * float64(gap) / 4 * sizeFactor, EffortCatalog
}

// Compute builds the forecast: every applicable item below target becomes an
// action; each owner (or department) works through their actions one after
// the other at their capacity — quick wins first, then by priority, clause
// requirements before controls, earliest target date, catalog order. When
// all remediation is done the ISMS operates (records, internal audit,
// management review), then come Stage 1, the interval, Stage 2 and the
// certificate. The P50/P90 dates and budgets come from a seeded Monte Carlo
// over each action's effort; the same inputs always give the same output.
//
// The model is monotone by construction: an item's effort never grows when
// its score rises, the remediation end is the busiest resource's total work
// over its capacity (whatever the order), and each run draws an item's
// uncertainty from (seed, ref, run) alone, so raising a score or adding
// capacity never makes any run — and so no percentile — later or dearer.
func Compute(cat *catalog.Catalog, a assess.Assessment, items []assess.Item, asm Assumptions) Forecast {
	res := assess.Compute(cat, a, items)
	byRef := make(map[string]assess.Item, len(items))
	for _, it := range items {
		byRef[it.Ref] = it
	}
	size := asm.SizeFactor
	if size == 0 {
		size = SizeFactor(a.Employees)
	}
	f := Forecast{Assumptions: asm, SizeFactor: size, Employees: a.Employees, Target: res.Target, Start: asm.Start}

	for _, is := range res.Items {
		if !is.Applicable || !is.BelowTarget {
			continue
		}
		ci, _ := cat.Item(is.Ref)
		it, ok := byRef[is.Ref]
		if !ok {
			it = assess.Item{Ref: is.Ref, Applicable: true}
		}
		effort, source := Effort(ci, it, is.Gap, size)
		dept := it.Department
		if dept == "" {
			dept = ci.Department
		}
		resource := dept
		if asm.CapacityBy != ByDepartment && strings.TrimSpace(it.Owner) != "" {
			resource = strings.TrimSpace(it.Owner)
		}
		act := Action{Ref: is.Ref, Kind: ci.Kind, Title: ci.Title, Section: ci.Section, Owner: it.Owner, Department: dept,
			Priority: it.Priority, Resource: resource, Score: it.Score, Effective: is.Effective, Status: is.Status, Gap: is.Gap,
			Effort: effort, EffortSource: source, Phase: PhaseFoundations, TargetDate: it.TargetDate, Action: it.Action}
		if effort <= asm.QuickWinDays {
			act.Phase = PhaseQuickWins
			f.QuickWins++
		}
		if !it.Score.Assessed() {
			f.Unassessed++
		}
		f.Actions = append(f.Actions, act)
	}
	// Sums run in catalog order, so they do not move with the schedule.
	inCatalogOrder := slices.Clone(f.Actions)
	remediationDays := 0.0
	for _, act := range inCatalogOrder {
		remediationDays += act.Effort
	}

	// Each resource's queue, in the order its actions are done.
	slices.SortStableFunc(f.Actions, func(x, y Action) int {
		if c := cmp.Compare(x.Resource, y.Resource); c != 0 {
			return c
		}
		return queueOrder(x, y)
	})
	resIndex := map[string]int{}
	for i := range f.Actions {
		act := &f.Actions[i]
		ri, ok := resIndex[act.Resource]
		if !ok {
			ri = len(f.Resources)
			resIndex[act.Resource] = ri
			f.Resources = append(f.Resources, Resource{Name: act.Resource, Capacity: asm.CapacityOf(act.Resource)})
		}
		r := &f.Resources[ri]
		startDays := r.Effort / r.Capacity * 7
		r.Effort += act.Effort
		r.Actions++
		finishDays := r.Effort / r.Capacity * 7
		act.Start = asm.Start.AddDays(int(math.Floor(startDays)))
		act.Finish = asm.Start.AddDays(int(math.Ceil(finishDays)))
		if !act.TargetDate.IsZero() && act.TargetDate.Before(act.Finish) {
			act.Late = true
			f.Late++
		}
	}
	remDays := 0
	for i := range f.Resources {
		r := &f.Resources[i]
		d := int(math.Ceil(r.Effort / r.Capacity * 7))
		r.Finish = asm.Start.AddDays(d)
		remDays = max(remDays, d)
	}
	slices.SortStableFunc(f.Actions, func(x, y Action) int {
		if c := cmp.Compare(x.Start.Time().Unix(), y.Start.Time().Unix()); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Resource, y.Resource); c != 0 {
			return c
		}
		return catalog.CompareRefs(x.Ref, y.Ref)
	})

	f.RemediationDone = asm.Start.AddDays(remDays)
	f.Steps = steps(asm, f.RemediationDone)
	f.Certification.Planned = f.Steps[len(f.Steps)-1].Finish
	f.Phases = phases(f)

	// Budget.
	b := Budget{Currency: asm.Currency, DayRate: asm.DayRate, RemediationDays: remediationDays}
	b.OperatingDays = asm.RecordsDaysPerWeek*asm.OperateWeeks + asm.InternalAuditDays + asm.ManagementReviewDays
	b.InternalDays = b.RemediationDays + b.OperatingDays
	b.Internal = b.InternalDays * asm.DayRate
	b.External = []Cost{
		{"Certification body", asm.CertificationBody},
		{"Consultants", asm.Consultants},
		{"Tools", asm.Tools},
	}
	for _, c := range b.External {
		b.ExternalTotal += c.Amount
	}
	b.Total = b.Internal + b.ExternalTotal
	f.Budget = b

	// Monte Carlo.
	afterDays := afterRemediationDays(asm)
	p50d, p90d, p50w, p90w := simulate(inCatalogOrder, f.Resources, resIndex, asm)
	f.Certification.P50 = asm.Start.AddDays(p50d + afterDays)
	f.Certification.P90 = asm.Start.AddDays(p90d + afterDays)
	f.Budget.P50 = (p50w+b.OperatingDays)*asm.DayRate + b.ExternalTotal
	f.Budget.P90 = (p90w+b.OperatingDays)*asm.DayRate + b.ExternalTotal
	return f
}

// queueOrder is the order of one resource's actions.
func queueOrder(x, y Action) int {
	if c := cmp.Compare(x.Phase.Index(), y.Phase.Index()); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Priority.Rank(), y.Priority.Rank()); c != 0 {
		return c
	}
	if c := cmp.Compare(kindRank(x.Kind), kindRank(y.Kind)); c != 0 {
		return c
	}
	if c := compareDates(x.TargetDate, y.TargetDate); c != 0 {
		return c
	}
	return catalog.CompareRefs(x.Ref, y.Ref)
}

func kindRank(kind string) int {
	if kind == catalog.KindClause {
		return 0
	}
	return 1
}

// compareDates orders dates with "no date" last.
func compareDates(a, b assess.Date) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Time().Compare(b.Time())
}

func afterRemediationDays(asm Assumptions) int {
	n := 0
	for _, w := range []float64{asm.OperateWeeks, asm.InternalAuditWeeks, asm.ManagementReviewWeeks, asm.Stage1Weeks,
		asm.IntervalWeeks, asm.Stage2Weeks, asm.CertificateWeeks} {
		n += weeksToDays(w)
	}
	return n
}

// steps dates what follows remediation.
func steps(asm Assumptions, from assess.Date) []Step {
	list := []struct {
		name  string
		phase Phase
		weeks float64
	}{
		{"ISMS operating period (records)", PhaseOperate, asm.OperateWeeks},
		{"Internal audit (9.2)", PhaseOperate, asm.InternalAuditWeeks},
		{"Management review (9.3)", PhaseOperate, asm.ManagementReviewWeeks},
		{"Stage 1 audit", PhaseAudit, asm.Stage1Weeks},
		{"Interval to Stage 2", PhaseAudit, asm.IntervalWeeks},
		{"Stage 2 audit", PhaseAudit, asm.Stage2Weeks},
		{"Certificate issued", PhaseAudit, asm.CertificateWeeks},
	}
	out := make([]Step, len(list))
	at := from
	for i, s := range list {
		end := at.AddDays(weeksToDays(s.weeks))
		out[i] = Step{Name: s.name, Phase: s.phase, Start: at, Finish: end}
		at = end
	}
	return out
}

// phases spans the four phases.
func phases(f Forecast) []Step {
	var out []Step
	for _, ph := range []Phase{PhaseQuickWins, PhaseFoundations} {
		var s Step
		for _, act := range f.Actions {
			if act.Phase != ph {
				continue
			}
			if s.Name == "" || act.Start.Before(s.Start) {
				s.Start = act.Start
			}
			if s.Name == "" || s.Finish.Before(act.Finish) {
				s.Finish = act.Finish
			}
			s.Name, s.Phase = string(ph), ph
		}
		if s.Name != "" {
			out = append(out, s)
		}
	}
	for _, ph := range []Phase{PhaseOperate, PhaseAudit} {
		s := Step{Name: string(ph), Phase: ph}
		for _, st := range f.Steps {
			if st.Phase != ph {
				continue
			}
			if s.Start.IsZero() {
				s.Start = st.Start
			}
			s.Finish = st.Finish
		}
		out = append(out, s)
	}
	return out
}

// simulate runs the Monte Carlo: in each run every action's effort is its
// estimate times a factor from the triangular distribution (low, 1, high),
// drawn from (seed, ref, run) so that an action's draws do not depend on
// which other actions exist. It returns the P50 and P90 remediation days
// and remediation person-days.
func simulate(actions []Action, resources []Resource, resIndex map[string]int, asm Assumptions) (p50d, p90d int, p50w, p90w float64) {
	runs := max(1, asm.Runs)
	days := make([]int, runs)
	work := make([]float64, runs)
	load := make([]float64, len(resources))
	refHash := make([]uint64, len(actions))
	resOf := make([]int, len(actions))
	for i, act := range actions {
		h := fnv.New64a()
		h.Write([]byte(act.Ref))
		refHash[i] = h.Sum64()
		resOf[i] = resIndex[act.Resource]
	}
	for run := 0; run < runs; run++ {
		clear(load)
		total := 0.0
		for i, act := range actions {
			e := act.Effort * triangular(unit(asm.Seed, refHash[i], run), asm.EffortLow, asm.EffortHigh)
			load[resOf[i]] += e
			total += e
		}
		d := 0
		for r, l := range load {
			d = max(d, int(math.Ceil(l/resources[r].Capacity*7)))
		}
		days[run], work[run] = d, total
	}
	slices.Sort(days)
	slices.Sort(work)
	return days[rank(runs, 0.5)], days[rank(runs, 0.9)], work[rank(runs, 0.5)], work[rank(runs, 0.9)]
}

// rank is the nearest-rank index of the p-th quantile of n sorted values.
func rank(n int, p float64) int { return max(0, int(math.Ceil(p*float64(n)))-1) }

// unit is a uniform number in (0, 1) from a seed, an item and a run.
func unit(seed, ref uint64, run int) float64 {
	x := splitmix(seed ^ splitmix(ref^splitmix(uint64(run)+0x632be59bd9b4e019)))
	return (float64(x>>11) + 0.5) / (1 << 53)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// triangular maps a uniform u to the triangular distribution (lo, 1, hi).
func triangular(u, lo, hi float64) float64 {
	if hi <= lo {
		return 1
	}
	c := (1 - lo) / (hi - lo)
	if u < c {
		return lo + math.Sqrt(u*(hi-lo)*(1-lo))
	}
	return hi - math.Sqrt((1-u)*(hi-lo)*(hi-1))
}
