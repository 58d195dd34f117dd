package app

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
	"github.com/isogap/isogap/internal/soa"
	"github.com/isogap/isogap/internal/store"
)

// Results is everything isogap concludes from an assessment: the figures,
// the forecast and roadmap with their assumptions, the risk register, the
// Statement of Applicability and the progress over time. The reports and
// the result pages lay it out; none of them computes anything of its own.
type Results struct {
	View
	// Plan is the stored assumption settings (what people set, and its version).
	Plan store.PlanSettings
	// Settings is every assumption in force, marked when set for this assessment.
	Settings  []plan.Setting
	Forecast  plan.Forecast
	Risks     risk.Register
	SoA       soa.Statement
	Timeline  []assess.TimePoint
	Snapshots []SnapshotSummary
	// Generated is when the results were computed; its day is "today".
	Generated time.Time
}

// SnapshotSummary is a snapshot with its headline figures.
type SnapshotSummary struct {
	Name       string         `json:"name"`
	CreatedAt  time.Time      `json:"created_at"`
	CreatedBy  string         `json:"created_by"`
	Overall    assess.Figures `json:"overall"`
	AuditReady bool           `json:"audit_ready"`
	Blockers   int            `json:"blockers"`
}

// Assumptions resolves the assumptions in force: isogap's defaults, the
// stored settings, then whatIf (a what-if that is not saved). A start date
// that nobody set is today.
func Assumptions(settings, whatIf map[string]string, today assess.Date) (plan.Assumptions, error) {
	all := maps.Clone(settings)
	if all == nil {
		all = map[string]string{}
	}
	maps.Copy(all, whatIf)
	asm, err := plan.Apply(plan.Defaults(), all)
	if err != nil {
		return asm, err
	}
	if asm.Start.IsZero() {
		asm.Start = today
	}
	return asm, nil
}

// BuildResults computes the results from what was read; it does no I/O.
func BuildResults(v View, ps store.PlanSettings, whatIf map[string]string, history []assess.Change, snaps []store.Snapshot, now time.Time) (Results, error) {
	asm, err := Assumptions(ps.Values, whatIf, assess.DateOf(now))
	if err != nil {
		return Results{}, err
	}
	r := Results{View: v, Plan: ps, Generated: now}
	shown := maps.Clone(ps.Values)
	if shown == nil {
		shown = map[string]string{}
	}
	maps.Copy(shown, whatIf)
	r.Settings = asm.Settings(shown)
	r.Forecast = plan.Compute(v.Catalog, v.Assessment, v.Items, asm)
	planned := make(map[string]assess.Date, len(r.Forecast.Actions))
	for _, act := range r.Forecast.Actions {
		planned[act.Ref] = act.Finish
	}
	r.Risks = risk.Build(v.Catalog, v.Assessment, v.Items, planned)
	r.SoA = soa.Build(v.Catalog, v.Assessment, v.Items)
	r.Timeline = assess.Timeline(v.Catalog, v.Assessment, v.Items, history)
	for _, s := range snaps {
		res := assess.Compute(v.Catalog, s.Assessment, s.Items)
		r.Snapshots = append(r.Snapshots, SnapshotSummary{Name: s.Name, CreatedAt: s.CreatedAt, CreatedBy: s.CreatedBy,
			Overall: res.Overall, AuditReady: res.AuditReady, Blockers: len(res.Blockers)})
	}
	return r, nil
}

// ResultParts names the parts of the results that need more than the
// assessment to compute: readiness over time replays the whole history, and
// the snapshot figures read every snapshot.
type ResultParts struct {
	Timeline  bool
	Snapshots bool
}

// AllResults asks for every part.
var AllResults = ResultParts{Timeline: true, Snapshots: true}

// PlanSettings are an assessment's stored assumptions.
type PlanSettings = store.PlanSettings

// Results reads an assessment for p (any member) and computes its results
// as of the service's clock, with whatIf assumptions applied on top of the
// stored ones (nil for none; nothing is saved). The history and the
// snapshots are read only for the parts asked for.
func (s *Service) Results(ctx context.Context, p Principal, aid string, whatIf map[string]string, parts ResultParts) (Results, error) {
	var r Results
	err := s.reading(ctx, p, aid, func(t *Service, _ Access) error {
		v, err := t.view(ctx, aid)
		if err != nil {
			return err
		}
		r, err = t.results(ctx, v, whatIf, parts)
		return err
	})
	return r, err
}

// ResultsOf computes the results of a view p already loaded (see View),
// without reading the assessment again.
func (s *Service) ResultsOf(ctx context.Context, p Principal, v View, whatIf map[string]string, parts ResultParts) (Results, error) {
	var r Results
	err := s.reading(ctx, p, v.Assessment.ID, func(t *Service, _ Access) error {
		var err error
		r, err = t.results(ctx, v, whatIf, parts)
		return err
	})
	return r, err
}

func (s *Service) results(ctx context.Context, v View, whatIf map[string]string, parts ResultParts) (Results, error) {
	id := v.Assessment.ID
	ps, err := s.store.PlanSettings(ctx, id)
	if err != nil {
		return Results{}, err
	}
	var tl []assess.TimePoint
	if parts.Timeline {
		if tl, err = s.timeline(ctx, v); err != nil {
			return Results{}, err
		}
	}
	var snaps []store.Snapshot
	if parts.Snapshots {
		if snaps, err = s.store.Snapshots(ctx, id); err != nil {
			return Results{}, err
		}
	}
	r, err := BuildResults(v, ps, whatIf, nil, snaps, s.now())
	r.Timeline = tl
	return r, err
}

// PlanSettings reads an assessment's stored assumptions for p (any member).
func (s *Service) PlanSettings(ctx context.Context, p Principal, aid string) (PlanSettings, error) {
	var ps PlanSettings
	err := s.reading(ctx, p, aid, func(t *Service, _ Access) error {
		var err error
		ps, err = t.store.PlanSettings(ctx, aid)
		return err
	})
	return ps, err
}

// PlanEdit changes an assessment's stored assumptions.
type PlanEdit struct {
	// Set maps keys (see plan.Keys; "capacity.NAME" for one owner or
	// department) to values as typed.
	Set map[string]string
	// Unset returns keys to isogap's defaults.
	Unset []string
	// BaseVersion is the settings version the edit is based on; a negative
	// value means "whatever is stored now".
	BaseVersion int
}

// SetPlan saves an edit of the assumptions: every value is checked first
// and all problems are reported together; a stale BaseVersion is a
// conflict. Values are stored in their canonical form ("gbp" → "GBP") and
// each change is recorded in the history as "plan.KEY".
//
// Only assessors may: the assumptions move every date and amount the
// executives read.
func (s *Service) SetPlan(ctx context.Context, p Principal, id string, e PlanEdit) (PlanSettings, error) {
	var out PlanSettings
	err := s.writing(ctx, p, id, func(t *Service, acc Access) error {
		if err := need(acc.CanEditPlan(), "only the assessment's assessors can change the forecast's assumptions; your role (%s) can read them", acc.Role); err != nil {
			return err
		}
		st := t.store
		cur, err := st.PlanSettings(ctx, id)
		if err != nil {
			return err
		}
		out = cur
		if e.BaseVersion >= 0 && e.BaseVersion != cur.Version {
			return assess.Errorf(assess.KindConflict,
				"the assumptions of %s are at version %d (changed by %s), not version %d that this edit was based on; review them and apply the edit again",
				id, cur.Version, cur.UpdatedBy, e.BaseVersion)
		}
		next := maps.Clone(cur.Values)
		errs := &assess.FieldErrors{Context: "assumptions"}
		for _, k := range e.Unset {
			name, ok := plan.NormalizeKey(k)
			if !ok {
				errs.Add(k, "", "unknown assumption", "one of the keys that \"isogap plan ID\" lists")
				continue
			}
			delete(next, name)
		}
		keys := slices.Sorted(maps.Keys(e.Set))
		trial := plan.Defaults()
		for _, k := range keys {
			name, ok := plan.NormalizeKey(k)
			if !ok {
				errs.Add(k, e.Set[k], "unknown assumption", "one of the keys that \"isogap plan ID\" lists, or capacity.NAME")
				continue
			}
			if err := trial.Set(name, e.Set[k]); err != nil {
				problem, expected, _ := strings.Cut(err.Error(), "; expected ")
				errs.Add(name, e.Set[k], problem, expected)
				continue
			}
			if v, _ := trial.Get(name); v != "" {
				next[name] = v
			} else {
				delete(next, name) // an empty start date means "today", the default
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if _, err := plan.Apply(plan.Defaults(), next); err != nil {
			return err
		}
		var changes []assess.Change
		for _, k := range slices.Sorted(maps.Keys(unionKeys(cur.Values, next))) {
			if cur.Values[k] != next[k] {
				changes = append(changes, assess.Change{Field: "plan." + k, Old: cur.Values[k], New: next[k]})
			}
		}
		if len(changes) == 0 {
			return nil
		}
		out, err = st.PutPlanSettings(ctx, id, next, cur.Version, p.Name(), changes)
		return err
	})
	return out, err
}

func unionKeys(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
