package workbook

import (
	"strings"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// The values below are what the workbook's formulas compute to on the
// cells as written. They are stored with the formulas as cached values, so
// a previewer, or a reader that never recalculates, shows the same figures
// as a spreadsheet program that does. Each mirrors its formula in write.go.

// rowValues are the results of a Gap Checklist row's formulas.
type rowValues struct {
	kind, section        string
	scoreVal, effective  int
	inScope              int
	readiness            float64
	status, evidence     string
	applicable, justific string
}

// checklistValues computes a row's helpers and status from its item.
func checklistValues(ci catalog.Item, it assess.Item) rowValues {
	v := rowValues{kind: ci.Kind, section: ci.Section, inScope: 1,
		evidence: app.SheetValue(it, app.FieldEvidence), applicable: app.SheetValue(it, app.FieldApplicable), justific: it.Justification}
	if it.Score.Assessed() {
		v.scoreVal = int(it.Score)
	}
	v.effective = v.scoreVal
	if v.scoreVal == 5 && strings.TrimSpace(v.evidence) == "" {
		v.effective = 4
	}
	if ci.IsControl() && strings.EqualFold(strings.TrimSpace(v.applicable), "No") {
		v.inScope = 0
	}
	if v.effective >= 1 {
		v.readiness = float64(v.effective-1) / 4
	}
	switch {
	case v.inScope == 0:
		v.status = assess.StatusNotApplicable
	case v.scoreVal == 0:
		v.status = "Not Assessed"
	case v.scoreVal == 5 && v.effective == 4:
		v.status = statusUnevidenced5
	default:
		v.status = assess.Score(v.scoreVal).Label()
	}
	return v
}

// statusUnevidenced5 is the status formula's text for a 5 without evidence.
const statusUnevidenced5 = "Mostly Done (a 5 needs evidence)"

// figureValues are a Dashboard figure row's results.
type figureValues struct {
	readiness, coverage                          any // a fraction, or "—" for a group with nothing applicable
	applicable, assessed, atTarget, notApplicble int
}

// figures aggregates the rows keep selects, as the figure row's COUNTIFS
// and SUMIFS do.
func (w *writer) figures(keep func(rowValues) bool) figureValues {
	var fv figureValues
	sum := 0.0
	for _, v := range w.vals {
		if !keep(v) {
			continue
		}
		if v.inScope == 0 {
			fv.notApplicble++
			continue
		}
		fv.applicable++
		sum += v.readiness
		if v.effective >= 1 {
			fv.assessed++
		}
		if v.effective >= w.target() {
			fv.atTarget++
		}
	}
	fv.readiness, fv.coverage = noFigure, noFigure
	if fv.applicable > 0 {
		fv.readiness, fv.coverage = sum/float64(fv.applicable), float64(fv.assessed)/float64(fv.applicable)
	}
	return fv
}

// noFigure stands for a readiness or coverage of a group without
// applicable items.
const noFigure = "—"

// scoreCount is how many applicable rows have effective score s (0: none).
func (w *writer) scoreCount(s int) int {
	n := 0
	for _, v := range w.vals {
		if v.inScope == 1 && v.effective == s {
			n++
		}
	}
	return n
}

// auditValues are the flagged 5s, the blockers and whether the workbook's
// items are audit-ready.
func (w *writer) auditValues() (flagged, blockers int, ready string) {
	for _, v := range w.vals {
		if v.scoreVal == 5 && v.effective == 4 {
			flagged++
		}
		if v.inScope == 1 && v.effective < w.target() {
			blockers++
		}
		if v.inScope == 0 && strings.TrimSpace(v.justific) == "" {
			blockers++
		}
	}
	for _, x := range w.m.a.Exclusions {
		if strings.TrimSpace(x.What) != "" && strings.TrimSpace(x.Justification) == "" {
			blockers++
		}
	}
	ready = "No"
	if blockers == 0 {
		ready = "Yes"
	}
	return flagged, blockers, ready
}

// excelDate is a date as a spreadsheet's serial day number.
func excelDate(t time.Time) float64 {
	return t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}
