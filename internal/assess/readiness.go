package assess

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/isogap/isogap/internal/catalog"
)

// Figures are the readiness and coverage of a group of items. They always
// travel together: readiness alone hides what was never assessed.
type Figures struct {
	// Applicable counts the items in the denominators (excluded controls leave them).
	Applicable int `json:"applicable"`
	// Assessed counts applicable items that have a score.
	Assessed int `json:"assessed"`
	// AtTarget counts applicable items whose effective score reaches the target.
	AtTarget int `json:"at_target"`
	// NotApplicable counts excluded controls.
	NotApplicable int `json:"not_applicable"`
	// Readiness is the mean item readiness, (effective score − 1) / 4, with
	// unassessed items counting 0; 0 when nothing is applicable.
	Readiness float64 `json:"readiness"`
	// Coverage is Assessed / Applicable; 0 when nothing is applicable.
	Coverage float64 `json:"coverage"`

	sum float64
}

func (f *Figures) add(is ItemStatus) {
	if !is.Applicable {
		f.NotApplicable++
		return
	}
	f.Applicable++
	if is.Score.Assessed() {
		f.Assessed++
	}
	if !is.BelowTarget {
		f.AtTarget++
	}
	f.sum += is.Readiness
}

// remove takes an item back out of the figures (the inverse of add).
func (f *Figures) remove(is ItemStatus) {
	if !is.Applicable {
		f.NotApplicable--
		return
	}
	f.Applicable--
	if is.Score.Assessed() {
		f.Assessed--
	}
	if !is.BelowTarget {
		f.AtTarget--
	}
	f.sum -= is.Readiness
}

func (f *Figures) finish() {
	if f.Applicable > 0 {
		f.Readiness = f.sum / float64(f.Applicable)
		f.Coverage = float64(f.Assessed) / float64(f.Applicable)
	}
}

// Group is the figures of one clause, theme or attribute value.
type Group struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Figures
}

// AttributeGroups are the figures for each value of one ISO/IEC 27002 attribute.
type AttributeGroups struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Values []Group `json:"values"`
}

// ItemStatus is one item's place in the figures.
type ItemStatus struct {
	Ref        string  `json:"ref"`
	Kind       string  `json:"kind"`
	Section    string  `json:"section"`
	Title      string  `json:"title"`
	Score      Score   `json:"score"`
	Effective  Score   `json:"effective_score"`
	Applicable bool    `json:"applicable"`
	Readiness  float64 `json:"readiness"`
	Status     string  `json:"status"`
	// Unevidenced5 flags a 5 without evidence, counted as 4.
	Unevidenced5 bool `json:"unevidenced_5,omitempty"`
	BelowTarget  bool `json:"below_target"`
	// Gap is how many score points the item lacks to reach the target.
	Gap      int      `json:"gap"`
	Priority Priority `json:"priority,omitempty"`
	Owner    string   `json:"owner,omitempty"`
}

// Blocker is one reason the assessment is not audit-ready.
type Blocker struct {
	Ref    string `json:"ref,omitempty"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

// Distribution counts applicable items by effective score; index 0 is unassessed.
type Distribution [6]int

// Result is everything the readiness rules say about an assessment.
type Result struct {
	Target      int               `json:"target"`
	Overall     Figures           `json:"overall"`
	Clauses     Figures           `json:"clauses"`
	Controls    Figures           `json:"controls"`
	ByClause    []Group           `json:"by_clause"`
	ByTheme     []Group           `json:"by_theme"`
	ByAttribute []AttributeGroups `json:"by_attribute"`
	Scores      Distribution      `json:"distribution"`
	Items       []ItemStatus      `json:"items"`
	Blockers    []Blocker         `json:"blockers"`
	AuditReady  bool              `json:"audit_ready"`
}

// Headline is what a list of assessments shows of a Result: the overall
// figures and whether the assessment is audit-ready.
type Headline struct {
	Overall    Figures
	AuditReady bool
	Blockers   int // how many blockers stand in the way
}

// Headline returns the result's headline.
func (r Result) Headline() Headline {
	return Headline{Overall: r.Overall, AuditReady: r.AuditReady, Blockers: len(r.Blockers)}
}

// ItemReadiness is (effective score − 1) / 4; an unassessed item counts 0.
func ItemReadiness(effective Score) float64 {
	if !effective.Assessed() {
		return 0
	}
	return float64(effective-1) / 4
}

// Compute applies the scoring rules of isogap to an assessment. Every surface
// (CLI, web, workbook check, reports) takes its figures from here. Items
// missing from the list count as applicable and unassessed.
func Compute(cat *catalog.Catalog, a Assessment, items []Item) Result {
	target := targetOf(a)
	byRef := make(map[string]Item, len(items))
	for _, it := range items {
		byRef[it.Ref] = it
	}
	r := Result{Target: int(target)}
	sections := map[string]*Group{}
	for _, s := range cat.Sections {
		g := &Group{ID: s.ID, Title: s.Title}
		sections[s.ID] = g
	}
	attrIdx := map[string]map[string]*Group{}
	for _, key := range catalog.AttributeKeys {
		vals := cat.AttributeValues(key)
		if len(vals) == 0 {
			continue
		}
		ag := AttributeGroups{Key: key, Name: cat.AttributeName(key)}
		for _, v := range vals {
			ag.Values = append(ag.Values, Group{ID: v, Title: strings.ReplaceAll(v, "_", " ")})
		}
		r.ByAttribute = append(r.ByAttribute, ag)
	}
	for i := range r.ByAttribute {
		ag := &r.ByAttribute[i]
		m := map[string]*Group{}
		for j := range ag.Values {
			m[ag.Values[j].ID] = &ag.Values[j]
		}
		attrIdx[ag.Key] = m
	}

	for _, ci := range cat.Items {
		it, ok := byRef[ci.Ref]
		if !ok {
			it = Item{Ref: ci.Ref, Applicable: true}
		}
		is := statusOf(ci, it, target)
		applicable, eff := is.Applicable, is.Effective
		r.Items = append(r.Items, is)

		r.Overall.add(is)
		if ci.IsControl() {
			r.Controls.add(is)
		} else {
			r.Clauses.add(is)
		}
		if g := sections[ci.Section]; g != nil {
			g.add(is)
		}
		for _, key := range catalog.AttributeKeys {
			for _, v := range ci.Attr(key) {
				if g := attrIdx[key][v]; g != nil {
					g.add(is)
				}
			}
		}
		if applicable {
			r.Scores[eff]++
			if b, blocked := blocker(is, ci, it, target); blocked {
				r.Blockers = append(r.Blockers, b)
			}
		} else if strings.TrimSpace(it.Justification) == "" {
			r.Blockers = append(r.Blockers, Blocker{Ref: ci.Ref, Title: ci.Title, Reason: "excluded without a justification"})
		}
	}
	for _, x := range a.Exclusions {
		if strings.TrimSpace(x.Justification) == "" {
			r.Blockers = append(r.Blockers, Blocker{Title: "Scope exclusion: " + x.What, Reason: "scope exclusion without a justification"})
		}
	}

	r.Overall.finish()
	r.Clauses.finish()
	r.Controls.finish()
	for _, s := range cat.Sections {
		g := sections[s.ID]
		g.finish()
		if s.Kind == catalog.KindClause {
			r.ByClause = append(r.ByClause, *g)
		} else {
			r.ByTheme = append(r.ByTheme, *g)
		}
	}
	for i := range r.ByAttribute {
		for j := range r.ByAttribute[i].Values {
			r.ByAttribute[i].Values[j].finish()
		}
	}
	r.AuditReady = len(r.Blockers) == 0
	return r
}

// targetOf is the assessment's target score, the default if unset.
func targetOf(a Assessment) Score {
	if a.TargetScore < 1 || a.TargetScore > 5 {
		return DefaultTarget
	}
	return Score(a.TargetScore)
}

// StatusOf is one item's place in the figures of assessment a, the same
// as Compute gives it: what showing one item needs, without computing the
// figures of all the others.
func StatusOf(ci catalog.Item, a Assessment, it Item) ItemStatus {
	return statusOf(ci, it, targetOf(a))
}

// statusOf applies the scoring rules to one item: the only place they are.
func statusOf(ci catalog.Item, it Item, target Score) ItemStatus {
	applicable := it.Applicable || !ci.IsControl()
	eff := it.EffectiveScore()
	is := ItemStatus{
		Ref: ci.Ref, Kind: ci.Kind, Section: ci.Section, Title: ci.Title,
		Score: it.Score, Effective: eff, Applicable: applicable,
		Readiness: ItemReadiness(eff), Unevidenced5: it.Unevidenced5(),
		Priority: it.Priority, Owner: it.Owner,
	}
	if applicable {
		is.Status = eff.Label()
		is.BelowTarget = eff < target
		if is.BelowTarget {
			is.Gap = int(target - max(eff, 1))
		}
	} else {
		is.Status = StatusNotApplicable
	}
	return is
}

func blocker(is ItemStatus, ci catalog.Item, it Item, target Score) (Blocker, bool) {
	b := Blocker{Ref: ci.Ref, Title: ci.Title}
	switch {
	case !it.Score.Assessed():
		b.Reason = "not assessed"
	case is.Unevidenced5 && is.BelowTarget:
		b.Reason = fmt.Sprintf("scored 5 without evidence, which counts as 4, below the target of %d", target)
	case is.BelowTarget:
		b.Reason = fmt.Sprintf("score %d (%s) is below the target of %d", it.Score, it.Score.Label(), target)
	default:
		return b, false
	}
	return b, true
}

// Gaps returns the applicable items below target, the largest gap first and
// then by priority and ref: the top gaps a summary shows.
func (r Result) Gaps() []ItemStatus {
	var out []ItemStatus
	for _, is := range r.Items {
		if is.Applicable && is.BelowTarget {
			out = append(out, is)
		}
	}
	slices.SortStableFunc(out, func(a, b ItemStatus) int {
		if c := cmp.Compare(b.Gap, a.Gap); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Priority.Rank(), b.Priority.Rank()); c != 0 {
			return c
		}
		return catalog.CompareRefs(a.Ref, b.Ref)
	})
	return out
}

// Flagged returns the refs of items scored 5 without evidence.
func (r Result) Flagged() []string {
	var out []string
	for _, is := range r.Items {
		if is.Unevidenced5 {
			out = append(out, is.Ref)
		}
	}
	return out
}
