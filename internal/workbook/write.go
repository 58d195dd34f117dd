// Package workbook reads and writes isogap's checklist workbook,
// LM1_ISO27001_Gap_Assessment_Checklist.xlsx: the blank template, the
// export of a live assessment, and the reading of copies that come back.
// It is an adapter: it turns views into cells and cells into app.SheetBooks;
// the rules of an import live in package app.
package workbook

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/chart"
)

// FileName is the workbook's usual name.
const FileName = "LM1_ISO27001_Gap_Assessment_Checklist.xlsx"

// Format marks the workbooks isogap writes (in the hidden sheet).
const Format = "isogap-workbook/v1"

// Sheet names.
const (
	SheetInstructions = "Instructions"
	SheetScope        = "Scope & Stakeholders"
	SheetChecklist    = "Gap Checklist"
	SheetSoA          = "Statement of Applicability"
	SheetActions      = "Action Plan"
	SheetDashboard    = "Dashboard"
	// SheetMeta is hidden: the workbook's format, assessment and export time.
	SheetMeta = "isogap"
)

// Filter narrows an export to one stakeholder's items.
type Filter struct {
	Department string
	Owner      string
}

// Empty reports whether the filter keeps every item.
func (f Filter) Empty() bool { return f.Department == "" && f.Owner == "" }

func (f Filter) String() string {
	switch {
	case f.Department != "":
		return "department " + f.Department
	case f.Owner != "":
		return "owner " + f.Owner
	}
	return ""
}

func (f Filter) keep(it assess.Item) bool {
	if f.Department != "" && !strings.EqualFold(strings.TrimSpace(f.Department), it.Department) {
		return false
	}
	if f.Owner != "" && !strings.EqualFold(strings.TrimSpace(f.Owner), it.Owner) {
		return false
	}
	return true
}

// model is what every sheet is drawn from.
type model struct {
	cat     *catalog.Catalog
	a       assess.Assessment
	stamped bool // a live assessment: rows carry stamps
	items   []assess.Item
	result  assess.Result
	filter  Filter
	now     time.Time
}

// Template writes the blank checklist of a catalog: every item with its
// questions and default department, nothing scored.
func Template(w io.Writer, cat *catalog.Catalog, now time.Time) error {
	items := make([]assess.Item, len(cat.Items))
	for i, ci := range cat.Items {
		items[i] = assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department}
	}
	a := assess.Assessment{TargetScore: assess.DefaultTarget, CatalogID: cat.ID, CatalogVersion: cat.Version}
	return write(w, &model{cat: cat, a: a, items: items, result: assess.Compute(cat, a, items), now: now})
}

// Export writes the workbook of a live assessment, or of the items of one
// department or owner.
func Export(w io.Writer, v app.View, f Filter, now time.Time) error {
	m := &model{cat: v.Catalog, a: v.Assessment, stamped: true, filter: f, now: now}
	for _, it := range v.Items {
		if f.keep(it) {
			m.items = append(m.items, it)
		}
	}
	if len(m.items) == 0 {
		return assess.Errorf(assess.KindNotFound, "no items of assessment %s belong to %s", v.Assessment.ID, f)
	}
	m.result = v.Result
	if len(m.result.Items) == 0 {
		m.result = assess.Compute(v.Catalog, v.Assessment, v.Items)
	}
	return write(w, m)
}

// Gap Checklist columns. The visible ones come first; the helpers the
// Dashboard's formulas read are hidden at the right.
var checklistCols = []column{
	{"Ref", 9, false},
	{"Section", 18, true},
	{"Title", 30, true},
	{"Questions", 55, true},
	{"Department", 16, true},
	{"Applicable", 11, false},
	{"Exclusion Justification", 28, true},
	{"Score (1-5)", 10, false},
	{"Implementation Status", 20, true},
	{"Evidence", 40, true},
	{"Owner", 18, true},
	{"Priority", 10, false},
	{"Target Date", 12, false},
	{"Remediation Action", 36, true},
	{"Effort (days)", 9, false},
	{"Notes", 30, true},
	{StampHeader, 10, false},
	{"isogap: score value", 8, false},
	{"isogap: effective score", 8, false},
	{"isogap: in the figures", 8, false},
	{"isogap: readiness", 8, false},
	{"isogap: section", 8, false},
	{"isogap: kind", 8, false},
}

// column is a sheet column: its header, width and whether it wraps.
type column struct {
	Header string
	Width  float64
	Wrap   bool
}

// headerRow writes a sheet's header row and sets the column widths.
func (w *writer) headerRow(sh string, cols []column) {
	for i, c := range cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		w.text(sh, cell(col, 1), c.Header)
		w.colWidth(sh, col, col, c.Width)
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	w.g(sh).style("A1", cell(last, 1), w.s.header)
	w.g(sh).height(1, 32)
}

// StampHeader heads the hidden column of row stamps.
const StampHeader = "isogap stamp"

// Column letters of the Gap Checklist.
const (
	cRef, cSection, cTitle, cQuestions, cDept, cApplicable, cJustification, cScore, cStatus, cEvidence,
	cOwner, cPriority, cDate, cAction, cEffort, cNotes, cStamp, cScoreVal, cEffective, cInScope, cReadiness,
	cSectionID, cKind = "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W"
)

// Defined names the formulas use, so they read like sentences and survive
// sorting of the checklist.
const (
	nRef        = "chk_ref"
	nSection    = "chk_section"
	nKind       = "chk_kind"
	nScoreVal   = "chk_score"
	nEffective  = "chk_effective"
	nInScope    = "chk_in_scope"
	nReadiness  = "chk_readiness"
	nJustify    = "chk_justification"
	nDept       = "departments"
	nOwners     = "stakeholder_names"
	nExclWhat   = "scope_exclusions"
	nExclReason = "scope_exclusion_reasons"
	nTarget     = "target_score"
)

type writer struct {
	f *excelize.File
	m *model
	s styles
	// checklist rows: first and last data row
	first, last int
	// the cells of each sheet, streamed when all are set
	grids map[string]*grid
	// what the Gap Checklist's formulas compute to, row by row, and the
	// row of each ref
	vals  []rowValues
	rowOf map[string]int
}

// g is the grid of a sheet.
func (w *writer) g(sh string) *grid {
	g := w.grids[sh]
	if g == nil {
		g = newGrid()
		w.grids[sh] = g
	}
	return g
}

type styles struct {
	title, subtitle, header, body, wrap, date, pct, num, label, note, yes, no int
	// input cells of protected sheets: unlocked and shaded
	input, inputDate int
	score            [6]int
}

// wrapping maps the styles that wrap text to the width of their font
// relative to the body font.
func (w *writer) wrapping() map[int]float64 {
	m := map[int]float64{w.s.wrap: 1, w.s.note: 1, w.s.input: 1, w.s.label: 1.1, w.s.header: 1.1}
	for _, s := range w.s.score {
		m[s] = 1.1
	}
	return m
}

// inputFill shades the cells a person may edit on a protected sheet.
const inputFill = "FFF4CC"

func write(w io.Writer, m *model) (err error) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(fastZip)
	wr := &writer{f: f, m: m, grids: map[string]*grid{}, rowOf: map[string]int{}}
	if err := wr.makeStyles(); err != nil {
		return err
	}
	type step struct {
		name string
		fn   func(string) error
	}
	steps := []step{
		{SheetInstructions, wr.instructions},
		{SheetScope, wr.scope},
		{SheetChecklist, wr.checklist},
		{SheetSoA, wr.soa},
		{SheetActions, wr.actions},
		{SheetDashboard, wr.dashboard},
		{SheetMeta, wr.meta},
	}
	if !m.filter.Empty() {
		// One stakeholder's copy: their items and how to answer and
		// return them, nothing else.
		steps = []step{{SheetInstructions, wr.stakeholderInstructions}, {SheetChecklist, wr.checklist}, {SheetMeta, wr.meta}}
	}
	for i, st := range steps {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", st.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(st.name); err != nil {
			return err
		}
	}
	// Both touch every sheet: done before any is streamed, they cost
	// nothing; after, excelize would parse each sheet back.
	idx, _ := f.GetSheetIndex(SheetChecklist)
	f.SetActiveSheet(idx)
	if err := f.SetSheetVisible(SheetMeta, false, true); err != nil {
		return err
	}
	for _, st := range steps {
		if err := st.fn(st.name); err != nil {
			return fmt.Errorf("workbook sheet %s: %w", st.name, err)
		}
		wr.g(st.name).fitRows(wr.wrapping())
		if st.name != SheetMeta {
			if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: wr.printArea(st.name), Scope: st.name}); err != nil {
				return err
			}
		}
		if err := wr.g(st.name).flush(f, st.name); err != nil {
			return fmt.Errorf("workbook sheet %s: %w", st.name, err)
		}
	}
	if err := wr.chartCaches(); err != nil {
		return err
	}
	full := true
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}); err != nil {
		return err
	}
	title := "ISO/IEC 27001:2022 Gap Assessment Checklist"
	if m.a.Org != "" {
		title += " — " + m.a.Org
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "isogap", Created: m.now.UTC().Format(time.RFC3339),
		Modified: m.now.UTC().Format(time.RFC3339), Subject: "ISO/IEC 27001:2022 gap assessment"}); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

func hexColor(h string) string { return strings.TrimPrefix(h, "#") }

func (w *writer) makeStyles() error {
	f := w.f
	var err error
	mk := func(dst *int, s *excelize.Style) {
		if err != nil {
			return
		}
		*dst, err = f.NewStyle(s)
	}
	border := []excelize.Border{{Type: "bottom", Color: "D0D0D0", Style: 1}}
	top := &excelize.Alignment{Vertical: "top"}
	wrapTop := &excelize.Alignment{Vertical: "top", WrapText: true}
	mk(&w.s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F5F8B"}})
	mk(&w.s.subtitle, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F5F8B"}})
	mk(&w.s.header, &excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F5F8B"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}, Border: border})
	mk(&w.s.body, &excelize.Style{Alignment: top, Border: border})
	mk(&w.s.wrap, &excelize.Style{Alignment: wrapTop, Border: border})
	date := "yyyy-mm-dd"
	mk(&w.s.date, &excelize.Style{CustomNumFmt: &date, Alignment: top, Border: border})
	pct := "0.0%"
	mk(&w.s.pct, &excelize.Style{CustomNumFmt: &pct, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "right"}, Border: border})
	mk(&w.s.num, &excelize.Style{Alignment: top, Border: border})
	mk(&w.s.label, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: wrapTop})
	unlocked := &excelize.Protection{Locked: false}
	mk(&w.s.input, &excelize.Style{Alignment: wrapTop, Border: border, Protection: unlocked,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{inputFill}}})
	mk(&w.s.inputDate, &excelize.Style{CustomNumFmt: &date, Alignment: top, Border: border, Protection: unlocked,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{inputFill}}})
	mk(&w.s.note, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "555555"}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	for i, h := range chart.ScoreHex {
		mk(&w.s.score[i], &excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hexColor(h)}},
			Alignment: wrapTop, Border: border, Font: &excelize.Font{Bold: true}})
	}
	return err
}

// cell builds "A12".
func cell(col string, row int) string { return fmt.Sprintf("%s%d", col, row) }

// abs builds "'Sheet'!$A$2:$A$124".
func abs(sheet, col string, first, last int) string {
	return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, col, first, col, last)
}

// text writes user or catalog text as a string: never as a formula, whatever
// it starts with.
func (w *writer) text(sheet, ref, s string) error { w.g(sheet).put(ref, s); return nil }

// styled writes text into one cell with a style.
func (w *writer) styled(sheet, ref, s string, style int) error {
	if err := w.text(sheet, ref, s); err != nil {
		return err
	}
	w.g(sheet).style(ref, ref, style)
	return nil
}

// section writes a heading at row r and under it notes in merged B:C
// cells, numbered if asked, and returns the next free row.
func (w *writer) section(sh string, r int, heading string, numbered bool, texts ...string) int {
	w.styled(sh, cell("A", r), heading, w.s.subtitle)
	r++
	for i, s := range texts {
		if numbered {
			w.styled(sh, cell("A", r), fmt.Sprintf("%d.", i+1), w.s.label)
		}
		w.text(sh, cell("B", r), s)
		w.g(sh).style(cell("B", r), cell("C", r), w.s.note)
		w.g(sh).merge(cell("B", r), cell("C", r))
		r++
	}
	return r
}

func (w *writer) row(sheet string, row int, style int, values ...any) error {
	for i, v := range values {
		col, _ := excelize.ColumnNumberToName(i + 1)
		ref := cell(col, row)
		var err error
		switch x := v.(type) {
		case string:
			err = w.text(sheet, ref, x)
		case nil:
		default:
			w.g(sheet).put(ref, x)
		}
		if err != nil {
			return err
		}
		if style != 0 {
			w.g(sheet).style(ref, ref, style)
		}
	}
	return nil
}

func (w *writer) instructions(sh string) error {
	m := w.m
	w.colWidth(sh, "A", "A", 14)
	w.colWidth(sh, "B", "B", 32)
	w.colWidth(sh, "C", "C", 80)
	w.styled(sh, "A1", "ISO/IEC 27001:2022 Gap Assessment Checklist", w.s.title)
	r := 3
	info := [][2]string{}
	if w.m.stamped {
		info = append(info, [2]string{"Organisation", m.a.Org}, [2]string{"Assessment", m.a.ID})
	} else {
		info = append(info, [2]string{"Workbook", "Blank template"})
	}
	info = append(info, [2]string{"Catalog", m.cat.Name + " (" + m.cat.Version + ")"},
		[2]string{"Written", m.now.UTC().Format("2006-01-02 15:04 UTC") + " by isogap"},
		[2]string{"Target score", fmt.Sprint(w.target())})
	for _, kv := range info {
		w.text(sh, cell("A", r), kv[0])
		w.g(sh).style(cell("A", r), cell("A", r), w.s.label)
		w.text(sh, cell("B", r), kv[1])
		r++
	}
	r = w.scoringGuide(sh, r+1) + 1
	r = w.section(sh, r, "How to fill in this workbook", true,
		"Work in the sheet \"Gap Checklist\": one row per clause requirement (4.1 … 10.2) and Annex A control (A.5.1 … A.8.34). Read the questions, then answer on the same row.",
		"Score (1-5): pick 1 to 5 from the drop-down using the table above. Leave it empty if the item is not assessed yet; empty scores count 0 in readiness and lower the coverage.",
		"A 5 needs evidence: a 5 with an empty Evidence cell counts as 4 everywhere and is flagged.",
		"Evidence: one piece of evidence per line (Alt+Enter starts a new line in Excel, Ctrl+Enter in LibreOffice): a document name, a record, or a link.",
		"Applicable: clause requirements are always applicable. An Annex A control may be set to No only with a written Exclusion Justification (ISO/IEC 27001 6.1.3 d). Excluded controls leave the figures.",
		"Owner, Priority, Target Date, Remediation Action and Effort (person-days) plan the work on every item below the target score. Owners come from the list on \"Scope & Stakeholders\".",
		"Statement of Applicability: give each applicable control its reason for inclusion (risk assessment, legal or contractual, business requirement, best practice) and the details.",
		"The Dashboard and the Implementation Status are formulas over the Gap Checklist: they update as you type. The Dashboard, the Statement of Applicability and the Action Plan are protected without a password so that their formulas stay intact; on the last two, the shaded cells can be edited.",
		"Sort and filter freely with the filter buttons on the header row or Data ▸ Sort: whole rows move, the hidden columns at the right (isogap stamp and the Dashboard's helpers) with them. Send the workbook back as it is.",
	) + 1
	w.section(sh, r, "Returning it to isogap", false,
		"isogap import ID FILE.xlsx [FILE.xlsx …] reads the Gap Checklist wherever its columns stand, the Scope & Stakeholders sheet, and the shaded cells of the Statement of Applicability and the Action Plan. Every file is checked first; on any problem nothing is written and each problem is listed with its sheet and cell.",
		"Each exported row is stamped with the item's version. If an item was changed in isogap since this workbook was written and the workbook changed the same field, the import stops and shows both values: choose with --theirs (the workbook wins) or --ours (isogap wins).",
		"Evidence lines that isogap does not have yet are added; removing a line here never deletes evidence in isogap.",
	)
	return w.printSetup(sh, "")
}

func (w *writer) target() int {
	if t := w.m.a.TargetScore; t >= 1 && t <= 5 {
		return t
	}
	return assess.DefaultTarget
}

// scope writes the scope and the stakeholder list the owner drop-down uses.
func (w *writer) scope(sh string) error {
	f, a := w.f, w.m.a
	w.colWidth(sh, "A", "A", 30)
	w.colWidth(sh, "B", "B", 60)
	w.colWidth(sh, "C", "C", 36)
	w.styled(sh, "A1", "Scope & Stakeholders", w.s.title)
	j := func(xs []string) string { return strings.Join(xs, "\n") }
	r := 3
	for _, kv := range [][2]string{
		{"Organisation", a.Org}, {"ISMS scope", a.Scope}, {"Organisational units", j(a.Boundaries.Units)},
		{"Locations", j(a.Boundaries.Locations)}, {"Products and services", j(a.Boundaries.Services)},
		{"Systems", j(a.Boundaries.Systems)}, {"Interfaces and dependencies", a.Interfaces}, {"Assessment lead", a.Lead},
	} {
		w.text(sh, cell("A", r), kv[0])
		w.g(sh).style(cell("A", r), cell("A", r), w.s.label)
		w.text(sh, cell("B", r), kv[1])
		w.g(sh).style(cell("B", r), cell("B", r), w.s.wrap)
		r++
	}
	w.styled(sh, cell("A", r), "Target score", w.s.label)
	w.g(sh).put(cell("B", r), w.target())
	f.SetDefinedName(&excelize.DefinedName{Name: nTarget, RefersTo: fmt.Sprintf("'%s'!$B$%d", sh, r)})
	r += 2

	w.styled(sh, cell("A", r), "Scope exclusions", w.s.subtitle)
	r++
	w.row(sh, r, w.s.header, "Excluded from the scope", "Justification")
	r++
	first := r
	for _, x := range a.Exclusions {
		w.row(sh, r, w.s.wrap, x.What, x.Justification)
		r++
	}
	for range 5 {
		w.row(sh, r, w.s.wrap, "", "")
		r++
	}
	f.SetDefinedName(&excelize.DefinedName{Name: nExclWhat, RefersTo: abs(sh, "A", first, r-1)})
	f.SetDefinedName(&excelize.DefinedName{Name: nExclReason, RefersTo: abs(sh, "B", first, r-1)})
	r++

	w.styled(sh, cell("A", r), "Stakeholders", w.s.subtitle)
	r++
	w.row(sh, r, w.s.header, "Name", "Department", "E-mail")
	r++
	first = r
	for _, s := range a.Stakeholders {
		w.row(sh, r, w.s.wrap, s.Name, s.Department, s.Email)
		r++
	}
	for range 15 {
		w.row(sh, r, w.s.wrap, "", "", "")
		r++
	}
	f.SetDefinedName(&excelize.DefinedName{Name: nOwners, RefersTo: abs(sh, "A", first, r-1)})
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(fmt.Sprintf("B%d:B%d", first, r-1))
	dv.SetSqrefDropList(nDept)
	dv.SetError(excelize.DataValidationErrorStyleStop, "Department", "Pick a department from the list.")
	if err := f.AddDataValidation(sh, dv); err != nil {
		return err
	}
	r++

	w.styled(sh, cell("A", r), "Departments", w.s.subtitle)
	r++
	first = r
	for _, d := range w.m.cat.Departments {
		w.text(sh, cell("A", r), d)
		r++
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: nDept, RefersTo: abs(sh, "A", first, max(first, r-1))}); err != nil {
		return err
	}
	return w.printSetup(sh, "")
}

// checklist writes the Gap Checklist: one row per item, the status and the
// Dashboard's helpers as formulas.
func (w *writer) checklist(sh string) error {
	f, m := w.f, w.m
	w.headerRow(sh, checklistCols)
	w.first, w.last = 2, len(m.items)+1
	for i, it := range m.items {
		r := i + 2
		ci, _ := m.cat.Item(it.Ref)
		sec, _ := m.cat.Section(ci.Section)
		put := func(col, s string) error { return w.text(sh, cell(col, r), s) }
		for _, kv := range []struct{ col, v string }{
			{cRef, it.Ref}, {cSection, strings.TrimSpace(sec.ID + " " + sec.Title)}, {cTitle, ci.Title},
			{cQuestions, questions(ci)}, {cDept, it.Department}, {cApplicable, app.SheetValue(it, app.FieldApplicable)},
			{cJustification, it.Justification}, {cEvidence, app.SheetValue(it, app.FieldEvidence)}, {cOwner, it.Owner},
			{cPriority, string(it.Priority)}, {cAction, it.Action}, {cNotes, it.Notes}, {cSectionID, ci.Section}, {cKind, ci.Kind},
		} {
			if err := put(kv.col, kv.v); err != nil {
				return err
			}
		}
		g := w.g(sh)
		if it.Score.Assessed() {
			g.put(cell(cScore, r), int(it.Score))
		}
		if !it.TargetDate.IsZero() {
			g.put(cell(cDate, r), excelDate(it.TargetDate.Time()))
		}
		if it.EffortDays != nil {
			g.put(cell(cEffort, r), *it.EffortDays)
		}
		v := checklistValues(ci, it)
		w.vals = append(w.vals, v)
		w.rowOf[it.Ref] = r
		if m.stamped {
			put(cStamp, newStamp(m.a.ID, it))
		}
		inScope := "1"
		if ci.IsControl() {
			inScope = fmt.Sprintf(`IF(OR(UPPER(TRIM(%[1]s%[3]d))="NO",UPPER(TRIM(%[2]s%[3]d))="N/A"),0,1)`, cApplicable, cScore, r)
		}
		for _, fm := range []struct {
			col, formula string
			cached       any
		}{
			{cScoreVal, fmt.Sprintf(`IFERROR(MATCH(--LEFT(TRIM(%s%d),1),{1,2,3,4,5},0),0)`, cScore, r), v.scoreVal},
			{cEffective, fmt.Sprintf(`IF(AND(%[1]s%[3]d=5,LEN(TRIM(%[2]s%[3]d))=0),4,%[1]s%[3]d)`, cScoreVal, cEvidence, r), v.effective},
			{cInScope, inScope, v.inScope},
			{cReadiness, fmt.Sprintf(`IF(%[1]s%[2]d>=1,(%[1]s%[2]d-1)/4,0)`, cEffective, r), v.readiness},
			{cStatus, fmt.Sprintf(`IF(%[1]s%[4]d=0,"%[5]s",IF(%[2]s%[4]d=0,"Not Assessed",IF(AND(%[2]s%[4]d=5,%[3]s%[4]d=4),"%[6]s",CHOOSE(%[2]s%[4]d,"Not Started","Planning Only","Partially Implemented","Mostly Done","Fully Implemented & Evidenced"))))`,
				cInScope, cScoreVal, cEffective, r, assess.StatusNotApplicable, statusUnevidenced5), v.status},
		} {
			g.formula(cell(fm.col, r), fm.formula, fm.cached)
		}
	}
	n := max(w.last, 2)
	// Styles by column.
	for i, c := range checklistCols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		st := w.s.body
		switch {
		case col == cDate:
			st = w.s.date
		case c.Wrap:
			st = w.s.wrap
		}
		w.g(sh).style(cell(col, 2), cell(col, n), st)
	}
	if err := f.SetColVisible(sh, cStamp+":"+cKind, false); err != nil {
		return err
	}
	for _, dn := range []struct{ name, col string }{
		{nRef, cRef}, {nSection, cSectionID}, {nKind, cKind}, {nScoreVal, cScoreVal}, {nEffective, cEffective},
		{nInScope, cInScope}, {nReadiness, cReadiness}, {nJustify, cJustification},
	} {
		if err := f.SetDefinedName(&excelize.DefinedName{Name: dn.name, RefersTo: abs(sh, dn.col, 2, n)}); err != nil {
			return err
		}
	}
	if err := w.checklistValidation(sh, n); err != nil {
		return err
	}
	if err := w.scoreColours(sh, n); err != nil {
		return err
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "H2", ActiveCell: "H2", Pane: "bottomRight"}}}); err != nil {
		return err
	}
	// The filter range spans the hidden columns too: sorting it moves each
	// row whole, stamp and helpers included.
	if err := f.AutoFilter(sh, fmt.Sprintf("A1:%s%d", cKind, n), nil); err != nil {
		return err
	}
	return w.printSetup(sh, fmt.Sprintf("'%s'!$1:$1", sh))
}

func questions(ci catalog.Item) string {
	qs := make([]string, len(ci.Questions))
	for i, q := range ci.Questions {
		qs[i] = "• " + q.Text
	}
	return strings.Join(qs, "\n")
}

// note writes a note across columns A to last at row r.
func (w *writer) note(sh string, r int, last, text string) {
	w.text(sh, cell("A", r), text)
	w.g(sh).style(cell("A", r), cell(last, r), w.s.note)
	w.g(sh).merge(cell("A", r), cell(last, r))
}

// protect protects a sheet that shows formulas, without a password: its
// input cells (styled unlocked) stay editable, and filtering, sorting and
// resizing stay allowed.
func (w *writer) protect(sh string) error {
	return w.f.ProtectSheet(sh, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true,
		AutoFilter: true, Sort: true, FormatColumns: true, FormatRows: true})
}

// printArea is what a sheet prints: its cells without the hidden
// helpers, and on the Dashboard the charts beside the figures.
func (w *writer) printArea(sh string) string {
	g := w.g(sh)
	col, _ := excelize.ColumnNumberToName(max(g.maxCol, 1))
	rows := max(g.maxRow, 1)
	switch sh {
	case SheetChecklist:
		col = cNotes
	case SheetDashboard:
		col, rows = "R", max(rows, dashboardChartsEnd)
	}
	return fmt.Sprintf("'%s'!$A$1:$%s$%d", sh, col, rows)
}

// footerTitle names the workbook at the foot of each printed page.
func footerTitle(m *model) string {
	s := "ISO/IEC 27001:2022 gap assessment"
	if m.a.Org != "" {
		s += " — " + strings.ReplaceAll(m.a.Org, "&", "&&")
	}
	return s
}

// dashboardChartsEnd is the row below the Dashboard's last chart.
const dashboardChartsEnd = 52

// printSetup prints a sheet landscape on A4, as wide as one page, with
// titles (rows repeated on each page) if given, and a footer naming the
// sheet and the page.
func (w *writer) printSetup(sh, titles string) error {
	f := w.f
	landscape, a4, one, zero := "landscape", 9, 1, 0
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{
		OddFooter: "&L&8" + footerTitle(w.m) + "&C&8&A&R&8Page &P of &N"}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if titles == "" {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: titles, Scope: sh})
}

func (w *writer) checklistValidation(sh string, n int) error {
	f := w.f
	rng := func(col string) string { return fmt.Sprintf("%s2:%s%d", col, col, n) }
	add := func(col string, set func(dv *excelize.DataValidation) error, style excelize.DataValidationErrorStyle, title, msg, prompt string) error {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(rng(col))
		if err := set(dv); err != nil {
			return err
		}
		dv.SetError(style, title, msg)
		if prompt != "" {
			dv.SetInput(title, prompt)
		}
		return f.AddDataValidation(sh, dv)
	}
	list := func(keys ...string) func(*excelize.DataValidation) error {
		return func(dv *excelize.DataValidation) error { return dv.SetDropList(keys) }
	}
	named := func(name string) func(*excelize.DataValidation) error {
		return func(dv *excelize.DataValidation) error { dv.SetSqrefDropList(name); return nil }
	}
	stop, warn := excelize.DataValidationErrorStyleStop, excelize.DataValidationErrorStyleWarning
	for _, v := range []struct {
		col                string
		set                func(*excelize.DataValidation) error
		style              excelize.DataValidationErrorStyle
		title, msg, prompt string
	}{
		{cScore, list("1", "2", "3", "4", "5"), stop, "Score", "Pick a score from 1 to 5, or leave it empty.",
			"1 Not Started · 2 Planning Only · 3 Partially Implemented · 4 Mostly Done · 5 Fully Implemented & Evidenced (needs evidence)"},
		{cApplicable, list("Yes", "No"), stop, "Applicable", "Yes or No. A control set to No needs an exclusion justification.", ""},
		{cPriority, list("Critical", "High", "Medium", "Low"), stop, "Priority", "Critical, High, Medium or Low.", ""},
		{cDept, named(nDept), stop, "Department", "Pick a department from the list.", ""},
		{cOwner, named(nOwners), warn, "Owner", "This name is not on the list of stakeholders. Keep it anyway?", ""},
		{cDate, func(dv *excelize.DataValidation) error {
			lo, hi := DateSerialRange()
			return dv.SetRange(lo, hi, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween)
		}, stop, "Target Date", "Enter a date from " + DateRangeText() + ", for example 2027-03-31.", ""},
		{cEffort, func(dv *excelize.DataValidation) error {
			return dv.SetRange(0, 1000, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		}, stop, "Effort", "Person-days from 0 to 1000; leave empty for isogap's estimate.", ""},
	} {
		if err := add(v.col, v.set, v.style, v.title, v.msg, v.prompt); err != nil {
			return err
		}
	}
	return nil
}

// scoreColours colours the score and status cells by the effective score,
// in the colours isogap uses everywhere, and greys out excluded rows.
func (w *writer) scoreColours(sh string, n int) error {
	f := w.f
	var rules []excelize.ConditionalFormatOptions
	for s := 5; s >= 0; s-- {
		id, err := f.NewConditionalStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hexColor(chart.ScoreHex[s])}}})
		if err != nil {
			return err
		}
		formula := fmt.Sprintf("AND($%s2=1,$%s2=%d)", cInScope, cEffective, s)
		rules = append(rules, excelize.ConditionalFormatOptions{Type: "formula", Criteria: formula, Format: &id})
	}
	if err := f.SetConditionalFormat(sh, fmt.Sprintf("%s2:%s%d", cScore, cStatus, n), rules); err != nil {
		return err
	}
	grey, err := f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "9E9E9E", Italic: true}})
	if err != nil {
		return err
	}
	return f.SetConditionalFormat(sh, fmt.Sprintf("A2:%s%d", cNotes, n), []excelize.ConditionalFormatOptions{
		{Type: "formula", Criteria: fmt.Sprintf("$%s2=0", cInScope), Format: &grey}})
}

// checklistValue is the value of a ref's Gap Checklist cell in col, or
// empty when the cell is empty.
func (w *writer) checklistValue(ref, col string, empty any) any {
	r, ok := w.rowOf[ref]
	if !ok {
		return empty
	}
	c, _ := excelize.ColumnNameToNumber(col)
	if v := w.g(SheetChecklist).value(c, r); v != nil && v != "" {
		return v
	}
	return empty
}

// shown is what lookup(col, …) computes to for ref: the Gap Checklist
// cell's value as text.
func (w *writer) shown(ref, col string) string {
	switch v := w.checklistValue(ref, col, "").(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// lookup is a formula that shows a Gap Checklist column for the ref in
// column A of the same row, found by value so sorting the checklist is safe.
func lookup(col string, row int) string {
	return fmt.Sprintf(`IFERROR(INDEX('%s'!$%s:$%s,MATCH($A%d,%s,0)+1)&"","")`, SheetChecklist, col, col, row, nRef)
}

func (w *writer) soa(sh string) error {
	f, m := w.f, w.m
	w.headerRow(sh, []column{{"Ref", 9, false}, {"Control", 34, true}, {"Theme", 20, true}, {"Applicable", 11, false},
		{"Justification for Inclusion", 26, true}, {"Inclusion Details", 36, true}, {"Justification for Exclusion", 36, true},
		{"Implementation Status", 22, true}, {"Owner", 18, true}, {"Evidence Reference", 40, true}})
	r := 2
	for _, it := range m.items {
		ci, _ := m.cat.Item(it.Ref)
		if !ci.IsControl() {
			continue
		}
		sec, _ := m.cat.Section(ci.Section)
		w.row(sh, r, 0, it.Ref, ci.Title, sec.ID+" "+sec.Title, nil, inclusionText(it.Inclusion), it.InclusionNote)
		for _, fm := range []struct{ col, src string }{{"D", cApplicable}, {"G", cJustification}, {"H", cStatus}, {"I", cOwner}, {"J", cEvidence}} {
			w.g(sh).formula(cell(fm.col, r), lookup(fm.src, r), w.shown(it.Ref, fm.src))
		}
		r++
	}
	last := max(r-1, 2)
	w.g(sh).style("A2", cell("J", last), w.s.wrap)
	w.g(sh).style("D2", cell("G", last), w.s.input)
	w.note(sh, last+2, "J", "Edit the shaded columns: Applicable, the justification for inclusion and its details, and the justification for exclusion (needed when Applicable is No); isogap imports them. "+
		"Applicable and the justification for exclusion show the Gap Checklist's values until you type over them. The other columns come from the Gap Checklist: edit them there. "+
		"The sheet is protected, without a password, so that its formulas stay intact.")
	yesNo := excelize.NewDataValidation(true)
	yesNo.SetSqref(fmt.Sprintf("D2:D%d", last))
	if err := yesNo.SetDropList([]string{"Yes", "No"}); err != nil {
		return err
	}
	yesNo.SetError(excelize.DataValidationErrorStyleStop, "Applicable", "Yes or No. A control set to No needs a justification for exclusion.")
	if err := f.AddDataValidation(sh, yesNo); err != nil {
		return err
	}
	reasons := make([]string, len(assess.InclusionReasons))
	for i, x := range assess.InclusionReasons {
		reasons[i] = x.Label
	}
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(fmt.Sprintf("E2:E%d", last))
	if err := dv.SetDropList(reasons); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleInformation, "Justification for Inclusion",
		"Several reasons can be listed, separated by \";\".")
	dv.SetInput("Justification for Inclusion", "Risk assessment, Legal or contractual, Business requirement or Best practice; several separated by \";\".")
	if err := f.AddDataValidation(sh, dv); err != nil {
		return err
	}
	f.SetPanes(sh, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"})
	f.AutoFilter(sh, fmt.Sprintf("A1:J%d", last), nil)
	if err := w.protect(sh); err != nil {
		return err
	}
	return w.printSetup(sh, fmt.Sprintf("'%s'!$1:$1", sh))
}

func (w *writer) actions(sh string) error {
	f, m := w.f, w.m
	w.headerRow(sh, []column{{"Ref", 9, false}, {"Title", 34, true}, {"Score", 8, false}, {"Implementation Status", 22, true},
		{"Owner", 18, true}, {"Priority", 10, false}, {"Target Date", 12, false}, {"Remediation Action", 40, true}, {"Effort (days)", 10, false}})
	keep := map[string]bool{}
	for _, it := range m.items {
		keep[it.Ref] = true
	}
	r := 2
	for _, g := range m.result.Gaps() {
		if !keep[g.Ref] {
			continue
		}
		ci, _ := m.cat.Item(g.Ref)
		w.row(sh, r, 0, g.Ref, ci.Title)
		gr := w.g(sh)
		for _, fm := range []struct{ col, src string }{{"C", cScore}, {"D", cStatus}, {"E", cOwner}, {"F", cPriority}, {"H", cAction}} {
			gr.formula(cell(fm.col, r), lookup(fm.src, r), w.shown(g.Ref, fm.src))
		}
		at := fmt.Sprintf(`INDEX('%s'!$%s:$%s,MATCH($A%d,%s,0)+1)`, SheetChecklist, cDate, cDate, r, nRef)
		gr.formula(cell("G", r), fmt.Sprintf(`IFERROR(IF(%s="","",%s),"")`, at, at), w.checklistValue(g.Ref, cDate, ""))
		eff := fmt.Sprintf(`INDEX('%s'!$%s:$%s,MATCH($A%d,%s,0)+1)`, SheetChecklist, cEffort, cEffort, r, nRef)
		gr.formula(cell("I", r), fmt.Sprintf(`IFERROR(IF(%s="",%g,%s),%g)`, eff, ci.EffortDays, eff, ci.EffortDays), w.checklistValue(g.Ref, cEffort, ci.EffortDays))
		r++
	}
	last := max(r-1, 2)
	w.g(sh).style("A2", cell("I", last), w.s.wrap)
	w.g(sh).style("E2", cell("E", last), w.s.input)
	w.g(sh).style("G2", cell("G", last), w.s.inputDate)
	w.g(sh).style("H2", cell("H", last), w.s.input)
	w.note(sh, last+2, "I", fmt.Sprintf("Items below the target score of %d when this workbook was written, largest gap first. "+
		"Edit the shaded columns: owner, target date and remediation action; isogap imports them. They show the Gap Checklist's values until you type over them. "+
		"The other columns come from the Gap Checklist: edit them there. Effort is the override, or the catalog's baseline estimate when none is set. "+
		"The sheet is protected, without a password, so that its formulas stay intact.", w.target()))
	f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	f.AutoFilter(sh, fmt.Sprintf("A1:I%d", last), nil)
	if err := w.protect(sh); err != nil {
		return err
	}
	return w.printSetup(sh, fmt.Sprintf("'%s'!$1:$1", sh))
}

// DashboardLayout says where the Dashboard's figures are, for tests and
// tools that read them back.
type DashboardLayout struct {
	// Figures maps a name ("overall", "clauses", "controls", a section id
	// such as "5" or "A.8") to its row; columns C..H hold readiness,
	// coverage, applicable, assessed, at target, not applicable.
	Figures map[string]int
	// Distribution is the row of the score counts: B not assessed, C..G scores 1..5.
	Distribution int
	// Flagged, BelowTarget, Blockers and AuditReady are cells in column C.
	Flagged, Blockers, AuditReady int
}

// Layout returns where Dashboard figures of a workbook of this catalog stand.
func Layout(cat *catalog.Catalog) DashboardLayout {
	l := DashboardLayout{Figures: map[string]int{}}
	r := 6
	for _, k := range []string{"overall", "clauses", "controls"} {
		l.Figures[k] = r
		r++
	}
	r++
	for _, kind := range []string{catalog.KindClause, catalog.KindControl} {
		r++ // header
		for _, s := range cat.Sections {
			if s.Kind == kind {
				l.Figures[s.ID] = r
				r++
			}
		}
		r += 2
	}
	r++ // header
	l.Distribution = r
	r += 2
	l.Flagged, l.Blockers, l.AuditReady = r, r+1, r+2
	return l
}

// dashboard writes the Dashboard: the title and target, the overall
// figures, a block of figures per clause and per Annex A theme, the score
// distribution, the audit figures, and the charts beside them. Every
// figure is a formula over the Gap Checklist.
func (w *writer) dashboard(sh string) error {
	lay := Layout(w.m.cat)
	w.dashboardTitle(sh)
	w.figureHeader(sh, 5, "")
	w.figureRow(sh, lay.Figures["overall"], "", "Overall", nKind+`,"<>"`, func(v rowValues) bool { return v.kind != "" })
	w.figureRow(sh, lay.Figures["clauses"], "", "Clause requirements (4-10)", nKind+`,"`+catalog.KindClause+`"`,
		func(v rowValues) bool { return v.kind == catalog.KindClause })
	w.figureRow(sh, lay.Figures["controls"], "", "Annex A controls", nKind+`,"`+catalog.KindControl+`"`,
		func(v rowValues) bool { return v.kind == catalog.KindControl })
	blocks, r := w.sectionFigures(sh, lay.Figures["controls"]+2)
	distRow := w.scoreCounts(sh, r)
	w.auditFigures(sh, lay)
	if err := w.dashboardCharts(sh, blocks, distRow); err != nil {
		return err
	}
	if err := w.protect(sh); err != nil {
		return err
	}
	return w.printSetup(sh, "")
}

// dashboardTitle writes the title, the note on what the figures are (and
// whose items they cover) and the target score.
func (w *writer) dashboardTitle(sh string) {
	m := w.m
	w.colWidth(sh, "A", "A", 10)
	w.colWidth(sh, "B", "B", 40)
	w.colWidth(sh, "C", "H", 13)
	title := "Dashboard"
	if m.a.Org != "" {
		title += " — " + m.a.Org
	}
	w.styled(sh, "A1", title, w.s.title)
	sub := "Formulas over the Gap Checklist: they update as scores change, and the sheet is protected (without a password) so that they stay intact. Readiness = mean of (effective score − 1) / 4 over applicable items, unassessed counting 0; coverage = share of applicable items scored; a 5 without evidence counts as 4; excluded controls leave both."
	w.text(sh, "A2", sub)
	w.g(sh).merge("A2", "H2")
	w.g(sh).style("A2", "H2", w.s.note)
	w.g(sh).height(2, 44)
	w.text(sh, "A3", "Target score")
	w.g(sh).style("A3", "B3", w.s.label)
	w.g(sh).merge("A3", "B3")
	w.g(sh).formula("C3", nTarget, w.target())
}

// figureHeader heads a block of figure rows; first names the block,
// across the id and label columns.
func (w *writer) figureHeader(sh string, r int, first string) {
	w.row(sh, r, w.s.header, first, "", "Readiness", "Coverage", "Applicable", "Assessed", "At Target", "Not Applicable")
	if first != "" {
		w.g(sh).merge(cell("A", r), cell("B", r))
	}
}

// figureRow writes the figures of the Gap Checklist's rows that crit
// (COUNTIFS criteria) selects: readiness, coverage, applicable, assessed,
// at target and not applicable, in columns C to H.
func (w *writer) figureRow(sh string, r int, id, label string, crit string, keep func(rowValues) bool) {
	fv := w.figures(keep)
	w.text(sh, cell("A", r), id)
	w.text(sh, cell("B", r), label)
	c := func(extra string) string { return "COUNTIFS(" + crit + extra + ")" }
	appl := c("," + nInScope + ",1")
	for _, fm := range []struct {
		col, formula string
		cached       any
	}{
		{"C", fmt.Sprintf(`IF(%[4]s=0,"%[5]s",SUMIFS(%[1]s,%[2]s,%[3]s,1)/%[4]s)`, nReadiness, crit, nInScope, appl, noFigure), fv.readiness},
		{"D", fmt.Sprintf(`IF(%[2]s=0,"%[3]s",%[1]s/%[2]s)`, c(","+nInScope+`,1,`+nEffective+`,">=1"`), appl, noFigure), fv.coverage},
		{"E", appl, fv.applicable},
		{"F", c("," + nInScope + `,1,` + nEffective + `,">=1"`), fv.assessed},
		{"G", c("," + nInScope + `,1,` + nEffective + `,">="&` + nTarget), fv.atTarget},
		{"H", c("," + nInScope + ",0"), fv.notApplicble},
	} {
		w.g(sh).formula(cell(fm.col, r), fm.formula, fm.cached)
	}
	w.g(sh).style(cell("A", r), cell("B", r), w.s.body)
	w.g(sh).style(cell("C", r), cell("D", r), w.s.pct)
	w.g(sh).style(cell("E", r), cell("H", r), w.s.num)
}

// readinessBlock is a block of section rows, first to end, and the title
// of the chart drawn from it.
type readinessBlock struct {
	title      string
	first, end int
}

// sectionFigures writes, from row r, a block of figures for the clauses
// and one for the Annex A themes, each under its header, and returns the
// blocks and the row after them.
func (w *writer) sectionFigures(sh string, r int) ([]readinessBlock, int) {
	var blocks []readinessBlock
	for _, kind := range []string{catalog.KindClause, catalog.KindControl} {
		label, chart := "By clause", "Readiness by clause"
		if kind == catalog.KindControl {
			label, chart = "By Annex A theme", "Readiness by Annex A theme"
		}
		w.figureHeader(sh, r, label)
		r++
		first := r
		for _, s := range w.m.cat.Sections {
			if s.Kind != kind {
				continue
			}
			w.figureRow(sh, r, s.ID, s.Title, nSection+`,"`+s.ID+`"`, func(v rowValues) bool { return v.section == s.ID })
			r++
		}
		blocks = append(blocks, readinessBlock{chart, first, r - 1})
		r += 2
	}
	return blocks, r
}

// scoreCounts writes, under a header at row r, how many applicable items
// have each effective score (or none), and returns the counts' row.
func (w *writer) scoreCounts(sh string, r int) int {
	w.row(sh, r, w.s.header, "Scores", "Not assessed", "1", "2", "3", "4", "5")
	r++
	w.text(sh, cell("A", r), "Items")
	w.g(sh).formula(cell("B", r), fmt.Sprintf(`COUNTIFS(%s,1,%s,0)`, nInScope, nEffective), w.scoreCount(0))
	for s := 1; s <= 5; s++ {
		col, _ := excelize.ColumnNumberToName(2 + s)
		w.g(sh).formula(cell(col, r), fmt.Sprintf(`COUNTIFS(%s,1,%s,%d)`, nInScope, nEffective, s), w.scoreCount(s))
	}
	w.g(sh).style(cell("A", r), cell("G", r), w.s.num)
	for s := 0; s <= 5; s++ {
		col, _ := excelize.ColumnNumberToName(2 + s)
		w.g(sh).style(cell(col, r-1), cell(col, r-1), w.s.score[s])
	}
	return r
}

// auditFigures writes the 5s without evidence, the audit-readiness
// blockers and whether the assessment is audit-ready.
func (w *writer) auditFigures(sh string, lay DashboardLayout) {
	flagged, blockers, ready := w.auditValues()
	for _, x := range []struct {
		row            int
		label, formula string
		cached         any
	}{
		{lay.Flagged, "Scored 5 without evidence (counted as 4)", fmt.Sprintf(`COUNTIFS(%s,5,%s,4)`, nScoreVal, nEffective), flagged},
		{lay.Blockers, "Audit-readiness blockers", fmt.Sprintf(`COUNTIFS(%s,1,%s,"<"&%s)+SUMPRODUCT((%s=0)*(LEN(TRIM(%s))=0))+SUMPRODUCT((LEN(TRIM(%s))>0)*(LEN(TRIM(%s))=0))`,
			nInScope, nEffective, nTarget, nInScope, nJustify, nExclWhat, nExclReason), blockers},
		{lay.AuditReady, "Audit-ready", fmt.Sprintf(`IF(C%d=0,"Yes","No")`, lay.Blockers), ready},
	} {
		w.text(sh, cell("B", x.row), x.label)
		w.g(sh).style(cell("B", x.row), cell("B", x.row), w.s.label)
		w.g(sh).formula(cell("C", x.row), x.formula, x.cached)
		w.g(sh).style(cell("C", x.row), cell("C", x.row), w.s.num)
	}
}

// dashboardCharts draws the charts down column J, to the right of the
// tables: readiness and coverage of each block, then the score
// distribution.
func (w *writer) dashboardCharts(sh string, blocks []readinessBlock, distRow int) error {
	at := 2
	for _, b := range blocks {
		if err := w.f.AddChart(sh, cell("J", at), readinessChart(sh, b)); err != nil {
			return err
		}
		at += 17
	}
	return w.f.AddChart(sh, cell("J", at), distributionChart(sh, distRow))
}

// readinessChart is the bar chart of a block's readiness and coverage.
func readinessChart(sh string, b readinessBlock) *excelize.Chart {
	one := 1.0
	zero := 0.0
	gap := uint(60)
	return &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{
			{Name: fmt.Sprintf("'%s'!$C$5", sh), Categories: abs(sh, "B", b.first, b.end), Values: abs(sh, "C", b.first, b.end),
				Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F5F8B"}}},
			{Name: fmt.Sprintf("'%s'!$D$5", sh), Categories: abs(sh, "B", b.first, b.end), Values: abs(sh, "D", b.first, b.end),
				Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"9EC5E0"}}},
		},
		Title:     chartTitle(b.title),
		Legend:    excelize.ChartLegend{Position: "bottom", Font: &axisFont},
		XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:     excelize.ChartAxis{Maximum: &one, Minimum: &zero, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: axisFont},
		GapWidth:  &gap,
		Dimension: excelize.ChartDimension{Width: 560, Height: 320},
	}
}

// axisFont is the dark grey of the charts' labels, legible on paper and
// on screen.
var axisFont = excelize.Font{Color: "333333", Size: 9}

// distributionTitle heads the score distribution chart.
const distributionTitle = "Score distribution (applicable items, effective score)"

func chartTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Color: "1F5F8B", Size: 12}}}}
}

// distributionChart is the column chart of the score counts at distRow
// (their header above); chartCaches paints each column in its score's
// colour.
func distributionChart(sh string, distRow int) *excelize.Chart {
	gap := uint(60)
	return &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("'%s'!$A$%d", sh, distRow), Categories: fmt.Sprintf("'%s'!$B$%d:$G$%d", sh, distRow-1, distRow-1),
			Values: fmt.Sprintf("'%s'!$B$%d:$G$%d", sh, distRow, distRow), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hexColor(chart.ScoreHex[0])}}}},
		Title:     chartTitle(distributionTitle),
		Legend:    excelize.ChartLegend{Position: "none"},
		XAxis:     excelize.ChartAxis{Font: axisFont},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, Font: axisFont},
		GapWidth:  &gap,
		Dimension: excelize.ChartDimension{Width: 560, Height: 300},
	}
}

// meta writes the hidden sheet that says what this workbook is.
func (w *writer) meta(sh string) error {
	m := w.m
	aid := ""
	if m.stamped {
		aid = m.a.ID
	}
	rows := [][2]string{
		{"format", Format}, {"assessment_id", aid}, {"org", m.a.Org}, {"catalog_id", m.cat.ID},
		{"catalog_version", m.cat.Version}, {"written_at", m.now.UTC().Format(time.RFC3339)}, {"filter", m.filter.String()},
	}
	for i, kv := range rows {
		if err := w.row(sh, i+1, 0, kv[0], kv[1]); err != nil {
			return err
		}
	}
	if m.filter.Empty() {
		return nil
	}
	// A stakeholder's copy has no Scope & Stakeholders sheet: the lists
	// its drop-downs offer stand here, beside the key-value rows.
	names := make([]string, len(m.a.Stakeholders))
	for i, x := range m.a.Stakeholders {
		names[i] = x.Name
	}
	for _, l := range []struct {
		name, col string
		values    []string
	}{{nDept, "D", m.cat.Departments}, {nOwners, "E", names}} {
		for i, v := range l.values {
			w.text(sh, cell(l.col, i+1), v)
		}
		if err := w.f.SetDefinedName(&excelize.DefinedName{Name: l.name, RefersTo: abs(sh, l.col, 1, max(len(l.values), 1))}); err != nil {
			return err
		}
	}
	return nil
}
