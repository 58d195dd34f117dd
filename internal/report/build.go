package report

import (
	"errors"
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/chart"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
	"github.com/isogap/isogap/internal/soa"
)

// Options tune the executive report.
type Options struct {
	// TopGaps and TopRisks bound the tables of the body (the appendices
	// list everything).
	TopGaps, TopRisks int
}

func (o Options) withDefaults() Options {
	if o.TopGaps <= 0 {
		o.TopGaps = 15
	}
	if o.TopRisks <= 0 {
		o.TopRisks = 20
	}
	return o
}

// Executive lays out the executive report of an assessment: the body's
// sections in reading order, then the appendices.
func Executive(r app.Results, opt Options) (Doc, error) {
	opt = opt.withDefaults()
	d := Doc{Title: "ISO/IEC 27001:2022 readiness report", Subtitle: "Gap assessment, road to certification and budget",
		Org: r.Assessment.Org, Date: r.Generated}
	d.Cover = headline(r)

	charts, err := Charts(r)
	if err != nil {
		return d, err
	}
	d.Sections = []Section{
		summarySection(r, d.Cover, charts),
		{ID: "scope", Title: "Scope and method", Blocks: scopeBlocks(r)},
		readinessSection(r.Result, charts),
		blockersSection(r.Result),
		gapsSection(r.Result, r.Forecast, opt.TopGaps),
		risksSection(r.Risks, opt.TopRisks, charts),
		roadmapSection(r.Forecast, charts),
		forecastSection(r.Forecast, r.Settings),
		progressSection(r.Snapshots, charts),
		{ID: "matrix", Title: "Requirements matrix", Appendix: true, Blocks: []Block{
			{Paragraph: "Every clause requirement and Annex A control with its score, owner and plan."},
			{Table: matrixTable(r)},
		}},
		{ID: "soa", Title: "Statement of Applicability", Appendix: true, Blocks: soaBlocks(r.SoA)},
	}
	return d, nil
}

// summarySection is section 1: the cover's figures, the key points and
// the themes at a glance.
func summarySection(r app.Results, cover []Figure, charts map[string]*Chart) Section {
	return Section{ID: "summary", Title: "Summary", Blocks: []Block{
		{Figures: cover},
		{Bullets: messages(r)},
		{Chart: charts["themes"]},
	}}
}

// readinessSection is section 3: how readiness is computed, then the
// figures by clause, by theme, by concept and by score.
func readinessSection(res assess.Result, charts map[string]*Chart) Section {
	return Section{ID: "readiness", Title: "Readiness and coverage", Blocks: []Block{
		{Paragraph: fmt.Sprintf("Readiness is the mean of (score − 1) / 4 over the applicable items, an unassessed item counting 0; coverage is the share of applicable items that have a score. Overall: readiness %s, coverage %s; clause requirements %s (coverage %s), Annex A controls %s (coverage %s).",
			pct(res.Overall.Readiness), pct(res.Overall.Coverage), pct(res.Clauses.Readiness), pct(res.Clauses.Coverage), pct(res.Controls.Readiness), pct(res.Controls.Coverage))},
		{Chart: charts["clauses"]},
		{Table: groupTable(res.ByClause)},
		{Chart: charts["themes"]},
		{Table: groupTable(res.ByTheme)},
		{Chart: charts["concepts"]},
		{Chart: charts["distribution"]},
	}}
}

func groupTable(gs []assess.Group) *Table {
	t := &Table{Header: []string{"", "Title", "Readiness", "Coverage", "At target", "Applicable"}, Widths: []float64{1, 5, 1.4, 1.4, 1.2, 1.2}}
	for _, g := range gs {
		t.Rows = append(t.Rows, []string{g.ID, g.Title, pct(g.Readiness), pct(g.Coverage), fmt.Sprint(g.AtTarget), fmt.Sprint(g.Applicable)})
	}
	return t
}

// blockersSection is section 4: what stands between the assessment and
// audit-readiness, or that nothing does.
func blockersSection(res assess.Result) Section {
	bt := &Table{Header: []string{"Ref", "Title", "Why it blocks"}, Widths: []float64{1, 4, 5}}
	for _, b := range res.Blockers {
		ref := b.Ref
		if ref == "" {
			ref = "scope"
		}
		bt.Rows = append(bt.Rows, []string{ref, b.Title, b.Reason})
	}
	blockText := "Nothing blocks certification readiness: every applicable item is at or above its target, every exclusion is justified and coverage is 100 %."
	if !res.AuditReady {
		blockText = fmt.Sprintf("The assessment is audit-ready when every clause requirement and applicable control is at or above the target score of %d, every exclusion is justified and every item is assessed. %d things stand in the way:", res.Target, len(res.Blockers))
	}
	blockers := []Block{{Paragraph: blockText}}
	if len(bt.Rows) > 0 {
		blockers = append(blockers, Block{Table: bt})
	}
	return Section{ID: "blockers", Title: "What blocks certification", Blocks: blockers}
}

// gapsSection is section 5: the largest gaps with their planned action,
// and the quick wins.
func gapsSection(res assess.Result, f plan.Forecast, topGaps int) Section {
	qt := quickWinTable(f.Actions)
	gapBlocks := []Block{
		{Paragraph: fmt.Sprintf("%d applicable items are below the target score. The largest gaps first (all of them are in the roadmap and in Appendix A):", len(res.Gaps()))},
		{Table: gapTable(res, f.Actions, topGaps)},
		{Heading: "Quick wins"},
		{Paragraph: fmt.Sprintf("Actions of at most %s person-days, planned first in each owner's queue:", days(f.Assumptions.QuickWinDays))},
	}
	if len(qt.Rows) > 0 {
		gapBlocks = append(gapBlocks, Block{Table: qt})
	} else {
		gapBlocks = append(gapBlocks, Block{Paragraph: "None: every remaining action is larger."})
	}
	return Section{ID: "gaps", Title: "Top gaps and quick wins", Blocks: gapBlocks}
}

// gapTable lists the first limit gaps, largest first, with the owner,
// effort and finish of their action.
func gapTable(res assess.Result, acts []plan.Action, limit int) *Table {
	actions := map[string]plan.Action{}
	for _, act := range acts {
		actions[act.Ref] = act
	}
	gt := &Table{Header: []string{"Ref", "Title", "Status", "Gap", "Priority", "Owner", "Effort (d)", "Planned finish"}, Widths: []float64{1, 3.6, 2.4, 0.7, 1.4, 2, 1.2, 1.6}}
	for i, g := range res.Gaps() {
		if i == limit {
			break
		}
		act := actions[g.Ref]
		gt.Rows = append(gt.Rows, []string{g.Ref, g.Title, g.Status, fmt.Sprint(g.Gap), string(g.Priority), act.Owner, days(act.Effort), act.Finish.String()})
	}
	return gt
}

func quickWinTable(acts []plan.Action) *Table {
	qt := &Table{Header: []string{"Ref", "Title", "Status", "Effort (d)", "Owner", "Planned finish"}, Widths: []float64{1, 4.5, 2.4, 1.1, 2, 1.6}}
	for _, act := range acts {
		if act.Phase == plan.PhaseQuickWins {
			qt.Rows = append(qt.Rows, []string{act.Ref, act.Title, act.Status, days(act.Effort), act.Resource, act.Finish.String()})
		}
	}
	return qt
}

// risksSection is section 6: how risks are rated, the heat map and the
// highest risks.
func risksSection(reg risk.Register, topRisks int, charts map[string]*Chart) Section {
	return Section{ID: "risks", Title: "Risks", Blocks: []Block{
		{Paragraph: "Each gap is a risk. Likelihood comes from the score (not assessed or 1 → 5 … 4 → 2); impact from the priority (Critical 5, High 4, Medium or unset 3, Low 2), one higher for a control that protects confidentiality, integrity and availability, one lower for a control that protects only one of them. Rating = likelihood × impact: 1–4 Low, 5–9 Medium, 10–16 High, 20–25 Critical. The treatment is the remediation action."},
		{Chart: charts["risks"]},
		{Table: riskTable(reg, topRisks)},
	}}
}

// roadmapSection is section 7: how actions are scheduled, the phases,
// each owner's (or department's) load, and the actions that come late.
func roadmapSection(f plan.Forecast, charts map[string]*Chart) Section {
	roadmap := []Block{
		{Paragraph: fmt.Sprintf("Every item below target is an action. Each owner works through their actions one after the other at %s days a week unless set otherwise — quick wins first, then by priority, clause requirements before controls, earliest target date. Then the ISMS operates, is audited internally and reviewed by management before the certification audits.", days(f.Assumptions.Capacity))},
		{Chart: charts["roadmap"]},
		{Table: phaseTable(f.Phases)},
		{Table: resourceTable(f)},
	}
	if lt := lateTable(f.Actions); len(lt.Rows) > 0 {
		roadmap = append(roadmap, Block{Heading: fmt.Sprintf("Actions that miss their target date (%d)", len(lt.Rows))}, Block{Table: lt})
	}
	return Section{ID: "roadmap", Title: "Roadmap", Blocks: roadmap}
}

func phaseTable(phases []plan.Step) *Table {
	pt := &Table{Header: []string{"Phase", "From", "To"}, Widths: []float64{3, 1.5, 1.5}}
	for _, ph := range phases {
		pt.Rows = append(pt.Rows, []string{ph.Name, ph.Start.String(), ph.Finish.String()})
	}
	return pt
}

func resourceTable(f plan.Forecast) *Table {
	rt := &Table{Header: []string{"Owner", "Days/week", "Effort (d)", "Actions", "Done by"}, Widths: []float64{3, 1.3, 1.3, 1, 1.6}}
	for _, rs := range f.Resources {
		rt.Rows = append(rt.Rows, []string{rs.Name, days(rs.Capacity), days(rs.Effort), fmt.Sprint(rs.Actions), rs.Finish.String()})
	}
	if f.Assumptions.CapacityBy == plan.ByDepartment {
		rt.Header[0] = "Department"
	}
	return rt
}

func lateTable(acts []plan.Action) *Table {
	lt := &Table{Header: []string{"Ref", "Title", "Owner", "Target date", "Planned finish"}, Widths: []float64{1, 4.5, 2, 1.6, 1.6}}
	for _, act := range acts {
		if act.Late {
			lt.Rows = append(lt.Rows, []string{act.Ref, act.Title, act.Resource, act.TargetDate.String(), act.Finish.String()})
		}
	}
	return lt
}

// forecastSection is section 8: the certificate date and the budget, how
// they are estimated, the steps to the certificate, the budget lines and
// every assumption.
func forecastSection(f plan.Forecast, settings []plan.Setting) Section {
	cur := f.Budget.Currency
	return Section{ID: "forecast", Title: "Forecast and budget", Blocks: []Block{
		{Figures: []Figure{
			{"Certificate, P50", longDate(f.Certification.P50.Time()), "half of the runs finish by then"},
			{"Certificate, P90", longDate(f.Certification.P90.Time()), "nine in ten runs finish by then"},
			{"Budget, P50", money(cur, f.Budget.P50), "P90 " + money(cur, f.Budget.P90)},
			{"Three years, P50", money(cur, f.Cycle.P50), "certificate, two surveillance audits, recertification"},
		}},
		{Paragraph: fmt.Sprintf("Effort per action = the catalog's baseline for taking the item from 1 to 5 × the share of the way still to go (gap / 4) × the organisation-size factor (%.2f for %s) × the effort factor (%s), unless the item carries its own estimate. "+
			"The dates come from %d Monte Carlo runs (seed %d) in which each action takes its estimate times a factor drawn between %s and %s (most likely 1). "+
			"At exactly the estimates the certificate would be issued on %s.",
			f.SizeFactor, employees(f.Employees), days(f.Assumptions.EffortFactor), f.Assumptions.Runs, f.Assumptions.Seed, days(f.Assumptions.EffortLow), days(f.Assumptions.EffortHigh), longDate(f.Certification.Planned.Time()))},
		{Table: stepTable(f)},
		{Table: budgetTable(f.Budget)},
		{Heading: "Certification body's audits and the three-year cycle"},
		{Paragraph: auditText(f.Audit, cur)},
		{Table: cycleTable(f.Cycle, cur)},
		{Heading: "Why this date"},
		{Paragraph: strings.Join(f.Explain(), " ")},
		{Heading: "Assumptions"},
		{Paragraph: "Every assumption can be changed for this assessment (isogap plan ID --set KEY=VALUE); those marked \"set\" were. The rest are isogap's defaults."},
		{Table: assumptionTable(settings)},
	}}
}

// stepTable is the road to the certificate: remediation, then each step.
func stepTable(f plan.Forecast) *Table {
	st := &Table{Header: []string{"Step", "From", "To"}, Widths: []float64{3, 1.5, 1.5}}
	st.Rows = append(st.Rows, []string{fmt.Sprintf("Remediation (%d actions)", len(f.Actions)), f.Start.String(), f.RemediationDone.String()})
	for _, s := range f.Steps {
		st.Rows = append(st.Rows, []string{s.Name, s.Start.String(), s.Finish.String()})
	}
	return st
}

// budgetTable is the internal work at the day rate, each external cost,
// and the totals.
func budgetTable(b plan.Budget) *Table {
	cur := b.Currency
	bud := &Table{Header: []string{"Budget line", "Planned"}, Widths: []float64{4, 2}}
	bud.Rows = append(bud.Rows,
		[]string{fmt.Sprintf("Remediation, %s person-days", days(round1(b.RemediationDays))), money(cur, b.RemediationDays*b.DayRate)},
		[]string{fmt.Sprintf("Running the ISMS, internal audit, management review: %s person-days", days(round1(b.OperatingDays))), money(cur, b.OperatingDays*b.DayRate)})
	for _, c := range b.External {
		bud.Rows = append(bud.Rows, []string{c.Name, money(cur, c.Amount)})
	}
	bud.Rows = append(bud.Rows, []string{"Total (planned)", money(cur, b.Total)},
		[]string{"Total, P50", money(cur, b.P50)}, []string{"Total, P90", money(cur, b.P90)})
	return bud
}

// auditText says how long the certification body audits and what it costs.
func auditText(au plan.Audit, cur string) string {
	basis := fmt.Sprintf("from the published audit-time table for %s persons", au.Band)
	if au.DaysSource == plan.AuditSet {
		basis = fmt.Sprintf("set for this assessment; the published table gives %s days for %s persons", days(au.TableDays), au.Band)
	}
	return fmt.Sprintf("The initial audit takes %s auditor-days (%s): Stage 1 %s days, Stage 2 %s days; fee %s. Each surveillance audit (years 2 and 3) takes %s days and the recertification %s days.",
		days(au.InitialDays), basis, days(au.Stage1Days), days(au.Stage2Days), money(cur, au.Fee), days(au.SurveillanceDays), days(au.RecertificationDays))
}

// cycleTable is the cost of each year of the certificate.
func cycleTable(c plan.Cycle, cur string) *Table {
	t := &Table{Header: []string{"Year", "Audit days", "Audit fee", "Internal days", "Total"}, Widths: []float64{3.2, 1.1, 1.3, 1.2, 1.4}}
	for _, y := range c.Years {
		t.Rows = append(t.Rows, []string{y.Name, days(y.AuditDays), money(cur, y.AuditFee), days(round1(y.InternalDays)), money(cur, y.Total)})
	}
	t.Rows = append(t.Rows, []string{"Three years (planned)", "", "", "", money(cur, c.Total)}, []string{"Three years, P50", "", "", "", money(cur, c.P50)})
	return t
}

// progressSection is section 9: readiness over time, and the snapshots
// taken on the way.
func progressSection(snaps []app.SnapshotSummary, charts map[string]*Chart) Section {
	progress := []Block{{Paragraph: "Readiness and coverage after every recorded change, replayed from the history."}, {Chart: charts["timeline"]}}
	if len(snaps) > 0 {
		snt := &Table{Header: []string{"Snapshot", "Taken", "By", "Readiness", "Coverage", "Blockers"}, Widths: []float64{2.5, 1.8, 2, 1.3, 1.3, 1.1}}
		for _, s := range snaps {
			snt.Rows = append(snt.Rows, []string{s.Name, s.CreatedAt.Format("2006-01-02"), s.CreatedBy, pct(s.Overall.Readiness), pct(s.Overall.Coverage), fmt.Sprint(s.Blockers)})
		}
		progress = append(progress, Block{Heading: "Snapshots"}, Block{Table: snt})
	}
	return Section{ID: "progress", Title: "Progress over time", Blocks: progress}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

func employees(n int) string {
	if n <= 0 {
		return "an organisation of unknown size"
	}
	return fmt.Sprintf("%d people", n)
}

// headline is the cover's figures.
func headline(r app.Results) []Figure {
	res, f := r.Result, r.Forecast
	ready := "No"
	readyNote := fmt.Sprintf("%d blockers", len(res.Blockers))
	if res.AuditReady {
		ready, readyNote = "Yes", "nothing blocks it"
	}
	return []Figure{
		{"Readiness", pct(res.Overall.Readiness), "coverage " + pct(res.Overall.Coverage)},
		{"Audit-ready", ready, readyNote},
		{"Certificate", longDate(f.Certification.P50.Time()), "P50; P90 " + longDate(f.Certification.P90.Time())},
		{"Budget", money(f.Budget.Currency, f.Budget.P50), "P50; P90 " + money(f.Budget.Currency, f.Budget.P90)},
	}
}

// messages are the summary's key points.
func messages(r app.Results) []string {
	res, f := r.Result, r.Forecast
	var out []string
	out = append(out, fmt.Sprintf("Overall readiness is %s with %s of the %d applicable items assessed; %d items are at or above the target score of %d.",
		pct(res.Overall.Readiness), pct(res.Overall.Coverage), res.Overall.Applicable, res.Overall.AtTarget, res.Target))
	if res.AuditReady {
		out = append(out, "The assessment is audit-ready: every item is at or above its target and every exclusion is justified.")
	} else {
		unassessed := res.Overall.Applicable - res.Overall.Assessed
		out = append(out, fmt.Sprintf("Not audit-ready yet: %d blockers, of which %d items are not assessed and %d are below target.",
			len(res.Blockers), unassessed, len(res.Gaps())-unassessed))
	}
	if w := weakest(res.ByClause); w != nil {
		out = append(out, fmt.Sprintf("Weakest clause: %s %s (%s). Weakest Annex A theme: %s.", w.ID, w.Title, pct(w.Readiness), groupText(weakest(res.ByTheme))))
	}
	out = append(out, fmt.Sprintf("With the current assumptions the certificate is expected by %s (P50), and by %s with 90 %% confidence (P90).",
		longDate(f.Certification.P50.Time()), longDate(f.Certification.P90.Time())))
	out = append(out, fmt.Sprintf("Budget: %s (P50; P90 %s), of which %s person-days of internal work at %s a day and %s external.",
		money(f.Budget.Currency, f.Budget.P50), money(f.Budget.Currency, f.Budget.P90), days(round1(f.Budget.InternalDays)),
		money(f.Budget.Currency, f.Budget.DayRate), money(f.Budget.Currency, f.Budget.ExternalTotal)))
	out = append(out, fmt.Sprintf("%d risks are rated Critical and %d High; %d quick wins can start at once.", r.Risks.ByLevel["Critical"], r.Risks.ByLevel["High"], f.QuickWins))
	if f.Late > 0 {
		out = append(out, fmt.Sprintf("%d actions are planned to finish after their target date: add capacity or move the dates.", f.Late))
	}
	if fl := res.Flagged(); len(fl) > 0 {
		out = append(out, fmt.Sprintf("%s scored 5 without evidence, counted as 4: %s.", plural(len(fl), "item", "items"), strings.Join(fl, ", ")))
	}
	if f.Unassessed > 0 {
		out = append(out, fmt.Sprintf("%d items are not assessed yet; the forecast plans them as Not Started.", f.Unassessed))
	}
	return out
}

func weakest(gs []assess.Group) *assess.Group {
	var w *assess.Group
	for i := range gs {
		if gs[i].Applicable > 0 && (w == nil || gs[i].Readiness < w.Readiness) {
			w = &gs[i]
		}
	}
	return w
}

func groupText(g *assess.Group) string {
	if g == nil {
		return "none"
	}
	return fmt.Sprintf("%s %s (%s)", g.ID, g.Title, pct(g.Readiness))
}

func scopeBlocks(r app.Results) []Block {
	a := r.Assessment
	var bs []Block
	scope := a.Scope
	if scope == "" {
		scope = "No scope statement recorded yet."
	}
	bs = append(bs, Block{Heading: "Scope of the ISMS"}, Block{Paragraph: scope})
	var bl []string
	for _, x := range []struct {
		name string
		vals []string
	}{{"Organisational units", a.Boundaries.Units}, {"Locations", a.Boundaries.Locations}, {"Products and services", a.Boundaries.Services}, {"Systems", a.Boundaries.Systems}} {
		if len(x.vals) > 0 {
			bl = append(bl, x.name+": "+strings.Join(x.vals, "; "))
		}
	}
	if a.Interfaces != "" {
		bl = append(bl, "Interfaces and dependencies: "+a.Interfaces)
	}
	for _, x := range a.Exclusions {
		bl = append(bl, "Excluded: "+x.What+" — "+x.Justification)
	}
	if len(bl) > 0 {
		bs = append(bs, Block{Bullets: bl})
	}
	if len(a.Stakeholders) > 0 {
		t := &Table{Header: []string{"Stakeholder", "Department", "Email"}, Widths: []float64{2, 2, 3}}
		for _, s := range a.Stakeholders {
			t.Rows = append(t.Rows, []string{s.Name, s.Department, s.Email})
		}
		bs = append(bs, Block{Table: t})
	}
	lead := a.Lead
	if lead == "" {
		lead = "not named"
	}
	bs = append(bs, Block{Heading: "Method"}, Block{Paragraph: fmt.Sprintf(
		"Each of the %d items of %s — the clause requirements of clauses 4 to 10 and the Annex A controls — was scored on a 1–5 index with its evidence, owner, priority and target date. The assessment is led by %s; its target score is %d. A 5 without evidence counts as 4.",
		len(r.Catalog.Items), r.Catalog.Name, lead, r.Result.Target)})
	st := &Table{Header: []string{"Score", "Status", "Meaning"}, Widths: []float64{0.8, 2.6, 6}}
	for s := assess.Score(1); s <= 5; s++ {
		st.Rows = append(st.Rows, []string{fmt.Sprint(int(s)), s.Label(), s.Meaning()})
	}
	bs = append(bs, Block{Table: st})
	return bs
}

func riskTable(reg risk.Register, limit int) *Table {
	t := &Table{Header: []string{"ID", "Ref", "Title", "L", "I", "Rating", "Owner", "Treatment"}, Widths: []float64{0.9, 0.9, 3, 0.4, 0.4, 1.3, 1.7, 4}, Small: true}
	for i, rk := range reg.Risks {
		if limit > 0 && i == limit {
			break
		}
		t.Rows = append(t.Rows, []string{rk.ID, rk.Ref, rk.Title, fmt.Sprint(rk.Likelihood), fmt.Sprint(rk.Impact),
			fmt.Sprintf("%d %s", rk.Rating, rk.Level), rk.Owner, rk.Treatment})
	}
	return t
}

func assumptionTable(settings []plan.Setting) *Table {
	t := &Table{Header: []string{"Key", "Value", "Unit", "", "Meaning"}, Widths: []float64{2.4, 1.4, 1.6, 0.5, 5}, Small: true}
	for _, s := range settings {
		set := ""
		if s.Set {
			set = "set"
		}
		t.Rows = append(t.Rows, []string{s.Name, s.Value, s.Unit, set, s.Description})
		t.Marked = append(t.Marked, s.Set)
	}
	return t
}

func matrixTable(r app.Results) *Table {
	t := &Table{Header: []string{"Ref", "Title", "Status", "Owner", "Priority", "Target date", "Evidence", "Planned finish"},
		Widths: []float64{0.9, 3.3, 2.3, 1.8, 1.2, 1.4, 1.2, 1.4}, Small: true}
	items := map[string]assess.Item{}
	for _, it := range r.Items {
		items[it.Ref] = it
	}
	planned := map[string]assess.Date{}
	for _, act := range r.Forecast.Actions {
		planned[act.Ref] = act.Finish
	}
	for _, is := range r.Result.Items {
		it := items[is.Ref]
		status := is.Status
		if is.Score.Assessed() && is.Applicable {
			status = fmt.Sprintf("%d %s", is.Effective, is.Status)
		}
		if is.Unevidenced5 {
			status += " (5 without evidence)"
		}
		t.Rows = append(t.Rows, []string{is.Ref, is.Title, status, it.Owner, string(it.Priority), it.TargetDate.String(),
			fmt.Sprint(len(it.Evidence)), planned[is.Ref].String()})
		t.Marked = append(t.Marked, is.Applicable && is.BelowTarget)
	}
	return t
}

// soaTable is the Statement of Applicability as a table.
func soaTable(st soa.Statement) *Table {
	t := &Table{Header: []string{"Control", "Title", "Applicable", "Justification", "Status", "Owner", "Evidence"},
		Widths: []float64{0.9, 2.8, 1, 3.6, 1.9, 1.5, 3}, Small: true}
	for _, e := range st.Entries {
		t.Rows = append(t.Rows, []string{e.Ref, e.Title, e.ApplicableText(), e.Justification(), e.Status, e.Owner, strings.Join(e.Evidence, "; ")})
		t.Marked = append(t.Marked, len(e.Problems) > 0)
	}
	return t
}

func soaBlocks(st soa.Statement) []Block {
	return []Block{
		{Paragraph: fmt.Sprintf("All %d Annex A controls: %d applicable (%d at or above the target score of %d), %d excluded. Highlighted rows need attention before an audit (a missing justification, or a 5 without evidence).",
			len(st.Entries), st.Applicable, st.Implemented, st.Target, st.Excluded)},
		{Table: soaTable(st)},
	}
}

// SoADoc lays out the Statement of Applicability on its own (landscape).
func SoADoc(st soa.Statement, r app.Results) Doc {
	return Doc{Title: "Statement of Applicability", Subtitle: st.Catalog, Org: st.Org, Date: r.Generated, Landscape: true,
		Sections: []Section{{ID: "soa", Title: "Statement of Applicability", Blocks: soaBlocks(st)}}}
}

// Charts draws every chart of the report, by id: clauses, themes,
// concepts, distribution, risks, roadmap, timeline.
func Charts(r app.Results) (map[string]*Chart, error) {
	res := r.Result
	out := map[string]*Chart{}
	add := func(id, title string, w, h vg.Length, build func() (*plot.Plot, error)) error {
		p, err := build()
		if errors.Is(err, chart.ErrNoData) {
			return nil // a custom catalog without these groups: no chart
		}
		if err != nil {
			return fmt.Errorf("chart %s: %w", id, err)
		}
		out[id] = &Chart{ID: id, Title: title, Plot: p, W: w, H: h}
		return nil
	}
	var concepts []assess.Group
	for _, ag := range res.ByAttribute {
		if ag.Key == catalog.AttrConcepts {
			concepts = ag.Values
		}
	}
	roadmapH := vg.Length(1.4+0.32*float64(len(r.Forecast.Resources)+2)) * vg.Inch
	timeline := make([]chart.Point, len(r.Timeline))
	coverage := make([]chart.Point, len(r.Timeline))
	for i, p := range r.Timeline {
		timeline[i] = chart.Point{At: p.At, Value: p.Readiness}
		coverage[i] = chart.Point{At: p.At, Value: p.Coverage}
	}
	steps := []error{
		add("clauses", "Readiness by clause", 6.6*vg.Inch, 3.4*vg.Inch, func() (*plot.Plot, error) {
			return chart.ReadinessBars("Readiness by clause", chart.GroupsOf(res.ByClause), res.Target)
		}),
		add("themes", "Readiness by Annex A theme", 6.6*vg.Inch, 2.4*vg.Inch, func() (*plot.Plot, error) {
			return chart.ReadinessBars("Readiness by Annex A theme", chart.GroupsOf(res.ByTheme), res.Target)
		}),
		add("concepts", "Readiness by cybersecurity concept", 6.6*vg.Inch, 2.7*vg.Inch, func() (*plot.Plot, error) {
			return chart.ReadinessBars("Readiness by cybersecurity concept (ISO/IEC 27002)", chart.GroupsOf(concepts), res.Target)
		}),
		add("distribution", "Score distribution", 5.6*vg.Inch, 3*vg.Inch, func() (*plot.Plot, error) {
			return chart.Distribution("Applicable items by score", res.Scores)
		}),
		add("risks", "Risk heat map", 5.6*vg.Inch, 4.2*vg.Inch, func() (*plot.Plot, error) {
			return chart.RiskHeatMap("Risks by likelihood and impact", r.Risks)
		}),
		add("roadmap", "Roadmap", 6.8*vg.Inch, roadmapH, func() (*plot.Plot, error) {
			return chart.Roadmap("Roadmap by "+r.Forecast.Assumptions.CapacityBy, r.Forecast)
		}),
		add("timeline", "Readiness over time", 6.6*vg.Inch, 2.8*vg.Inch, func() (*plot.Plot, error) {
			return chart.Timeline("Readiness over time", timeline, coverage)
		}),
	}
	for _, err := range steps {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ChartOrder lists the chart ids in the order the report shows them.
var ChartOrder = []string{"clauses", "themes", "concepts", "distribution", "risks", "roadmap", "timeline"}
