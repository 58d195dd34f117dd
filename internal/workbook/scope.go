package workbook

import (
	"strconv"
	"strings"
	"sync"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// The Scope & Stakeholders sheet is read by its labels and headings, not
// by row numbers: a label in a row ("Target score") names the field whose
// value stands in the next cell to its right, and a table is found by its
// header row ("Excluded from the scope | Justification", "Name |
// Department | E-mail") and runs down to the next heading.

// scopeLabels maps normalised labels to the fields they name.
var scopeLabels = sync.OnceValue(func() map[string]app.ScopeField {
	m := map[string]app.ScopeField{}
	add := func(f app.ScopeField, names ...string) {
		for _, n := range names {
			m[normHeader(n)] = f
		}
	}
	add(app.ScopeOrg, "organisation", "organization", "organisation name", "organization name", "company")
	add(app.ScopeStatement, "isms scope", "scope statement", "scope of the isms")
	add(app.ScopeUnits, "organisational units", "organizational units", "units", "business units")
	add(app.ScopeLocations, "locations", "sites")
	add(app.ScopeServices, "products and services", "products / services", "services")
	add(app.ScopeSystems, "systems")
	add(app.ScopeInterfaces, "interfaces and dependencies", "interfaces", "dependencies")
	add(app.ScopeLead, "assessment lead", "lead", "lead assessor")
	add(app.ScopeTarget, "target score", "target", "target maturity")
	return m
})

// scopeHeadings end a table; after "Departments" (the drop-down's list)
// nothing but a table header is read.
var scopeHeadings = map[string]bool{"scope exclusions": true, "exclusions": true, "stakeholders": true, "departments": true}

// scopeColumns are a table's columns by normalised header text.
var (
	exclusionColumns   = [][]string{{"excluded from the scope", "excluded", "exclusion", "what is excluded"}, {"justification", "reason"}}
	stakeholderColumns = [][]string{{"name"}, {"department", "dept"}, {"e mail", "email", "e mail address", "email address"}}
)

// tableHeader finds the columns of a table in a row: the index of each
// column (-1 when absent), ok when the first two are there.
func tableHeader(cells []string, cols [][]string) ([]int, bool) {
	at := make([]int, len(cols))
	for i := range at {
		at[i] = -1
	}
	for c, text := range cells {
		n := normHeader(text)
		for i, names := range cols {
			for _, name := range names {
				if n == name && at[i] < 0 {
					at[i] = c
				}
			}
		}
	}
	return at, at[0] >= 0 && at[1] >= 0
}

// readScope reads the Scope & Stakeholders sheet, if the workbook has one.
func (r *reader) readScope(book *app.SheetBook) {
	sheet := r.findSheet(func(n string) bool { return n == normHeader(SheetScope) })
	if sheet == "" {
		return
	}
	rows, err := r.sheetRows(sheet)
	if err != nil {
		return
	}
	sc := &app.SheetScope{Cells: map[app.ScopeField]string{}}
	addr := func(col, row int) string { return sheet + "!" + cellName(col, row) }
	const (
		labels = iota
		exclusions
		stakeholders
		skipping
	)
	state, cols := labels, []int(nil)
	for i, cells := range rows {
		n := i + 1
		get := func(c int) string {
			if c >= 0 && c < len(cells) {
				return strings.TrimSpace(strings.ReplaceAll(cells[c], "\r\n", "\n"))
			}
			return ""
		}
		if at, ok := tableHeader(cells, exclusionColumns); ok {
			state, cols, sc.Cells[app.ScopeExclusions] = exclusions, at, addr(at[0], n)
			continue
		}
		if at, ok := tableHeader(cells, stakeholderColumns); ok {
			state, cols, sc.Cells[app.ScopeStakeholders] = stakeholders, at, addr(at[0], n)
			continue
		}
		first := -1
		for c := range cells {
			if get(c) != "" {
				first = c
				break
			}
		}
		if first < 0 {
			continue
		}
		if h := normHeader(get(first)); scopeHeadings[h] {
			state = labels
			if h == "departments" {
				state = skipping
			}
			continue
		}
		switch state {
		case exclusions:
			sc.Sheet.Exclusions = append(sc.Sheet.Exclusions, assess.Exclusion{What: get(cols[0]), Justification: get(cols[1])})
			sc.ExclusionCells = append(sc.ExclusionCells, []string{addr(cols[0], n), addr(cols[1], n)})
		case stakeholders:
			s := assess.Stakeholder{Name: get(cols[0]), Department: r.department(get(cols[1])), Email: get(cols[2])}
			sc.Sheet.Stakeholders = append(sc.Sheet.Stakeholders, s)
			sc.StakeholderCells = append(sc.StakeholderCells, []string{addr(cols[0], n), addr(cols[1], n), addr(max(cols[2], 0), n)})
		case labels:
			f, ok := scopeLabels()[normHeader(get(first))]
			if _, seen := sc.Cells[f]; !ok || seen {
				continue
			}
			sc.Cells[f] = addr(first+1, n)
			r.scopeValue(sc, f, get(first+1))
		}
	}
	if len(sc.Cells) > 0 {
		book.Scope = sc
	}
}

// department takes the list's spelling of a department typed in another
// case; an unknown one is left for the assessment's validation to name.
func (r *reader) department(v string) string {
	for _, d := range r.cat.Departments {
		if strings.EqualFold(d, v) {
			return d
		}
	}
	return v
}

// scopeValue puts a labelled cell's text into the sheet's assessment.
func (r *reader) scopeValue(sc *app.SheetScope, f app.ScopeField, v string) {
	var lines []string
	for _, l := range strings.Split(v, "\n") {
		if l = oneLine(l); l != "" {
			lines = append(lines, l)
		}
	}
	a := &sc.Sheet
	switch f {
	case app.ScopeOrg:
		a.Org = v
	case app.ScopeStatement:
		a.Scope = v
	case app.ScopeUnits:
		a.Boundaries.Units = lines
	case app.ScopeLocations:
		a.Boundaries.Locations = lines
	case app.ScopeServices:
		a.Boundaries.Services = lines
	case app.ScopeSystems:
		a.Boundaries.Systems = lines
	case app.ScopeInterfaces:
		a.Interfaces = v
	case app.ScopeLead:
		a.Lead = v
	case app.ScopeTarget:
		if v == "" {
			return
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x != float64(int(x)) {
			sc.Problems = append(sc.Problems, assess.FieldError{Where: r.name + ": " + sc.Cells[f], Value: v,
				Problem: "not a target score", Expected: "a whole number from 1 to 5 (default 4)"})
			delete(sc.Cells, f)
			return
		}
		a.TargetScore = int(x)
	}
}
