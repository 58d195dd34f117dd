package app

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/isogap/isogap/internal/assess"
)

// This file carries a workbook's Scope & Stakeholders sheet into the
// assessment's header under the import's rules: only what the workbook
// changed since the export changes, a field changed in isogap too is a
// conflict, and the result passes the assessment's own validation and
// permission check in the import's transaction.

// ScopeRef stands in SheetChange.Ref and SheetConflict.Ref for the
// assessment's own fields (scope, stakeholders, target …), which a
// workbook's Scope & Stakeholders sheet carries.
const ScopeRef = "assessment"

// ScopeField is a field of the assessment's header a workbook carries.
type ScopeField int

const (
	ScopeOrg ScopeField = iota
	ScopeStatement
	ScopeUnits
	ScopeLocations
	ScopeServices
	ScopeSystems
	ScopeInterfaces
	ScopeLead
	ScopeTarget
	// ScopeExclusions and ScopeStakeholders are tables: whole lists.
	ScopeExclusions
	ScopeStakeholders
	numScopeFields
)

// scopeFieldNames are the names assess.ValidateAssessment uses.
var scopeFieldNames = [numScopeFields]string{"org", "scope", "boundaries.units", "boundaries.locations", "boundaries.services",
	"boundaries.systems", "interfaces", "lead", "target_score", "exclusions", "stakeholders"}

func (f ScopeField) String() string { return scopeFieldNames[f] }

// table reports whether the field is a list of rows (stakeholders, exclusions).
func (f ScopeField) table() bool { return f == ScopeExclusions || f == ScopeStakeholders }

// history is the field's name in the history (a boundary is part of "boundaries").
func (f ScopeField) history() string {
	name, _, _ := strings.Cut(f.String(), ".")
	return name
}

// ScopeValue is the canonical text of an assessment's field: lists one
// entry a line, table rows as their cells joined by " | ".
func ScopeValue(a assess.Assessment, f ScopeField) string {
	lines := func(xs []string) string {
		var out []string
		for _, x := range xs {
			if x = oneLine(x); x != "" {
				out = append(out, x)
			}
		}
		return strings.Join(out, "\n")
	}
	switch f {
	case ScopeOrg:
		return strings.TrimSpace(a.Org)
	case ScopeStatement:
		return strings.TrimSpace(a.Scope)
	case ScopeUnits:
		return lines(a.Boundaries.Units)
	case ScopeLocations:
		return lines(a.Boundaries.Locations)
	case ScopeServices:
		return lines(a.Boundaries.Services)
	case ScopeSystems:
		return lines(a.Boundaries.Systems)
	case ScopeInterfaces:
		return strings.TrimSpace(a.Interfaces)
	case ScopeLead:
		return strings.TrimSpace(a.Lead)
	case ScopeTarget:
		if a.TargetScore == 0 {
			return ""
		}
		return strconv.Itoa(a.TargetScore)
	case ScopeExclusions:
		rows := make([]string, len(a.Exclusions))
		for i, x := range a.Exclusions {
			rows[i] = oneLine(x.What) + " | " + oneLine(x.Justification)
		}
		return strings.Join(rows, "\n")
	case ScopeStakeholders:
		rows := make([]string, len(a.Stakeholders))
		for i, s := range a.Stakeholders {
			rows[i] = oneLine(s.Name) + " | " + oneLine(s.Department) + " | " + oneLine(s.Email)
		}
		return strings.Join(rows, "\n")
	}
	return ""
}

// setScope copies one field from src into a.
func setScope(a *assess.Assessment, f ScopeField, src assess.Assessment) {
	switch f {
	case ScopeOrg:
		a.Org = src.Org
	case ScopeStatement:
		a.Scope = src.Scope
	case ScopeUnits:
		a.Boundaries.Units = src.Boundaries.Units
	case ScopeLocations:
		a.Boundaries.Locations = src.Boundaries.Locations
	case ScopeServices:
		a.Boundaries.Services = src.Boundaries.Services
	case ScopeSystems:
		a.Boundaries.Systems = src.Boundaries.Systems
	case ScopeInterfaces:
		a.Interfaces = src.Interfaces
	case ScopeLead:
		a.Lead = src.Lead
	case ScopeTarget:
		a.TargetScore = src.TargetScore
	case ScopeExclusions:
		a.Exclusions = src.Exclusions
	case ScopeStakeholders:
		a.Stakeholders = src.Stakeholders
	}
}

// SheetScope is a workbook's Scope & Stakeholders sheet as its reader
// understood it.
type SheetScope struct {
	// Sheet holds the values the sheet shows, in the assessment's fields.
	Sheet assess.Assessment
	// Cells names the cell of each field the sheet has ("Scope & Stakeholders!B11";
	// for a table, its header row); a field without a cell is not there.
	Cells map[ScopeField]string
	// ExclusionCells and StakeholderCells name, per table row, the cell of
	// each column (What, Justification; Name, Department, E-mail).
	ExclusionCells   [][]string
	StakeholderCells [][]string
	// Problems lists the cells the reader could not make sense of.
	Problems []assess.FieldError
}

// scopeWant is a field value a workbook asks for.
type scopeWant struct {
	value assess.Assessment // the field's value is in it
	where string
	book  *SheetScope
}

// addScope takes in a workbook's scope sheet. Its base is the assessment
// as the history says it was when the workbook was written. The tables
// (exclusions, stakeholders) are read only from a full export of this
// assessment: a department's or owner's copy, the blank template and a
// sheet made elsewhere cannot tell a removed row from one never shown, so
// their tables change nothing.
func (m *sheetMerge) addScope(b SheetBook) {
	sc := b.Scope
	m.errs.List = append(m.errs.List, sc.Problems...)
	var base *assess.Assessment
	if b.AssessmentID == m.aid && !b.WrittenAt.IsZero() {
		at := m.assessmentAt(b)
		base = &at
	}
	full := base != nil && b.Filter == ""
	for f := range numScopeFields {
		cell, present := sc.Cells[f]
		if !present || f.table() && !full {
			continue
		}
		v, now := ScopeValue(sc.Sheet, f), ScopeValue(m.a, f)
		switch {
		case base == nil && (v == "" || v == ScopeValue(blankAssessment, f)):
			continue // an empty cell, or the template's own value: no answer
		case base != nil && v == ScopeValue(*base, f):
			continue // the workbook did not change it
		}
		where := b.Name + ": " + cell
		if v != now && (base != nil && ScopeValue(*base, f) != now || base == nil && now != ScopeValue(blankAssessment, f)) {
			c := SheetConflict{Ref: ScopeRef, Field: f.String(), Where: where, Workbook: v, Current: now,
				ChangedAt: m.a.UpdatedAt, Unseen: base == nil}
			if h, ok := m.lastChange("", f.history()); ok {
				c.ChangedBy, c.ChangedAt = h.Actor, h.At
			}
			if !m.conflict(c) {
				continue
			}
		}
		if prev, ok := m.scope[f]; ok && ScopeValue(prev.value, f) != v {
			c := SheetConflict{Ref: ScopeRef, Field: f.String(), Where: prev.where, Workbook: ScopeValue(prev.value, f), Other: where, Current: v}
			if m.prefer == SideOurs {
				c.Resolution = "ours"
			}
			m.conflicts = append(m.conflicts, c)
			m.scope[f] = scopeWant{value: m.a} // ours, or unresolved: isogap's value stays
			continue
		}
		m.scope[f] = scopeWant{value: sc.Sheet, where: where, book: sc}
	}
}

// blankAssessment holds what the blank template shows.
var blankAssessment = assess.Assessment{TargetScore: assess.DefaultTarget}

// assessmentAt is the assessment's header as the history says it was when
// a workbook was written.
func (m *sheetMerge) assessmentAt(b SheetBook) assess.Assessment {
	a := m.a
	hist := m.history()[""]
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		if h.At.Before(b.WrittenAt) {
			break
		}
		old := []byte(h.Old)
		switch h.Field {
		case "org":
			a.Org = h.Old
		case "scope":
			a.Scope = h.Old
		case "interfaces":
			a.Interfaces = h.Old
		case "lead":
			a.Lead = h.Old
		case "target_score":
			a.TargetScore, _ = strconv.Atoi(h.Old)
		case "boundaries":
			a.Boundaries = assess.Boundaries{}
			json.Unmarshal(old, &a.Boundaries)
		case "exclusions":
			a.Exclusions = nil
			json.Unmarshal(old, &a.Exclusions)
		case "stakeholders":
			a.Stakeholders = nil
			json.Unmarshal(old, &a.Stakeholders)
		}
	}
	return a
}

// scopePlan is the assessment as the workbooks leave it, with the changes
// listed; nil when they change nothing. It is validated by the domain's
// rules, each problem named at the cell it comes from.
func (m *sheetMerge) scopePlan() (*assess.Assessment, []SheetChange) {
	next := m.a
	var changes []SheetChange
	from := map[ScopeField]scopeWant{}
	for f := range numScopeFields {
		w, ok := m.scope[f]
		if !ok || ScopeValue(w.value, f) == ScopeValue(m.a, f) {
			continue
		}
		setScope(&next, f, w.value)
		from[f] = w
		changes = append(changes, SheetChange{Ref: ScopeRef, Field: f.String(), Old: ScopeValue(m.a, f), New: ScopeValue(w.value, f), Where: w.where})
	}
	if len(changes) == 0 {
		return nil, nil
	}
	if err := assess.ValidateAssessment(m.cat, next); err != nil {
		for _, fe := range err.(*assess.FieldErrors).List {
			m.errs.Add(scopeCell(fe.Where, from), fe.Value, fe.Where+": "+fe.Problem, fe.Expected)
		}
		return nil, nil
	}
	return &next, changes
}

var tableEntry = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(exclusions|stakeholders)\[([0-9]+)\]\.(\w+)$`) })

// scopeCell names the cell a validation problem of the assessment comes
// from: "stakeholders[2].email" is the third stakeholder's E-mail cell.
func scopeCell(where string, from map[ScopeField]scopeWant) string {
	for f, w := range from {
		name := f.String()
		if where != name && !strings.HasPrefix(where, name+"[") && !strings.HasPrefix(where, name+".") {
			continue
		}
		m := tableEntry().FindStringSubmatch(where)
		if m == nil {
			return w.where
		}
		i, _ := strconv.Atoi(m[2])
		cells, cols := w.book.StakeholderCells, []string{"name", "department", "email"}
		if f == ScopeExclusions {
			cells, cols = w.book.ExclusionCells, []string{"what", "justification"}
		}
		book, _, _ := strings.Cut(w.where, ": ")
		for c, col := range cols {
			if col == m[3] && i < len(cells) && c < len(cells[i]) {
				return book + ": " + cells[i][c]
			}
		}
		return w.where
	}
	return fmt.Sprintf("assessment %s", where)
}
