package app

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// ItemFilter picks items as the matrix and the API filter them; its
// fields are the query string's parameters.
type ItemFilter struct {
	Q        string
	Section  string // a section id, or "clauses" / "controls"
	Dept     string
	Owner    string // a name, or "-" for items without an owner
	Score    string // "0" (not assessed) … "5"
	Priority string
	Status   string // below, attarget, unassessed, na, flagged
	Attr     string // "key:value"
	Overdue  bool
}

// ItemFilterFrom reads a filter from a query string: q, section, dept,
// owner, score, priority, status, attr and overdue=1.
func ItemFilterFrom(q url.Values) ItemFilter {
	return ItemFilter{Q: strings.TrimSpace(q.Get("q")), Section: q.Get("section"), Dept: q.Get("dept"), Owner: q.Get("owner"),
		Score: q.Get("score"), Priority: q.Get("priority"), Status: q.Get("status"), Attr: q.Get("attr"), Overdue: q.Get("overdue") == "1"}
}

// Active reports whether any filter is set.
func (f ItemFilter) Active() bool { return f != (ItemFilter{}) }

// Match reports whether an item, its catalog entry and its status pass the
// filter on the day today.
func (f ItemFilter) Match(it assess.Item, ci catalog.Item, is assess.ItemStatus, today assess.Date) bool {
	switch f.Section {
	case "":
	case "clauses":
		if ci.IsControl() {
			return false
		}
	case "controls":
		if !ci.IsControl() {
			return false
		}
	default:
		if ci.Section != f.Section {
			return false
		}
	}
	if f.Dept != "" && it.Department != f.Dept {
		return false
	}
	if f.Owner == "-" && it.Owner != "" || f.Owner != "" && f.Owner != "-" && !strings.EqualFold(it.Owner, f.Owner) {
		return false
	}
	if f.Score != "" && strconv.Itoa(int(it.Score)) != f.Score {
		return false
	}
	if f.Priority != "" && string(it.Priority) != f.Priority {
		return false
	}
	switch f.Status {
	case "below":
		if !is.Applicable || !is.BelowTarget {
			return false
		}
	case "attarget":
		if !is.Applicable || is.BelowTarget {
			return false
		}
	case "unassessed":
		if !is.Applicable || it.Score.Assessed() {
			return false
		}
	case "na":
		if is.Applicable {
			return false
		}
	case "flagged":
		if !is.Unevidenced5 {
			return false
		}
	}
	if f.Overdue && !IsOverdue(it, is, today) {
		return false
	}
	if key, val, ok := strings.Cut(f.Attr, ":"); ok && !slices.Contains(ci.Attr(key), val) {
		return false
	}
	if f.Q != "" {
		hay := strings.ToLower(strings.Join(append([]string{ci.Ref, ci.Title, ci.Summary, it.Owner, it.Action, it.Notes}, ci.QuestionTexts()...), "\n"))
		for _, word := range strings.Fields(strings.ToLower(f.Q)) {
			if !strings.Contains(hay, word) {
				return false
			}
		}
	}
	return true
}

// IsOverdue: an applicable item below target whose target date has passed.
func IsOverdue(it assess.Item, is assess.ItemStatus, today assess.Date) bool {
	return !it.TargetDate.IsZero() && it.TargetDate.Before(today) && is.Applicable && is.BelowTarget
}
