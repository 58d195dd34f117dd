// Package soa builds the Statement of Applicability (ISO/IEC 27001 6.1.3 d):
// every Annex A control, whether it applies, why it is included or
// excluded, how far it is implemented, who owns it and what evidence backs it.
package soa

import (
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// Entry is one control's line of the statement.
type Entry struct {
	Ref        string `json:"ref"`
	Title      string `json:"title"`
	Theme      string `json:"theme"`
	Applicable bool   `json:"applicable"`
	// Inclusion lists the reason labels; InclusionNote adds the free text.
	Inclusion     []string `json:"inclusion"`
	InclusionNote string   `json:"inclusion_note"`
	Exclusion     string   `json:"exclusion"`
	// Status is the implementation status ("Partially Implemented", "Not
	// Applicable" …) of the effective score.
	Status     string       `json:"status"`
	Score      assess.Score `json:"score"`
	Effective  assess.Score `json:"effective_score"`
	Owner      string       `json:"owner"`
	Department string       `json:"department"`
	Evidence   []string     `json:"evidence"`
	NewIn2022  bool         `json:"new_in_2022"`
	// Problems says what an auditor would question: an applicable control
	// without a reason for inclusion, an exclusion without a justification,
	// a 5 without evidence.
	Problems []string `json:"problems"`
}

// Justification is the inclusion reasons and note as one line.
func (e Entry) Justification() string {
	if !e.Applicable {
		return e.Exclusion
	}
	j := strings.Join(e.Inclusion, "; ")
	if e.InclusionNote != "" {
		if j != "" {
			j += " — "
		}
		j += e.InclusionNote
	}
	return j
}

// ApplicableText renders the applicability as Yes/No.
func (e Entry) ApplicableText() string {
	if e.Applicable {
		return "Yes"
	}
	return "No"
}

// Statement is the whole SoA with its counts.
type Statement struct {
	Org         string  `json:"org"`
	Catalog     string  `json:"catalog"`
	Entries     []Entry `json:"entries"`
	Applicable  int     `json:"applicable"`
	Excluded    int     `json:"excluded"`
	Implemented int     `json:"implemented"` // applicable and at target
	Unjustified int     `json:"unjustified"` // entries with a missing justification
	Target      int     `json:"target"`
}

// Build makes the statement in catalog order.
func Build(cat *catalog.Catalog, a assess.Assessment, items []assess.Item) Statement {
	res := assess.Compute(cat, a, items)
	byRef := make(map[string]assess.Item, len(items))
	for _, it := range items {
		byRef[it.Ref] = it
	}
	theme := map[string]string{}
	for _, s := range cat.Sections {
		theme[s.ID] = s.Title
	}
	st := Statement{Org: a.Org, Catalog: cat.Name, Target: res.Target}
	for _, is := range res.Items {
		ci, _ := cat.Item(is.Ref)
		if !ci.IsControl() {
			continue
		}
		it, ok := byRef[is.Ref]
		if !ok {
			it = assess.Item{Ref: is.Ref, Applicable: true}
		}
		e := Entry{Ref: ci.Ref, Title: ci.Title, Theme: theme[ci.Section], Applicable: is.Applicable,
			InclusionNote: strings.TrimSpace(it.InclusionNote), Status: is.Status, Score: it.Score, Effective: is.Effective,
			Owner: it.Owner, Department: it.Department, NewIn2022: ci.NewIn2022, Inclusion: []string{}, Evidence: []string{}, Problems: []string{}}
		if e.Department == "" {
			e.Department = ci.Department
		}
		for _, r := range it.Inclusion {
			e.Inclusion = append(e.Inclusion, assess.ReasonLabel(r))
		}
		for _, ev := range it.Evidence {
			e.Evidence = append(e.Evidence, ev.Summary())
		}
		if is.Applicable {
			st.Applicable++
			if !is.BelowTarget {
				st.Implemented++
			}
			if len(e.Inclusion) == 0 && e.InclusionNote == "" {
				e.Problems = append(e.Problems, "no reason for inclusion")
				st.Unjustified++
			}
		} else {
			st.Excluded++
			e.Exclusion = strings.TrimSpace(it.Justification)
			if e.Exclusion == "" {
				e.Problems = append(e.Problems, "excluded without a justification")
				st.Unjustified++
			}
		}
		if is.Unevidenced5 {
			e.Problems = append(e.Problems, "scored 5 without evidence (counts as 4)")
		}
		st.Entries = append(st.Entries, e)
	}
	return st
}
