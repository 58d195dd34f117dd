// Package compare sets two states of an assessment side by side — two
// snapshots, a snapshot and the present, or two assessments — item by item.
package compare

import (
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// Change classifies what happened to an item between A and B.
type Change string

const (
	Improved  Change = "improved"
	Regressed Change = "regressed"
	Unchanged Change = "unchanged"
	// Rescoped: the control became applicable or not applicable.
	Rescoped Change = "rescoped"
	// OnlyA and OnlyB: the item exists on one side only (different catalogs).
	OnlyA Change = "only in A"
	OnlyB Change = "only in B"
)

// Side is one state being compared.
type Side struct {
	// Label names the state: "k3m9x2p7qrst" or "k3m9x2p7qrst@baseline".
	Label      string         `json:"label"`
	Org        string         `json:"org"`
	Overall    assess.Figures `json:"overall"`
	AuditReady bool           `json:"audit_ready"`
	Blockers   int            `json:"blockers"`
}

// State is what a side is made from.
type State struct {
	Label      string
	Catalog    *catalog.Catalog
	Assessment assess.Assessment
	Items      []assess.Item
}

// Item is one item on both sides.
type Item struct {
	Ref    string `json:"ref"`
	Title  string `json:"title"`
	Change Change `json:"change"`
	// Before and After are the effective scores (0 = not assessed);
	// the statuses say "Not Applicable" for excluded controls.
	Before       assess.Score `json:"before"`
	After        assess.Score `json:"after"`
	BeforeStatus string       `json:"before_status"`
	AfterStatus  string       `json:"after_status"`
	// Delta is the change of the item's readiness (−1 … 1).
	Delta float64 `json:"delta"`
}

// Result is the comparison.
type Result struct {
	A, B   Side           `json:"-"`
	Items  []Item         `json:"items"`
	Counts map[Change]int `json:"counts"`
	// ReadinessDelta and CoverageDelta are B − A, overall.
	ReadinessDelta float64 `json:"readiness_delta"`
	CoverageDelta  float64 `json:"coverage_delta"`
}

// Compare compares A (before) with B (after), in A's catalog order and then
// the items only B's catalog has.
func Compare(a, b State) Result {
	ra := assess.Compute(a.Catalog, a.Assessment, a.Items)
	rb := assess.Compute(b.Catalog, b.Assessment, b.Items)
	side := func(s State, r assess.Result) Side {
		return Side{Label: s.Label, Org: s.Assessment.Org, Overall: r.Overall, AuditReady: r.AuditReady, Blockers: len(r.Blockers)}
	}
	out := Result{A: side(a, ra), B: side(b, rb), Counts: map[Change]int{},
		ReadinessDelta: rb.Overall.Readiness - ra.Overall.Readiness, CoverageDelta: rb.Overall.Coverage - ra.Overall.Coverage}
	for _, c := range []Change{Improved, Regressed, Unchanged, Rescoped} {
		out.Counts[c] = 0
	}
	inB := make(map[string]assess.ItemStatus, len(rb.Items))
	for _, is := range rb.Items {
		inB[is.Ref] = is
	}
	seen := map[string]bool{}
	for _, x := range ra.Items {
		seen[x.Ref] = true
		y, ok := inB[x.Ref]
		it := Item{Ref: x.Ref, Title: x.Title, Before: x.Effective, BeforeStatus: x.Status}
		switch {
		case !ok:
			it.Change = OnlyA
		default:
			it.After, it.AfterStatus = y.Effective, y.Status
			it.Delta = y.Readiness - x.Readiness
			switch {
			case x.Applicable != y.Applicable:
				it.Change = Rescoped
			case !x.Applicable:
				it.Change, it.Delta = Unchanged, 0
			case y.Effective > x.Effective:
				it.Change = Improved
			case y.Effective < x.Effective:
				it.Change = Regressed
			default:
				it.Change = Unchanged
			}
		}
		out.Items = append(out.Items, it)
		out.Counts[it.Change]++
	}
	for _, y := range rb.Items {
		if seen[y.Ref] {
			continue
		}
		out.Items = append(out.Items, Item{Ref: y.Ref, Title: y.Title, Change: OnlyB, After: y.Effective, AfterStatus: y.Status})
		out.Counts[OnlyB]++
	}
	return out
}

// Changed returns the items that did not stay the same.
func (r Result) Changed() []Item {
	var out []Item
	for _, it := range r.Items {
		if it.Change != Unchanged {
			out = append(out, it)
		}
	}
	return out
}
