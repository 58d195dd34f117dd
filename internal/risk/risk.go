// Package risk turns the gaps of an assessment into a risk register: each
// applicable item below its target is a risk whose likelihood comes from the
// score and whose impact comes from the priority and the information
// security properties the control protects, placed on a 5×5 matrix.
package risk

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// Risk is one entry of the register.
type Risk struct {
	ID         string          `json:"id"`
	Ref        string          `json:"ref"`
	Kind       string          `json:"kind"`
	Title      string          `json:"title"`
	Properties []string        `json:"properties"`
	Score      assess.Score    `json:"score"`
	Effective  assess.Score    `json:"effective_score"`
	Status     string          `json:"status"`
	Target     int             `json:"target"`
	Priority   assess.Priority `json:"priority"`
	Likelihood int             `json:"likelihood"`
	Impact     int             `json:"impact"`
	// Rating is Likelihood × Impact (1–25); Level names its band.
	Rating      int         `json:"rating"`
	Level       string      `json:"level"`
	Description string      `json:"description"`
	Treatment   string      `json:"treatment"`
	Owner       string      `json:"owner"`
	Due         assess.Date `json:"due"`
	// Planned is the roadmap's planned finish of the treatment, if known.
	Planned assess.Date `json:"planned,omitempty"`
}

// Levels from the lowest band to the highest.
var Levels = []string{"Low", "Medium", "High", "Critical"}

// Level names the band of a rating: 1–4 Low, 5–9 Medium, 10–16 High, 20–25 Critical.
func Level(rating int) string {
	switch {
	case rating >= 20:
		return "Critical"
	case rating >= 10:
		return "High"
	case rating >= 5:
		return "Medium"
	}
	return "Low"
}

// Likelihood is how likely the gap leads to an incident or a finding, from
// the effective score: not assessed or Not Started 5, Planning Only 4,
// Partially Implemented 3, Mostly Done 2, Fully Implemented 1.
func Likelihood(effective assess.Score) int {
	return 6 - max(1, min(5, int(effective)))
}

// Impact is how much harm the gap may do: the priority sets the base
// (Critical 5, High 4, Medium or unset 3, Low 2) and the breadth of the
// control's information security properties moves it — one more for a
// control protecting confidentiality, integrity and availability alike, one
// less for a control protecting only one of them. Clause requirements carry
// no properties and keep the base. The result stays within 1–5.
func Impact(p assess.Priority, properties []string) int {
	base := map[assess.Priority]int{assess.PriorityCritical: 5, assess.PriorityHigh: 4, assess.PriorityMedium: 3, assess.PriorityLow: 2}[p]
	if base == 0 {
		base = 3
	}
	if n := len(properties); n > 0 {
		base += n - 2
	}
	return max(1, min(5, base))
}

// Register is every risk, highest rating first, with the matrix counts.
type Register struct {
	Org    string `json:"org"`
	Target int    `json:"target"`
	Risks  []Risk `json:"risks"`
	// Matrix[l-1][i-1] counts the risks of likelihood l and impact i.
	Matrix  [5][5]int      `json:"matrix"`
	ByLevel map[string]int `json:"by_level"`
}

// Build makes the register. planned, if not nil, gives each ref's planned
// finish from the roadmap.
func Build(cat *catalog.Catalog, a assess.Assessment, items []assess.Item, planned map[string]assess.Date) Register {
	res := assess.Compute(cat, a, items)
	byRef := make(map[string]assess.Item, len(items))
	for _, it := range items {
		byRef[it.Ref] = it
	}
	reg := Register{Org: a.Org, Target: res.Target, ByLevel: map[string]int{}}
	for _, l := range Levels {
		reg.ByLevel[l] = 0
	}
	for _, is := range res.Items {
		if !is.Applicable || !is.BelowTarget {
			continue
		}
		ci, _ := cat.Item(is.Ref)
		it := byRef[is.Ref]
		r := Risk{Ref: is.Ref, Kind: ci.Kind, Title: ci.Title, Properties: append([]string{}, ci.Properties...),
			Score: it.Score, Effective: is.Effective, Status: is.Status, Target: res.Target, Priority: it.Priority,
			Likelihood: Likelihood(is.Effective), Impact: Impact(it.Priority, ci.Properties),
			Owner: it.Owner, Due: it.TargetDate, Planned: planned[is.Ref]}
		r.Rating = r.Likelihood * r.Impact
		r.Level = Level(r.Rating)
		r.Description = describe(ci, is, res.Target)
		r.Treatment = strings.TrimSpace(it.Action)
		if r.Treatment == "" {
			r.Treatment = fmt.Sprintf("Bring %q to score %d (%s) and keep evidence of it", ci.Title, res.Target, assess.Score(res.Target).Label())
		}
		reg.Risks = append(reg.Risks, r)
		reg.Matrix[r.Likelihood-1][r.Impact-1]++
		reg.ByLevel[r.Level]++
	}
	// Highest rating first; ties keep catalog order. Ids follow that order.
	slices.SortStableFunc(reg.Risks, func(x, y Risk) int { return cmp.Compare(y.Rating, x.Rating) })
	for i := range reg.Risks {
		reg.Risks[i].ID = fmt.Sprintf("R-%03d", i+1)
	}
	return reg
}

// describe states the risk in isogap's words.
func describe(ci catalog.Item, is assess.ItemStatus, target int) string {
	state := strings.ToLower(is.Status)
	if !is.Score.Assessed() {
		state = "not assessed yet"
	}
	if !ci.IsControl() {
		return fmt.Sprintf("The management-system requirement %s is %s (target %d): the ISMS may not work as intended and certification may fail on it.",
			ci.Ref, state, target)
	}
	props := "information"
	if len(ci.Properties) > 0 {
		props = "the " + strings.ToLower(joinAnd(ci.Properties)) + " of information"
	}
	return fmt.Sprintf("Control %s is %s (target %d): weaknesses it should prevent or detect may affect %s.", ci.Ref, state, target, props)
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
