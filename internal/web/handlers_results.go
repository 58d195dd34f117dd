package web

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/compare"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
)

// The result pages: forecast (with the assumptions form), roadmap, risk
// register, snapshots and comparisons on the history page. Every figure
// comes from app.Results, as in the CLI and the reports.

// fieldName is the form's name of an assumption's field; its "was_" twin
// holds the value the form was opened with.
func fieldName(key string) string { return "v:" + key }

// changedAssumptions reads the assumptions a form changed: only those are
// saved (or tried), so saving never pins isogap's defaults by accident.
func changedAssumptions(f url.Values) map[string]string {
	out := map[string]string{}
	for name := range f {
		key, ok := strings.CutPrefix(name, "v:")
		if ok && key != "" && changed(f, name) {
			out[key] = strings.TrimSpace(f.Get(name))
		}
	}
	return out
}

// assumptionLabel names an assumption for people: "stage1_weeks" → "Stage 1 weeks".
func assumptionLabel(key string) string {
	if who, ok := strings.CutPrefix(key, plan.CapacityPrefix); ok {
		return who
	}
	s := strings.ReplaceAll(key, "_", " ")
	s = strings.NewReplacer("stage1", "stage 1", "stage2", "stage 2").Replace(s)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// forecastState is what the forecast page shows besides the stored
// assumptions: values tried or typed, and why they were not saved.
type forecastState struct {
	// whatIf is applied to the figures without being saved (a preview).
	whatIf map[string]string
	// typed are values shown in the fields instead of the stored ones;
	// unset the keys someone tried to return to isogap's default.
	typed map[string]string
	unset []string
	// version is the version the form is based on; -1 the stored one.
	version    int
	errs       formErrors
	conflicted bool
}

func (s *Server) forecast(w http.ResponseWriter, r *http.Request, c *actx) error {
	st := forecastState{version: -1}
	if q := r.URL.Query(); q.Get("preview") == "1" {
		st.whatIf = changedAssumptions(q)
		st.typed = st.whatIf
	}
	return s.renderForecast(w, r, c, http.StatusOK, st)
}

func (s *Server) savePlan(w http.ResponseWriter, r *http.Request, c *actx) error {
	if err := r.ParseForm(); err != nil {
		return assess.Wrap(assess.KindInvalid, err, "form")
	}
	f := r.PostForm
	version, err := strconv.Atoi(f.Get("version"))
	if err != nil {
		return assess.Errorf(assess.KindInvalid, "the form carries no version of the assumptions: reload the page and make the change again")
	}
	edit := app.PlanEdit{Set: changedAssumptions(f), Unset: f["unset"], BaseVersion: version}
	aid := c.View.Assessment.ID
	if len(edit.Set) == 0 && len(edit.Unset) == 0 {
		return redirect(w, r, "/a/"+aid+"/forecast?ok=nochange#assumptions")
	}
	_, err = s.svc.SetPlan(r.Context(), c.P, aid, edit)
	st := forecastState{typed: edit.Set, unset: edit.Unset, version: version}
	if err == nil {
		return redirect(w, r, "/a/"+aid+"/forecast?ok=plan#assumptions")
	}
	if fe, ok := fieldErrors(err); ok {
		st.errs = fe
		return s.renderForecast(w, r, c, httpStatus(assess.KindInvalid), st)
	}
	switch assess.KindOf(err) {
	case assess.KindConflict:
		// Someone saved the assumptions meanwhile: the form comes back on
		// their version with this person's values in it, and a table of both.
		st.conflicted, st.version = true, -1
		return s.renderForecast(w, r, c, httpStatus(assess.KindConflict), st)
	case assess.KindInvalid:
		st.errs = formErrors{List: []assess.FieldError{{Where: "assumptions", Problem: err.Error()}}}
		return s.renderForecast(w, r, c, httpStatus(assess.KindInvalid), st)
	}
	return err
}

func (s *Server) renderForecast(w http.ResponseWriter, r *http.Request, c *actx, status int, st forecastState) error {
	ctx := r.Context()
	res, stored, err := s.results(r, c, st.whatIf)
	if len(st.whatIf) > 0 && assess.KindOf(err) == assess.KindInvalid {
		// A value tried in a preview is wrong: say where, show the saved forecast.
		st.errs, _ = fieldErrors(err)
		if !st.errs.Any() {
			st.errs = formErrors{List: []assess.FieldError{{Where: "assumptions", Problem: err.Error()}}}
		}
		st.whatIf = nil
		status = httpStatus(assess.KindInvalid)
		res, stored, err = s.results(r, c, nil)
	}
	if err != nil {
		return err
	}
	f := res.Forecast
	pg := &forecastPage{Base: c.base("Forecast", "forecast"), F: f, Version: res.Plan.Version, UpdatedBy: res.Plan.UpdatedBy,
		UpdatedAt: res.Plan.UpdatedAt, Editable: c.Acc.CanEditPlan(), Errors: st.errs, ByDepartment: f.Assumptions.CapacityBy == plan.ByDepartment,
		RemediationCost: f.Budget.RemediationDays * f.Budget.DayRate, OperatingCost: f.Budget.OperatingDays * f.Budget.DayRate}
	if st.version >= 0 {
		pg.Version = st.version
	}
	pg.Steps = forecastSteps(f)
	form := newAssumptionForm(res, stored, st)
	pg.Groups = form.groups()
	pg.Capacity = form.capacity(f.Resources, capacityNames(f.Resources, res.Plan.Values, st.typed))
	if len(st.whatIf) > 0 {
		saved, err := s.svc.ResultsOf(ctx, c.P, c.View, nil, app.ResultParts{})
		if err != nil {
			return err
		}
		pg.Preview, pg.Saved = true, saved.Forecast
		pg.Tried = triedValues(stored, st.whatIf)
	}
	if st.conflicted {
		pg.Conflict = form.conflict(res.Plan, pg.Capacity, pg.Groups, st.unset)
	}
	pg.Downloads = s.topicDownloads(c, "report")
	s.render(w, r, status, "forecast", pg)
	return nil
}

// forecastSteps are the steps to the certificate: remediation, then each
// stage, with their length in weeks.
func forecastSteps(f plan.Forecast) []stepRow {
	steps := []stepRow{{Name: "Remediation (" + strconv.Itoa(len(f.Actions)) + " actions, " + strconv.Itoa(f.QuickWins) + " quick wins)",
		Start: f.Start, Finish: f.RemediationDone}}
	for _, step := range f.Steps {
		steps = append(steps, stepRow{Name: step.Name, Start: step.Start, Finish: step.Finish})
	}
	for i := range steps {
		steps[i].Weeks = steps[i].Finish.Time().Sub(steps[i].Start.Time()).Hours() / 24 / 7
	}
	return steps
}

// assumptionForm is what the fields of the assumptions form are filled
// from: the assumptions in force, the stored ones, isogap's defaults,
// which keys are set for the assessment, and what was typed or refused.
type assumptionForm struct {
	inForce, stored, defaults plan.Assumptions
	isSet                     map[string]bool
	typed                     map[string]string
	errs                      formErrors
}

func newAssumptionForm(res app.Results, stored plan.Assumptions, st forecastState) assumptionForm {
	isSet := map[string]bool{}
	for k := range res.Plan.Values {
		if n, ok := plan.NormalizeKey(k); ok {
			isSet[n] = true
		}
	}
	return assumptionForm{inForce: res.Forecast.Assumptions, stored: stored, defaults: plan.Defaults(), isSet: isSet, typed: st.typed, errs: st.errs}
}

// field is one assumption's field: the value typed if any, else the one in
// force; the stored value it was opened on; and what a reset returns to.
func (af assumptionForm) field(key, id string) assumptionField {
	a := assumptionField{Key: key, Label: assumptionLabel(key), ID: id, Field: fieldName(key), Set: af.isSet[key], Error: af.errs.For(key)}
	a.Was, _ = af.stored.Get(key)
	a.Value, _ = af.inForce.Get(key)
	if v, ok := af.typed[key]; ok {
		a.Value = v
	}
	a.Default, _ = af.defaults.Get(key)
	switch {
	case strings.HasPrefix(key, plan.CapacityPrefix):
		a.ResetTo = "the general capacity"
	case a.Default == "":
		a.ResetTo = "today"
	default:
		a.ResetTo = a.Default
	}
	return a
}

// groups are every assumption's field, in plan.Keys' order, grouped.
func (af assumptionForm) groups() []assumptionGroup {
	var gs []assumptionGroup
	for _, k := range plan.Keys() {
		a := af.field(k.Name, "as-"+k.Name)
		a.Unit, a.Description = k.Unit, k.Description
		if len(gs) == 0 || gs[len(gs)-1].Name != k.Group {
			gs = append(gs, assumptionGroup{Name: k.Group})
		}
		g := &gs[len(gs)-1]
		g.Fields = append(g.Fields, a)
	}
	return gs
}

// capacityNames are the owners (or departments) with a capacity row:
// everyone with work, in the forecast's order, then everyone else with a
// capacity of their own (set, tried or typed), sorted.
func capacityNames(resources []plan.Resource, sets ...map[string]string) []string {
	var names []string
	for _, rs := range resources {
		names = append(names, rs.Name)
	}
	var extra []string
	for _, set := range sets {
		for k := range set {
			if n, ok := plan.NormalizeKey(k); ok {
				if who, isCap := strings.CutPrefix(n, plan.CapacityPrefix); isCap && !slices.Contains(names, who) && !slices.Contains(extra, who) {
					extra = append(extra, who)
				}
			}
		}
	}
	slices.Sort(extra)
	return append(names, extra...)
}

// capacity is a capacity field per name, with the name's share of the
// work when it has any.
func (af assumptionForm) capacity(resources []plan.Resource, names []string) []capacityRow {
	var rows []capacityRow
	for i, who := range names {
		row := capacityRow{assumptionField: af.field(plan.CapacityPrefix+who, "cap-"+strconv.Itoa(i))}
		row.Unit = "days/week"
		for _, rs := range resources {
			if rs.Name == who {
				row.Resource, row.Working = rs, true
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// triedValues are the values a preview tries, by key, against the stored ones.
func triedValues(stored plan.Assumptions, whatIf map[string]string) []fieldDiff {
	var tried []fieldDiff
	for _, k := range slices.Sorted(maps.Keys(whatIf)) {
		tried = append(tried, fieldDiff{Field: k, Theirs: orDash(mustGet(stored, k)), Mine: orDash(whatIf[k])})
	}
	return tried
}

// conflict is what a save refused as stale differs in from the version
// saved meanwhile: each field typed over another value (capacities first,
// then the form's order), then each reset asked for.
func (af assumptionForm) conflict(saved assess.PlanSettings, capacity []capacityRow, groups []assumptionGroup, unset []string) *conflictView {
	cv := &conflictView{By: saved.UpdatedBy, At: saved.UpdatedAt.UTC().Format("2 Jan 2006 15:04 UTC"), Version: saved.Version}
	all := slices.Clone(capacity)
	for _, g := range groups {
		for _, a := range g.Fields {
			all = append(all, capacityRow{assumptionField: a})
		}
	}
	for _, a := range all {
		if v, ok := af.typed[a.Key]; ok && v != a.Was {
			cv.Diffs = append(cv.Diffs, fieldDiff{Field: a.Key, Theirs: orDash(a.Was), Mine: orDash(v)})
		}
	}
	for _, k := range unset {
		if n, ok := plan.NormalizeKey(k); ok {
			cv.Diffs = append(cv.Diffs, fieldDiff{Field: n, Theirs: orDash(mustGet(af.stored, n)), Mine: "isogap's default (" + orDash(mustGet(af.defaults, n)) + ")"})
		}
	}
	return cv
}

// results computes the assessment's forecast as of now with whatIf tried
// on top (nothing saved), and the stored assumptions: isogap's defaults
// with what was set for the assessment.
func (s *Server) results(r *http.Request, c *actx, whatIf map[string]string) (app.Results, plan.Assumptions, error) {
	now := s.svc.Now()
	res, err := s.svc.ResultsOf(r.Context(), c.P, c.View, whatIf, app.ResultParts{})
	if err != nil {
		return res, plan.Assumptions{}, err
	}
	stored, err := app.Assumptions(res.Plan.Values, nil, assess.DateOf(now))
	return res, stored, err
}

func mustGet(a plan.Assumptions, key string) string {
	v, _ := a.Get(key)
	return v
}

// topicDownloads are the downloads offered on a result page.
func (s *Server) topicDownloads(c *actx, topic string) []downloadRow {
	var out []downloadRow
	for _, f := range s.cfg.Formats {
		if f.Topic == topic && (!f.Evidence || c.Acc.CanDownloadEvidence()) {
			out = append(out, downloadRow{Name: f.Name, Label: f.Label, Description: f.Description, Ext: f.Ext, Allowed: true})
		}
	}
	return out
}

// roadmapFilter is the roadmap's query string.
type roadmapFilter struct {
	Phase string
	Who   string
	Late  bool
}

func (f roadmapFilter) match(a plan.Action) bool {
	return (f.Phase == "" || string(a.Phase) == f.Phase) && (f.Who == "" || a.Resource == f.Who) && (!f.Late || a.Late)
}

// Active reports whether any filter is set.
func (f roadmapFilter) Active() bool { return f != (roadmapFilter{}) }

func (s *Server) roadmap(w http.ResponseWriter, r *http.Request, c *actx) error {
	q := r.URL.Query()
	aid := c.View.Assessment.ID
	by := q.Get("by")
	var whatIf map[string]string
	if by == plan.ByOwner || by == plan.ByDepartment {
		// The toggle schedules by the other resource without saving it, as
		// "isogap roadmap --by" does.
		whatIf = map[string]string{"capacity_by": by}
	}
	res, stored, err := s.results(r, c, whatIf)
	if err != nil {
		return err
	}
	f := res.Forecast
	svg, err := roadmapSVG(f)
	if err != nil {
		return err
	}
	filter := roadmapFilter{Phase: q.Get("phase"), Who: q.Get("who"), Late: q.Get("late") == "1"}
	pg := &roadmapPage{Base: c.base("Roadmap", "roadmap"), F: f, By: f.Assumptions.CapacityBy, Stored: stored.CapacityBy, Chart: svg,
		Filter: filter, Total: len(f.Actions), Downloads: s.topicDownloads(c, "roadmap")}
	for _, a := range f.Actions {
		if filter.match(a) {
			pg.Actions = append(pg.Actions, a)
		}
	}
	pg.Shown = len(pg.Actions)
	for _, rs := range f.Resources {
		pg.Resources = append(pg.Resources, rs.Name)
	}
	slices.Sort(pg.Resources)
	pg.Phases = []string{string(plan.PhaseQuickWins), string(plan.PhaseFoundations)}
	toggle := func(by string) string {
		v := url.Values{"by": {by}}
		if filter.Phase != "" {
			v.Set("phase", filter.Phase)
		}
		if filter.Late {
			v.Set("late", "1")
		}
		return "/a/" + aid + "/roadmap?" + v.Encode()
	}
	pg.ByOwnerURL, pg.ByDepartmentURL = toggle(plan.ByOwner), toggle(plan.ByDepartment)
	s.render(w, r, http.StatusOK, "roadmap", pg)
	return nil
}

// riskSorts are the orders the register can be listed in.
var riskSorts = []option{{"rating", "Rating, highest first"}, {"likelihood", "Likelihood"}, {"impact", "Impact"}, {"ref", "Item (catalog order)"}, {"owner", "Owner"}}

func (s *Server) risks(w http.ResponseWriter, r *http.Request, c *actx) error {
	res, _, err := s.results(r, c, nil)
	if err != nil {
		return err
	}
	reg := res.Risks
	q := r.URL.Query()
	pg := &risksPage{Base: c.base("Risk register", "risks"), Reg: reg, Level: q.Get("level"), Sort: q.Get("sort"), Sorts: riskSorts,
		Levels: risk.Levels, Total: len(reg.Risks), Downloads: s.topicDownloads(c, "risks")}
	if !slices.ContainsFunc(riskSorts, func(o option) bool { return o.Value == pg.Sort }) {
		pg.Sort = "rating"
	}
	pg.L, _ = strconv.Atoi(q.Get("l"))
	pg.I, _ = strconv.Atoi(q.Get("i"))
	if pg.Chart, err = heatMapSVG(reg); err != nil {
		return err
	}
	for _, rk := range reg.Risks {
		if (pg.Level == "" || rk.Level == pg.Level) && (pg.L == 0 || rk.Likelihood == pg.L) && (pg.I == 0 || rk.Impact == pg.I) {
			pg.Risks = append(pg.Risks, rk)
		}
	}
	pg.Shown = len(pg.Risks)
	// The register comes highest rating first; other orders keep that as the tie-break.
	by := map[string]func(a, b risk.Risk) int{
		"likelihood": func(a, b risk.Risk) int { return cmp.Compare(b.Likelihood, a.Likelihood) },
		"impact":     func(a, b risk.Risk) int { return cmp.Compare(b.Impact, a.Impact) },
		"ref":        func(a, b risk.Risk) int { return catalog.CompareRefs(a.Ref, b.Ref) },
		"owner": func(a, b risk.Risk) int { // no owner last
			if (a.Owner == "") != (b.Owner == "") {
				return cmp.Compare(b.Owner, a.Owner)
			}
			return strings.Compare(strings.ToLower(a.Owner), strings.ToLower(b.Owner))
		},
	}[pg.Sort]
	if by != nil {
		slices.SortStableFunc(pg.Risks, by)
	}
	for l := 5; l >= 1; l-- {
		row := heatRow{Likelihood: l}
		for i := 1; i <= 5; i++ {
			row.Cells = append(row.Cells, heatCell{Impact: i, Count: reg.Matrix[l-1][i-1], Level: risk.Level(l * i)})
		}
		pg.Matrix = append(pg.Matrix, row)
	}
	s.render(w, r, http.StatusOK, "risks", pg)
	return nil
}

// historyExtras fills the history page's snapshots, comparison and
// readiness over time (the whole assessment's history only).
func (s *Server) historyExtras(r *http.Request, c *actx, pg *historyPage) (int, error) {
	ctx := r.Context()
	aid := c.View.Assessment.ID
	now := s.svc.Now()
	res, err := s.svc.ResultsOf(ctx, c.P, c.View, nil, app.AllResults)
	if err != nil {
		return 0, err
	}
	if pg.TimelineSVG, err = timelineSVG(untilNow(assess.Downsample(res.Timeline, timelineBuckets), now)); err != nil {
		return 0, err
	}
	pg.Snapshots, pg.CanSnapshot = res.Snapshots, c.Acc.CanManageSnapshots()
	slices.Reverse(pg.Snapshots) // newest first, like the changes
	pg.Choices = append(pg.Choices, option{aid, "This assessment now"})
	for _, sn := range pg.Snapshots {
		pg.Choices = append(pg.Choices, option{aid + "@" + sn.Name, "Snapshot “" + sn.Name + "” (" + sn.CreatedAt.UTC().Format("2 Jan 2006") + ")"})
	}
	others, err := s.svc.Portfolio(ctx, c.P)
	if err != nil {
		return 0, err
	}
	for _, o := range others {
		if o.Assessment.ID != aid {
			pg.Choices = append(pg.Choices, option{o.Assessment.ID, o.Assessment.Org + " now (another assessment)"})
		}
	}
	q := r.URL.Query()
	pg.From, pg.To = q.Get("from"), q.Get("to")
	if pg.From == "" && pg.To == "" {
		// Ready to compare the latest snapshot with now.
		pg.To = aid
		if len(pg.Snapshots) > 0 {
			pg.From = aid + "@" + pg.Snapshots[0].Name
		} else {
			pg.From = aid
		}
		return http.StatusOK, nil
	}
	cmpRes, err := s.svc.Compare(ctx, c.P, pg.From, pg.To)
	if k := assess.KindOf(err); k == assess.KindNotFound || k == assess.KindInvalid {
		pg.CompareError = err.Error()
		return httpStatus(k), nil
	}
	if err != nil {
		return 0, err
	}
	cv := &comparisonView{Result: cmpRes, All: q.Get("unchanged") == "1"}
	cv.Items = cmpRes.Changed()
	if cv.All {
		cv.Items = cmpRes.Items
	}
	for _, ch := range []compare.Change{compare.Improved, compare.Regressed, compare.Unchanged, compare.Rescoped, compare.OnlyA, compare.OnlyB} {
		if n := cmpRes.Counts[ch]; n > 0 || ch == compare.Improved || ch == compare.Regressed || ch == compare.Unchanged || ch == compare.Rescoped {
			cv.Counts = append(cv.Counts, changeCount{Change: string(ch), N: n})
		}
	}
	label := map[string]string{}
	for _, o := range pg.Choices {
		label[o.Value] = o.Label
	}
	cv.FromLabel, cv.ToLabel = cmp.Or(label[pg.From], pg.From), cmp.Or(label[pg.To], pg.To)
	q.Set("unchanged", "1")
	cv.AllURL = "/a/" + aid + "/history?" + q.Encode() + "#compare"
	pg.Comparison = cv
	return http.StatusOK, nil
}

func (s *Server) createSnapshot(w http.ResponseWriter, r *http.Request, c *actx) error {
	name := r.PostFormValue("name")
	_, err := s.svc.CreateSnapshot(r.Context(), c.P, c.View.Assessment.ID, name)
	if err == nil {
		return redirect(w, r, "/a/"+c.View.Assessment.ID+"/history?ok=snapshot#snapshots")
	}
	fe, ok := fieldErrors(err)
	if !ok && assess.KindOf(err) == assess.KindConflict {
		fe, ok = formErrors{List: []assess.FieldError{{Where: "snapshot name", Value: name, Problem: err.Error()}}}, true
	}
	if !ok {
		return err
	}
	return s.renderHistory(w, r, c, httpStatus(assess.KindOf(err)), name, fe)
}

func (s *Server) deleteSnapshot(w http.ResponseWriter, r *http.Request, c *actx) error {
	if err := s.svc.DeleteSnapshot(r.Context(), c.P, c.View.Assessment.ID, r.PostFormValue("name")); err != nil {
		return err
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/history?ok=unsnapshot#snapshots")
}
