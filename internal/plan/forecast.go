package plan

import (
	"cmp"
	"fmt"
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
	// Audit is the certification body's time and fee; Cycle the cost of the
	// whole three-year certificate; CriticalPath why the date is what it is
	// (nil when there is nothing to remediate).
	Audit        Audit         `json:"audit"`
	Cycle        Cycle         `json:"cycle"`
	CriticalPath *CriticalPath `json:"critical_path,omitempty"`
}

// Audit sources.
const (
	AuditFromTable = "table"
	AuditSet       = "set"
)

// Audit is the certification body's audit time (auditor-days) through the
// certificate's three years, and its fee for the initial audit.
type Audit struct {
	Persons int `json:"persons"`
	// Band is the headcount band of the table ("86–125"); TableDays its days.
	Band      string  `json:"band"`
	TableDays float64 `json:"table_days"`
	// InitialDays (Stage 1 + Stage 2) are the table's, or set (DaysSource).
	InitialDays         float64 `json:"initial_days"`
	DaysSource          string  `json:"days_source"`
	Stage1Days          float64 `json:"stage1_days"`
	Stage2Days          float64 `json:"stage2_days"`
	SurveillanceDays    float64 `json:"surveillance_days"`
	RecertificationDays float64 `json:"recertification_days"`
	DayRate             float64 `json:"day_rate"`
	// Fee is the initial audit's fee: days × rate, or set (FeeSource).
	Fee       float64 `json:"fee"`
	FeeSource string  `json:"fee_source"`
}

// CycleYear is one year of the certificate's cycle: the certification
// body's audit and the internal time to run the ISMS (and, in year one,
// to remediate and get certified).
type CycleYear struct {
	Name         string  `json:"name"`
	AuditDays    float64 `json:"audit_days"`
	AuditFee     float64 `json:"audit_fee"`
	InternalDays float64 `json:"internal_days"`
	Internal     float64 `json:"internal_cost"`
	Other        float64 `json:"other_cost"`
	Total        float64 `json:"total"`
}

// Cycle is the cost of the whole certificate: year one (the budget), the
// surveillance years 2 and 3 and the recertification audit in year 4.
// P50 and P90 differ from Total only by year one's uncertainty.
type Cycle struct {
	Years []CycleYear `json:"years"`
	// RunningDays is the internal time to run the ISMS in a year once
	// certified: records, internal audit, management review, risk review.
	RunningDays float64 `json:"running_days_per_year"`
	Total       float64 `json:"total"`
	P50         float64 `json:"p50"`
	P90         float64 `json:"p90"`
}

// CriticalPath explains the date: the owner's (or department's) queue that
// ends last sets when remediation is done, and so the certificate date.
type CriticalPath struct {
	Resource string      `json:"resource"`
	Capacity float64     `json:"capacity_days_per_week"`
	Effort   float64     `json:"effort_days"`
	Finish   assess.Date `json:"finish"`
	// Refs are the queue's actions in the order they are done.
	Refs []string `json:"refs"`
	// Next is the queue that ends after it (empty when it is the only one).
	Next       string      `json:"next,omitempty"`
	NextFinish assess.Date `json:"next_finish,omitempty"`
	// WhatIf: the same forecast with WhatIfCapacity for this resource
	// (one day a week more, at most 7).
	WhatIfCapacity float64     `json:"what_if_capacity_days_per_week"`
	WhatIfPlanned  assess.Date `json:"what_if_planned"`
	WhatIfP50      assess.Date `json:"what_if_p50"`
	// DaysSaved is how much earlier the P50 certificate comes.
	DaysSaved int `json:"what_if_days_saved"`
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
	f.Audit = auditOf(a.Employees, asm)
	sched := withStageWeeks(asm, f.Audit)

	for _, is := range res.Items {
		if !is.Applicable || !is.BelowTarget {
			continue
		}
		ci, _ := cat.Item(is.Ref)
		it, ok := byRef[is.Ref]
		if !ok {
			it = assess.Item{Ref: is.Ref, Applicable: true}
		}
		effort, source := Effort(ci, it, is.Gap, size*asm.EffortFactor)
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
	queues := map[string][]string{}
	for _, act := range f.Actions {
		queues[act.Resource] = append(queues[act.Resource], act.Ref)
	}
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
	f.Steps = steps(sched, f.RemediationDone)
	f.Certification.Planned = f.Steps[len(f.Steps)-1].Finish
	f.Phases = phases(f)

	// Budget.
	b := Budget{Currency: asm.Currency, DayRate: asm.DayRate, RemediationDays: remediationDays}
	b.OperatingDays = asm.RecordsDaysPerWeek*asm.OperateWeeks + asm.InternalAuditDays + asm.ManagementReviewDays
	b.InternalDays = b.RemediationDays + b.OperatingDays
	b.Internal = b.InternalDays * asm.DayRate
	b.External = []Cost{
		{"Certification body", f.Audit.Fee},
		{"Consultants", asm.Consultants},
		{"Tools", asm.Tools},
	}
	for _, c := range b.External {
		b.ExternalTotal += c.Amount
	}
	b.Total = b.Internal + b.ExternalTotal
	f.Budget = b

	// Monte Carlo.
	afterDays := afterRemediationDays(sched)
	p50d, p90d, p50w, p90w := simulate(inCatalogOrder, f.Resources, resIndex, asm)
	f.Certification.P50 = asm.Start.AddDays(p50d + afterDays)
	f.Certification.P90 = asm.Start.AddDays(p90d + afterDays)
	f.Budget.P50 = (p50w+b.OperatingDays)*asm.DayRate + b.ExternalTotal
	f.Budget.P90 = (p90w+b.OperatingDays)*asm.DayRate + b.ExternalTotal
	f.Cycle = cycle(f.Budget, f.Audit, asm)
	f.CriticalPath = criticalPath(f, queues, inCatalogOrder, resIndex, remDays, afterDays)
	return f
}

// auditOf resolves the certification body's audit time and fee.
func auditOf(employees int, asm Assumptions) Audit {
	t := AuditTime()
	au := Audit{Persons: employees, DaysSource: AuditFromTable, DayRate: asm.AuditDayRate, FeeSource: AuditFromTable}
	au.TableDays, au.Band = t.InitialDays(employees)
	au.InitialDays = au.TableDays
	if asm.AuditDays > 0 {
		au.InitialDays, au.DaysSource = asm.AuditDays, AuditSet
	}
	au.Stage1Days, au.Stage2Days = t.StageDays(au.InitialDays)
	au.SurveillanceDays = t.SurveillanceDays(au.InitialDays)
	au.RecertificationDays = t.RecertificationDays(au.InitialDays)
	au.Fee = au.InitialDays * asm.AuditDayRate
	if asm.CertificationBody > 0 {
		au.Fee, au.FeeSource = asm.CertificationBody, AuditSet
	}
	return au
}

// auditorDaysPerWeek turns auditor-days into calendar weeks: one auditor,
// five days a week, whole weeks.
const auditorDaysPerWeek = 5

// withStageWeeks fills the stage lengths left to isogap from the audit days.
func withStageWeeks(asm Assumptions, au Audit) Assumptions {
	if asm.Stage1Weeks == 0 {
		asm.Stage1Weeks = math.Ceil(au.Stage1Days / auditorDaysPerWeek)
	}
	if asm.Stage2Weeks == 0 {
		asm.Stage2Weeks = math.Ceil(au.Stage2Days / auditorDaysPerWeek)
	}
	return asm
}

// workingWeeks is the weeks a year in which the ISMS keeps its records.
const workingWeeks = 46

// cycle is the cost of the certificate's three years and its renewal. The
// years after the first are certain: only year one carries the forecast's
// uncertainty.
func cycle(b Budget, au Audit, asm Assumptions) Cycle {
	c := Cycle{RunningDays: asm.RecordsDaysPerWeek*workingWeeks + asm.InternalAuditDays + asm.ManagementReviewDays + asm.RiskReviewDays}
	c.Years = append(c.Years, CycleYear{Name: "Year 1: remediation and certification", AuditDays: au.InitialDays, AuditFee: au.Fee,
		InternalDays: b.InternalDays, Internal: b.Internal, Other: b.ExternalTotal - au.Fee, Total: b.Total})
	later := 0.0
	for _, y := range []struct {
		name    string
		days    float64
		running bool
	}{
		{"Year 2: surveillance audit", au.SurveillanceDays, true},
		{"Year 3: surveillance audit", au.SurveillanceDays, true},
		{"Year 4: recertification audit", au.RecertificationDays, false},
	} {
		cy := CycleYear{Name: y.name, AuditDays: y.days, AuditFee: y.days * au.DayRate}
		if au.FeeSource == AuditSet && au.InitialDays > 0 {
			// A fee set by hand scales with the days, as the body would quote.
			cy.AuditFee = au.Fee * y.days / au.InitialDays
		}
		if y.running {
			cy.InternalDays = c.RunningDays
			cy.Internal = c.RunningDays * asm.DayRate
		}
		cy.Total = cy.AuditFee + cy.Internal
		later += cy.Total
		c.Years = append(c.Years, cy)
	}
	c.Total = b.Total + later
	c.P50 = b.P50 + later
	c.P90 = b.P90 + later
	return c
}

// criticalPath finds the queue that ends last and what one more day a week
// for its owner would change.
func criticalPath(f Forecast, queues map[string][]string, actions []Action, resIndex map[string]int, remDays, afterDays int) *CriticalPath {
	if len(f.Resources) == 0 {
		return nil
	}
	asm := f.Assumptions
	finishDays := func(r Resource) float64 { return r.Effort / r.Capacity * 7 }
	order := slices.Clone(f.Resources)
	slices.SortStableFunc(order, func(x, y Resource) int {
		if c := cmp.Compare(finishDays(y), finishDays(x)); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
	last := order[0]
	cp := &CriticalPath{Resource: last.Name, Capacity: last.Capacity, Effort: last.Effort, Finish: last.Finish, Refs: queues[last.Name]}
	if len(order) > 1 {
		cp.Next, cp.NextFinish = order[1].Name, order[1].Finish
	}
	cp.WhatIfCapacity = min(7, last.Capacity+1)
	more := slices.Clone(f.Resources)
	more[resIndex[last.Name]].Capacity = cp.WhatIfCapacity
	rem := 0
	for _, r := range more {
		rem = max(rem, int(math.Ceil(finishDays(r))))
	}
	cp.WhatIfPlanned = f.Certification.Planned.AddDays(rem - remDays)
	p50d, _, _, _ := simulate(actions, more, resIndex, asm)
	cp.WhatIfP50 = asm.Start.AddDays(p50d + afterDays)
	cp.DaysSaved = int(f.Certification.P50.Time().Sub(cp.WhatIfP50.Time()).Hours() / 24)
	return cp
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

// Explain says in a few sentences why the certificate date is what it is:
// whose queue ends last, what is on it, and what one more day a week for
// that owner would change. The web page, the command line and the report
// print the same sentences.
func (f Forecast) Explain() []string {
	cp := f.CriticalPath
	if cp == nil {
		return []string{"Nothing is below its target: the date is set by the ISMS operating period and the audits alone."}
	}
	out := []string{fmt.Sprintf("%s's queue ends last: %s person-days at %s days a week, done on %s; the operating period and the audits follow it.",
		cp.Resource, num(math.Round(cp.Effort*10)/10), num(cp.Capacity), cp.Finish)}
	out = append(out, fmt.Sprintf("On it, in order (%d): %s.", len(cp.Refs), strings.Join(cp.Refs, ", ")))
	if cp.Next != "" {
		out = append(out, fmt.Sprintf("The next queue to end is %s's, on %s.", cp.Next, cp.NextFinish))
	}
	switch {
	case cp.WhatIfCapacity <= cp.Capacity:
		out = append(out, fmt.Sprintf("%s already gives 7 days a week: only moving actions to others or lowering their effort brings the date forward.", cp.Resource))
	case cp.DaysSaved > 0:
		out = append(out, fmt.Sprintf("What if %s gave %s days a week: the certificate at P50 on %s instead of %s, %d days earlier (capacity.%s=%s).",
			cp.Resource, num(cp.WhatIfCapacity), cp.WhatIfP50, f.Certification.P50, cp.DaysSaved, cp.Resource, num(cp.WhatIfCapacity)))
	default:
		out = append(out, fmt.Sprintf("What if %s gave %s days a week: the certificate at P50 stays on %s; another queue ends as late.",
			cp.Resource, num(cp.WhatIfCapacity), f.Certification.P50))
	}
	return out
}
