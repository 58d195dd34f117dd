// Package plan turns an assessment's gaps into a road to certification: the
// remediation roadmap, the time-and-cost forecast with its P50/P90 range,
// and the assumptions behind them. It is domain code: standard library,
// the catalog and assess only, no I/O.
package plan

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/assess"
)

// Assumptions are everything the forecast depends on besides the items
// themselves. Each has a key (see Keys) under which it is shown and edited;
// an assessment stores only the keys someone set.
type Assumptions struct {
	// Start is the day remediation starts; zero means "today" (filled by the caller).
	Start assess.Date `json:"start"`
	// CapacityBy says whose capacity limits the work: "owner" or "department".
	CapacityBy string `json:"capacity_by"`
	// Capacity is the days per week each owner (or department) gives to
	// remediation, unless Capacities names them.
	Capacity   float64            `json:"capacity"`
	Capacities map[string]float64 `json:"capacities"`
	// SizeFactor scales the catalog's baseline effort; 0 means "from the
	// number of employees" (see SizeFactor).
	SizeFactor float64 `json:"size_factor"`
	// EffortFactor scales the catalog's baseline effort for every
	// organisation: the calibration against published timelines and costs
	// (docs/forecast.md).
	EffortFactor float64 `json:"effort_factor"`
	// QuickWinDays: an action of at most this many person-days is a quick win.
	QuickWinDays float64 `json:"quick_win_days"`
	// EffortLow and EffortHigh bound the effort uncertainty: each action's
	// real effort is its estimate times a factor drawn from a triangular
	// distribution (EffortLow, 1, EffortHigh).
	EffortLow  float64 `json:"effort_low"`
	EffortHigh float64 `json:"effort_high"`
	Runs       int     `json:"runs"`
	Seed       uint64  `json:"seed"`

	// Durations, in weeks, of what follows remediation. Stage1Weeks and
	// Stage2Weeks of 0 mean "from the audit days" (see StageWeeks).
	OperateWeeks          float64 `json:"operate_weeks"`
	InternalAuditWeeks    float64 `json:"internal_audit_weeks"`
	ManagementReviewWeeks float64 `json:"management_review_weeks"`
	Stage1Weeks           float64 `json:"stage1_weeks"`
	IntervalWeeks         float64 `json:"interval_weeks"`
	Stage2Weeks           float64 `json:"stage2_weeks"`
	CertificateWeeks      float64 `json:"certificate_weeks"`

	// Internal effort of running the ISMS before Stage 1, in person-days.
	RecordsDaysPerWeek   float64 `json:"records_days_per_week"`
	InternalAuditDays    float64 `json:"internal_audit_days"`
	ManagementReviewDays float64 `json:"management_review_days"`
	// RiskReviewDays is the yearly internal time to review the risk
	// assessment and treatment, part of running the ISMS after certification.
	RiskReviewDays float64 `json:"risk_review_days"`

	// AuditDays is the certification body's time for the initial audit
	// (Stage 1 + Stage 2) in auditor-days; 0 means "from the headcount"
	// (see AuditTable). AuditDayRate is the body's price of one auditor-day.
	AuditDays    float64 `json:"audit_days"`
	AuditDayRate float64 `json:"audit_day_rate"`

	// Money.
	DayRate  float64 `json:"day_rate"`
	Currency string  `json:"currency"`
	// CertificationBody is the fee for Stage 1 and Stage 2; 0 means the
	// audit days × the audit day rate.
	CertificationBody float64 `json:"certification_body"`
	Consultants       float64 `json:"consultants"`
	Tools             float64 `json:"tools"`
}

// Capacity modes.
const (
	ByOwner      = "owner"
	ByDepartment = "department"
)

// Defaults are isogap's assumptions for an assessment: a typical small or
// mid-sized company preparing with its own people, two days a week each.
func Defaults() Assumptions {
	return Assumptions{
		CapacityBy: ByOwner, Capacity: 2, Capacities: map[string]float64{},
		EffortFactor: 0.25, QuickWinDays: 0.5, EffortLow: 0.8, EffortHigh: 1.6, Runs: 1000, Seed: 27001,
		OperateWeeks: 10, InternalAuditWeeks: 2, ManagementReviewWeeks: 1,
		IntervalWeeks: 6, CertificateWeeks: 4,
		RecordsDaysPerWeek: 0.5, InternalAuditDays: 5, ManagementReviewDays: 2, RiskReviewDays: 3,
		DayRate: 600, Currency: "EUR", AuditDayRate: 1500, Consultants: 0, Tools: 3000,
	}
}

// SizeFactor is how much more (or less) work an organisation of n people
// needs than the catalog's baseline, which is set for about 50 people.
// Effort grows with the cube root of the headcount — doubling the people
// adds about 26 % — between 0.7 (a handful of people) and 3 (several
// thousand). An unknown size (0) counts as the baseline.
func SizeFactor(employees int) float64 {
	if employees <= 0 {
		return 1
	}
	return min(3, max(0.7, math.Cbrt(float64(employees)/50)))
}

// Key describes one editable assumption.
type Key struct {
	Name        string `json:"key"`
	Group       string `json:"group"`
	Unit        string `json:"unit"`
	Description string `json:"description"`
	get         func(*Assumptions) string
	set         func(*Assumptions, string) error
}

// CapacityPrefix starts the key of one owner's or department's capacity:
// "capacity.Samir Okafor" or "capacity.HR".
const CapacityPrefix = "capacity."

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// parseNum reads a number between lo and hi.
func parseNum(s string, lo, hi float64) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(s, "_", "")), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number")
	}
	if f < lo || f > hi {
		return 0, fmt.Errorf("out of range")
	}
	return f, nil
}

func numKey(name, group, unit, desc string, lo, hi float64, field func(*Assumptions) *float64) Key {
	return Key{Name: name, Group: group, Unit: unit, Description: desc,
		get: func(a *Assumptions) string { return num(*field(a)) },
		set: func(a *Assumptions, s string) error {
			f, err := parseNum(s, lo, hi)
			if err != nil {
				return fmt.Errorf("%w; expected %s from %s to %s", err, unit, num(lo), num(hi))
			}
			*field(a) = f
			return nil
		}}
}

// autoKey is a number that may be "auto" (stored as 0): isogap derives it.
func autoKey(name, group, unit, desc, what string, lo, hi float64, field func(*Assumptions) *float64) Key {
	return Key{Name: name, Group: group, Unit: unit, Description: desc,
		get: func(a *Assumptions) string {
			if *field(a) == 0 {
				return "auto"
			}
			return num(*field(a))
		},
		set: func(a *Assumptions, s string) error {
			if t := strings.ToLower(strings.TrimSpace(s)); t == "auto" || t == "" {
				*field(a) = 0
				return nil
			}
			f, err := parseNum(s, lo, hi)
			if err != nil {
				return fmt.Errorf("%w; expected auto or %s from %s to %s", err, what, num(lo), num(hi))
			}
			*field(a) = f
			return nil
		}}
}

const (
	groupSchedule = "Schedule"
	groupEffort   = "Effort"
	groupISMS     = "ISMS operation and audit"
	groupCost     = "Cost"
	groupModel    = "Model"
)

var keys = []Key{
	{Name: "start", Group: groupSchedule, Unit: "date", Description: "day remediation starts (empty: today)",
		get: func(a *Assumptions) string { return a.Start.String() },
		set: func(a *Assumptions, s string) error {
			d, err := assess.ParseDate(s)
			if err != nil {
				return fmt.Errorf("not a date; expected YYYY-MM-DD, for example 2027-01-04")
			}
			if !d.IsZero() && !assess.DateInRange(d) {
				return fmt.Errorf("out of range; expected a date from %d-01-01 to %d-12-31", assess.MinYear, assess.MaxYear)
			}
			a.Start = d
			return nil
		}},
	{Name: "capacity_by", Group: groupSchedule, Unit: "owner|department", Description: "whose time limits the work: each owner's, or each department's",
		get: func(a *Assumptions) string { return a.CapacityBy },
		set: func(a *Assumptions, s string) error {
			s = strings.ToLower(strings.TrimSpace(s))
			if s != ByOwner && s != ByDepartment {
				return fmt.Errorf("unknown mode; expected owner or department")
			}
			a.CapacityBy = s
			return nil
		}},
	numKey("capacity", groupSchedule, "days/week", "time each owner (or department) gives to remediation, unless capacity.NAME says otherwise", 0.1, 7,
		func(a *Assumptions) *float64 { return &a.Capacity }),
	numKey("quick_win_days", groupEffort, "person-days", "an action of at most this effort is a quick win, done first", 0, 50,
		func(a *Assumptions) *float64 { return &a.QuickWinDays }),
	autoKey("size_factor", groupEffort, "× baseline", "scales the catalog's baseline effort (auto: from the number of employees)", "a factor", 0.1, 10,
		func(a *Assumptions) *float64 { return &a.SizeFactor }),
	numKey("effort_factor", groupEffort, "× baseline", "scales the catalog's baseline effort for every organisation: isogap's calibration against published timelines and costs", 0.05, 10,
		func(a *Assumptions) *float64 { return &a.EffortFactor }),
	numKey("effort_low", groupEffort, "× estimate", "the least an action may take, as a share of its estimate (uncertainty range)", 0.1, 1,
		func(a *Assumptions) *float64 { return &a.EffortLow }),
	numKey("effort_high", groupEffort, "× estimate", "the most an action may take, as a multiple of its estimate (uncertainty range)", 1, 10,
		func(a *Assumptions) *float64 { return &a.EffortHigh }),
	numKey("operate_weeks", groupISMS, "weeks", "the ISMS runs and produces records before the internal audit", 0, 104,
		func(a *Assumptions) *float64 { return &a.OperateWeeks }),
	numKey("internal_audit_weeks", groupISMS, "weeks", "internal audit (ISO/IEC 27001 9.2)", 0, 26,
		func(a *Assumptions) *float64 { return &a.InternalAuditWeeks }),
	numKey("management_review_weeks", groupISMS, "weeks", "management review (9.3) after the internal audit", 0, 26,
		func(a *Assumptions) *float64 { return &a.ManagementReviewWeeks }),
	autoKey("audit_days", groupISMS, "auditor-days", "certification body's time for Stage 1 and Stage 2 together (auto: from the number of employees, by the published audit-time table)", "days", 0.5, 1000,
		func(a *Assumptions) *float64 { return &a.AuditDays }),
	autoKey("stage1_weeks", groupISMS, "weeks", "Stage 1 audit (documentation and readiness review) and its report (auto: its auditor-days, five a week)", "weeks", 0.1, 26,
		func(a *Assumptions) *float64 { return &a.Stage1Weeks }),
	numKey("interval_weeks", groupISMS, "weeks", "time between Stage 1 and Stage 2 to close Stage 1 findings", 0, 52,
		func(a *Assumptions) *float64 { return &a.IntervalWeeks }),
	autoKey("stage2_weeks", groupISMS, "weeks", "Stage 2 audit (certification audit) (auto: its auditor-days, five a week)", "weeks", 0.1, 26,
		func(a *Assumptions) *float64 { return &a.Stage2Weeks }),
	numKey("certificate_weeks", groupISMS, "weeks", "certification body's review until the certificate is issued", 0, 26,
		func(a *Assumptions) *float64 { return &a.CertificateWeeks }),
	numKey("records_days_per_week", groupISMS, "person-days/week", "internal time to run the ISMS and keep its records during the operating period", 0, 7,
		func(a *Assumptions) *float64 { return &a.RecordsDaysPerWeek }),
	numKey("internal_audit_days", groupISMS, "person-days", "internal time for the internal audit (auditor and auditees)", 0, 365,
		func(a *Assumptions) *float64 { return &a.InternalAuditDays }),
	numKey("management_review_days", groupISMS, "person-days", "internal time for the management review", 0, 365,
		func(a *Assumptions) *float64 { return &a.ManagementReviewDays }),
	numKey("risk_review_days", groupISMS, "person-days/year", "internal time each year to review the risks and their treatment, once certified", 0, 365,
		func(a *Assumptions) *float64 { return &a.RiskReviewDays }),
	numKey("day_rate", groupCost, "per person-day", "cost of one internal person-day", 0, 1e6,
		func(a *Assumptions) *float64 { return &a.DayRate }),
	{Name: "currency", Group: groupCost, Unit: "ISO 4217 code", Description: "currency of every amount",
		get: func(a *Assumptions) string { return a.Currency },
		set: func(a *Assumptions, s string) error {
			s = strings.ToUpper(strings.TrimSpace(s))
			if len(s) != 3 || strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
				return fmt.Errorf("not a currency code; expected three letters such as EUR, GBP or USD")
			}
			a.Currency = s
			return nil
		}},
	numKey("audit_day_rate", groupCost, "per auditor-day", "certification body's price of one auditor-day", 0, 1e6,
		func(a *Assumptions) *float64 { return &a.AuditDayRate }),
	autoKey("certification_body", groupCost, "amount", "certification body's fees for Stage 1 and Stage 2 (auto: audit days × audit day rate)", "an amount", 1, 1e9,
		func(a *Assumptions) *float64 { return &a.CertificationBody }),
	numKey("consultants", groupCost, "amount", "external consultants (for example an outsourced internal audit)", 0, 1e9,
		func(a *Assumptions) *float64 { return &a.Consultants }),
	numKey("tools", groupCost, "amount", "tools and services bought for the ISMS", 0, 1e9,
		func(a *Assumptions) *float64 { return &a.Tools }),
	{Name: "runs", Group: groupModel, Unit: "runs", Description: "Monte Carlo runs behind the P50/P90 dates",
		get: func(a *Assumptions) string { return strconv.Itoa(a.Runs) },
		set: func(a *Assumptions, s string) error {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 || n > 100000 {
				return fmt.Errorf("expected a whole number from 1 to 100000")
			}
			a.Runs = n
			return nil
		}},
	{Name: "seed", Group: groupModel, Unit: "number", Description: "seed of the Monte Carlo runs: the same seed gives the same dates",
		get: func(a *Assumptions) string { return strconv.FormatUint(a.Seed, 10) },
		set: func(a *Assumptions, s string) error {
			n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return fmt.Errorf("expected a whole number from 0 to %d", uint64(math.MaxUint64))
			}
			a.Seed = n
			return nil
		}},
}

// Keys lists the editable assumptions in display order (without the
// per-owner capacity keys, which take the form capacity.NAME).
func Keys() []Key { return slices.Clone(keys) }

func findKey(name string) (Key, bool) {
	for _, k := range keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// NormalizeKey returns the canonical form of a key as typed ("Day_Rate" →
// "day_rate"; the name in "capacity.NAME" keeps its case) and whether it is known.
func NormalizeKey(name string) (string, bool) {
	name = strings.TrimSpace(name)
	if len(name) > len(CapacityPrefix) && strings.EqualFold(name[:len(CapacityPrefix)], CapacityPrefix) {
		who := strings.TrimSpace(name[len(CapacityPrefix):])
		return CapacityPrefix + who, who != ""
	}
	n := strings.ToLower(name)
	_, ok := findKey(n)
	return n, ok
}

// Set changes one assumption from its text form.
func (a *Assumptions) Set(key, value string) error {
	name, ok := NormalizeKey(key)
	if !ok {
		return fmt.Errorf("unknown assumption; expected one of %s, or capacity.NAME", strings.Join(keyNames(), ", "))
	}
	if who, isCap := strings.CutPrefix(name, CapacityPrefix); isCap {
		if errs := (&assess.FieldErrors{}); !assess.CheckShort(errs, "name", who) {
			return fmt.Errorf("the name in %s is %s; expected %s", CapacityPrefix+"NAME", errs.List[0].Problem, errs.List[0].Expected)
		}
		f, err := parseNum(value, 0.1, 7)
		if err != nil {
			return fmt.Errorf("%w; expected days/week from 0.1 to 7", err)
		}
		if a.Capacities == nil {
			a.Capacities = map[string]float64{}
		}
		a.Capacities[who] = f
		return nil
	}
	k, _ := findKey(name)
	return k.set(a, value)
}

// Get returns one assumption's text form.
func (a Assumptions) Get(key string) (string, bool) {
	name, ok := NormalizeKey(key)
	if !ok {
		return "", false
	}
	if who, isCap := strings.CutPrefix(name, CapacityPrefix); isCap {
		return num(a.CapacityOf(who)), true
	}
	k, _ := findKey(name)
	return k.get(&a), true
}

func keyNames() []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name
	}
	return out
}

// CapacityOf is the days per week an owner or department gives.
func (a Assumptions) CapacityOf(who string) float64 {
	if c, ok := a.Capacities[who]; ok {
		return c
	}
	return a.Capacity
}

// Apply returns base with the stored settings applied, reporting every bad
// setting with its key.
func Apply(base Assumptions, settings map[string]string) (Assumptions, error) {
	a := base
	a.Capacities = make(map[string]float64, len(base.Capacities))
	for k, v := range base.Capacities {
		a.Capacities[k] = v
	}
	errs := &assess.FieldErrors{Context: "assumptions"}
	names := make([]string, 0, len(settings))
	for k := range settings {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if err := a.Set(k, settings[k]); err != nil {
			problem, expected, _ := strings.Cut(err.Error(), "; expected ")
			errs.Add(assess.Shown(k), assess.Shown(settings[k]), problem, expected)
		}
	}
	if err := a.Validate(); err != nil && len(errs.List) == 0 {
		return a, err
	}
	return a, errs.Err()
}

// Validate checks what single keys cannot: the uncertainty range.
func (a Assumptions) Validate() error {
	if a.EffortLow > 1 || a.EffortHigh < 1 || a.EffortLow <= 0 {
		return assess.Errorf(assess.KindInvalid, "assumptions: effort_low (%s) must be at most 1 and effort_high (%s) at least 1", num(a.EffortLow), num(a.EffortHigh))
	}
	if a.Runs < 1 {
		return assess.Errorf(assess.KindInvalid, "assumptions: runs must be at least 1")
	}
	return nil
}

// Setting is one assumption as shown to a person: its key, value, whether
// it was set for this assessment (or is isogap's default) and what it means.
type Setting struct {
	Key
	Value string `json:"value"`
	Set   bool   `json:"set"`
}

// Settings lists every assumption with its value, the per-owner capacities
// last. set holds the keys stored for the assessment.
func (a Assumptions) Settings(set map[string]string) []Setting {
	isSet := map[string]bool{}
	for k := range set {
		if n, ok := NormalizeKey(k); ok {
			isSet[n] = true
		}
	}
	var out []Setting
	for _, k := range keys {
		out = append(out, Setting{Key: k, Value: k.get(&a), Set: isSet[k.Name]})
	}
	who := make([]string, 0, len(a.Capacities))
	for w := range a.Capacities {
		who = append(who, w)
	}
	slices.Sort(who)
	for _, w := range who {
		name := CapacityPrefix + w
		out = append(out, Setting{Key: Key{Name: name, Group: groupSchedule, Unit: "days/week", Description: "time " + w + " gives to remediation"},
			Value: num(a.Capacities[w]), Set: isSet[name]})
	}
	return out
}
