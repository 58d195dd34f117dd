package app

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// This file holds the rules of importing checklist workbooks that went
// through other hands: which cells change which item, what counts as a
// conflict with a newer edit in isogap, and applying everything in one
// transaction. The workbook format is an adapter's job (package workbook):
// it reads the cells and the row stamps and hands over SheetBooks, rows of
// field values in SheetValue's form, each with what its stamp says of the
// item at the export.

// SheetField is an item field a checklist workbook carries.
type SheetField int

const (
	FieldScore SheetField = iota
	FieldApplicable
	FieldJustification
	FieldDepartment
	FieldOwner
	FieldPriority
	FieldTargetDate
	FieldAction
	FieldEffort
	FieldNotes
	FieldInclusion
	FieldInclusionNote
	// FieldEvidence lists evidence one per line; an import only adds to it.
	FieldEvidence
	numSheetFields
)

// SheetFields lists every field a workbook row can carry, in stamp order.
var SheetFields = func() []SheetField {
	out := make([]SheetField, numSheetFields)
	for i := range out {
		out[i] = SheetField(i)
	}
	return out
}()

// sheetFieldNames are the names assess.ValidateItem and assess.DiffItems use.
var sheetFieldNames = [numSheetFields]string{"score", "applicable", "justification", "department", "owner", "priority",
	"target_date", "action", "effort_days", "notes", "inclusion", "inclusion_note", "evidence"}

func (f SheetField) String() string { return sheetFieldNames[f] }

// SheetValue is the canonical text of an item's field: the form in which a
// workbook's reader hands values over and the import compares them with
// the item's, and what a row stamp digests.
func SheetValue(it assess.Item, f SheetField) string {
	switch f {
	case FieldScore:
		if it.Score.Assessed() {
			return strconv.Itoa(int(it.Score))
		}
		return ""
	case FieldApplicable:
		if it.Applicable {
			return "Yes"
		}
		return "No"
	case FieldJustification:
		return it.Justification
	case FieldDepartment:
		return it.Department
	case FieldOwner:
		return it.Owner
	case FieldPriority:
		return string(it.Priority)
	case FieldTargetDate:
		return it.TargetDate.String()
	case FieldAction:
		return it.Action
	case FieldEffort:
		if it.EffortDays == nil {
			return ""
		}
		return strconv.FormatFloat(*it.EffortDays, 'f', -1, 64)
	case FieldNotes:
		return it.Notes
	case FieldInclusion:
		return strings.Join(it.Inclusion, ";")
	case FieldInclusionNote:
		return it.InclusionNote
	case FieldEvidence:
		lines := make([]string, len(it.Evidence))
		for i, e := range it.Evidence {
			lines[i] = oneLine(e.Summary())
		}
		return strings.Join(lines, "\n")
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// SheetBase is the item as a row's isogap stamp says it was exported.
type SheetBase struct {
	AssessmentID string
	Ref          string
	Version      int
	// Was reports whether v, in SheetValue's form, was the field's value at
	// the export. (A stamp keeps a digest of each value, not the value.)
	Was func(f SheetField, v string) bool
	// hadLine reports whether an evidence line was the item's at the
	// export (nil when the history cannot tell): a line removed in isogap
	// since then is not added back.
	hadLine func(line string) bool
}

// SheetRow is one row of a returned workbook as its reader understood it.
type SheetRow struct {
	Ref string
	// RefCell and Cells say where the row's texts came from ("Gap Checklist!H12").
	RefCell string
	// Values holds, in SheetValue's form, the value of every field whose
	// column the sheet has and whose cell could be read; "" is an empty cell.
	Values map[SheetField]string
	Cells  map[SheetField]string
	// Base is what the row's stamp (in cell BaseCell) says; nil for a row
	// without a stamp, a plain update.
	Base     *SheetBase
	BaseCell string
	// Problems lists the cells the reader could not make sense of, each
	// named with its file; the import reports them and writes nothing.
	Problems []assess.FieldError
}

// SheetBook is one returned workbook.
type SheetBook struct {
	// Name is how messages name the file.
	Name string
	Rows []SheetRow
	// AssessmentID and WrittenAt are what the workbook says of itself:
	// the assessment it was exported from ("" for the blank template or a
	// sheet made elsewhere) and when it was written (zero when unknown).
	// A row that lost its stamp is read against the item as the history
	// says it was at WrittenAt; where nothing tells a row's base, a value
	// that would replace one set in isogap is a conflict.
	AssessmentID string
	WrittenAt    time.Time
	// SourceCell names where the workbook says so ("isogap!B2").
	SourceCell string
	// Filter says whose copy the workbook is ("department HR"); "" for a
	// full export.
	Filter string
	// Scope is the workbook's Scope & Stakeholders sheet, nil without one.
	Scope *SheetScope
	// Skipped lists the rows the reader left out as plainly not items (a
	// totals row), so that the import can say so.
	Skipped []SheetSkip
}

// SheetSkip is a row left out, and why.
type SheetSkip struct {
	Where string `json:"where"`
	Why   string `json:"why"`
}

// Side says which value wins a conflict.
type Side int

const (
	// SideNone reports conflicts and applies nothing.
	SideNone Side = iota
	// SideTheirs takes the workbook's value.
	SideTheirs
	// SideOurs keeps isogap's value.
	SideOurs
)

// SheetImportOptions steer ImportSheets.
type SheetImportOptions struct {
	DryRun bool
	Prefer Side
}

// SheetChange is one field an import changes (or would change).
type SheetChange struct {
	// Ref is the item's ref, or ScopeRef for the assessment's own fields.
	Ref   string `json:"ref"`
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
	// Where is the cell the new value comes from, with its file.
	Where string `json:"where"`
}

// SheetConflict is a field that both the workbook and isogap changed since
// the export, to different values (or two workbooks changed differently).
type SheetConflict struct {
	Ref      string `json:"ref"`
	Field    string `json:"field"`
	Where    string `json:"where"`
	Workbook string `json:"workbook"`
	Current  string `json:"current"`
	// ChangedBy and ChangedAt say who changed the item in isogap last.
	ChangedBy string    `json:"changed_by,omitempty"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
	// Other names the other workbook's cell when two workbooks disagree.
	Other string `json:"other,omitempty"`
	// Resolution says which side won ("theirs", "ours"), "" when unresolved.
	Resolution string `json:"resolution,omitempty"`
	// Unseen marks a value set in isogap that the workbook would replace
	// although nothing tells that it was seen there (no stamp, no export
	// time): the template, a sheet made elsewhere.
	Unseen bool `json:"unseen,omitempty"`
}

func (c SheetConflict) String() string {
	if c.Other != "" {
		return fmt.Sprintf("%s %s: %s says %s, %s says %s", c.Ref, c.Field, c.Where, quoteOrEmpty(c.Workbook), c.Other, quoteOrEmpty(c.Current))
	}
	if c.Unseen {
		return fmt.Sprintf("%s %s: the workbook (%s) says %s, isogap says %s (set by %s at %s) and nothing in the workbook shows it was seen (no row stamp, no export time)",
			c.Ref, c.Field, c.Where, quoteOrEmpty(c.Workbook), quoteOrEmpty(c.Current), orSomeone(c.ChangedBy), c.ChangedAt.Format("2006-01-02 15:04 MST"))
	}
	return fmt.Sprintf("%s %s: the workbook (%s) says %s, isogap now says %s (changed by %s at %s)", c.Ref, c.Field, c.Where,
		quoteOrEmpty(c.Workbook), quoteOrEmpty(c.Current), orSomeone(c.ChangedBy), c.ChangedAt.Format("2006-01-02 15:04 MST"))
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return "(empty)"
	}
	if len(s) > 80 {
		s = s[:77] + "…"
	}
	return strconv.Quote(s)
}

func orSomeone(s string) string {
	if s == "" {
		return "someone"
	}
	return s
}

// SheetImportResult says what an import changed or would change.
type SheetImportResult struct {
	Changes   []SheetChange   `json:"changes"`
	Conflicts []SheetConflict `json:"conflicts"`
	// Items counts the items changed; Scope says whether the assessment's
	// own fields (the Scope & Stakeholders sheet) change too.
	Items   int  `json:"items"`
	Scope   bool `json:"scope,omitempty"`
	Applied bool `json:"applied"`
	// Warnings are things the import allows that a person may not expect.
	Warnings []SheetWarning `json:"warnings,omitempty"`
}

// SheetWarning is one of them, for an item.
type SheetWarning struct {
	Ref     string `json:"ref"`
	Where   string `json:"where"`
	Message string `json:"message"`
}

// Unresolved lists the conflicts no option settled.
func (r SheetImportResult) Unresolved() []SheetConflict {
	var out []SheetConflict
	for _, c := range r.Conflicts {
		if c.Resolution == "" {
			out = append(out, c)
		}
	}
	return out
}

// ImportSheets applies returned checklist workbooks to an assessment, all of
// them in one transaction. Every file is checked first: any invalid cell
// stops the import, nothing is written and every problem is listed with its
// file, sheet and cell. Rows carrying isogap's stamp change only what the
// workbook changed since the export; a field changed both there and in
// isogap is a conflict, which stops the import unless opt.Prefer says which
// side wins. Rows without a stamp are a plain update of their non-empty
// cells. Evidence lines are only ever added.
//
// p must be allowed to edit every item the workbooks change, as in the web
// app: contributors their own items, and never whether an item applies.
func (s *Service) ImportSheets(ctx context.Context, p Principal, aid string, books []SheetBook, opt SheetImportOptions) (SheetImportResult, error) {
	var res SheetImportResult
	// prepare checks the role, merges the workbooks against the history and
	// refuses unresolved conflicts: the same for a dry run and an import.
	prepare := func(t *Service, acc Access) (sheetPlan, error) {
		if err := need(acc.CanImport(), "your role in this assessment (%s) is read-only: it cannot import workbooks", acc.Role); err != nil {
			return sheetPlan{}, err
		}
		plan, err := t.planSheets(ctx, t.store, aid, books, opt.Prefer)
		res = plan.result
		if err != nil {
			return plan, err
		}
		if plan.scope != nil {
			if err := needScopeEdit(acc); err != nil {
				return plan, err
			}
		}
		return plan, plan.conflictErr()
	}
	if opt.DryRun {
		err := s.reading(ctx, p, aid, func(t *Service, acc Access) error {
			_, err := prepare(t, acc)
			return err
		})
		return res, err
	}
	err := s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		plan, err := prepare(t, acc)
		if err != nil {
			return err
		}
		if plan.scope != nil {
			if _, err := t.updateAssessment(ctx, p, acc, *plan.scope, plan.scope.Version); err != nil {
				return err
			}
		}
		for _, ch := range plan.items {
			cur, err := t.store.GetItem(ctx, aid, ch.ref)
			if err != nil {
				return err
			}
			if err := acc.CheckEdit(cur); err != nil {
				return err
			}
			if !ch.patch.Empty() {
				if err := acc.checkPatch(cur, &ch.patch); err != nil {
					return err
				}
				if _, err := t.updateItem(ctx, p.Name(), aid, ch.ref, ch.version, ch.patch); err != nil {
					return err
				}
			}
			for _, ev := range ch.evidence {
				if _, err := t.addEvidence(ctx, p.Name(), aid, ch.ref, ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
	res.Applied = err == nil
	s.obs.Import(ImportFormatWorkbook, importOutcome(err))
	return res, err
}

type itemChange struct {
	ref      string
	version  int
	patch    ItemPatch
	evidence []NewEvidence
}

type sheetPlan struct {
	result SheetImportResult
	items  []itemChange
	// scope is the assessment's new header, nil when unchanged.
	scope *assess.Assessment
}

func (p sheetPlan) conflictErr() error {
	open := p.result.Unresolved()
	if len(open) == 0 {
		return nil
	}
	// Two workbooks that disagree are settled only by keeping isogap's
	// value (--ours) or by fixing one of them; --theirs cannot pick one.
	copies := 0
	for _, c := range open {
		if c.Other != "" {
			copies++
		}
	}
	hint := "choose which side wins with --theirs (the workbook) or --ours (isogap), or fix the workbook"
	switch {
	case copies == len(open):
		hint = "the workbooks disagree with each other: fix one of them, or keep isogap's values with --ours"
	case copies > 0:
		hint = fmt.Sprintf("--ours keeps isogap's values for all of them; --theirs settles the %d where a workbook differs from isogap, not the %d where the workbooks disagree with each other (fix one of them)", len(open)-copies, copies)
	}
	return assess.Errorf(assess.KindConflict, "%d conflicting change(s): nothing was imported; %s", len(open), hint)
}

// wanted is a field value a workbook asks for.
type wanted struct {
	value, where string
}

// sheetMerge gathers, row by row, what returned workbooks ask of an
// assessment's items, then turns it into one change per item.
type sheetMerge struct {
	aid    string
	cat    *catalog.Catalog
	cur    map[string]assess.Item
	prefer Side
	errs   *assess.FieldErrors
	// want is the value each workbook field asks for, by ref.
	want        map[string]map[SheetField]wanted
	newEvidence map[string][]wanted
	conflicts   []SheetConflict
	// the history, read when a row's base needs it.
	ctx     context.Context
	st      store.Store
	hist    map[string][]assess.Change
	histErr error
	// a is the assessment's header; scope what the workbooks ask of it.
	a     assess.Assessment
	scope map[ScopeField]scopeWant
}

// planSheets works out what the books change, without writing.
func (s *Service) planSheets(ctx context.Context, st store.Store, aid string, books []SheetBook, prefer Side) (sheetPlan, error) {
	m, err := s.newSheetMerge(ctx, st, aid, prefer)
	if err != nil {
		return sheetPlan{}, err
	}
	for _, b := range books {
		m.addBook(b)
	}
	if m.histErr != nil {
		return sheetPlan{}, m.histErr
	}
	p := m.plan()
	return p, m.errs.Err()
}

func (s *Service) newSheetMerge(ctx context.Context, st store.Store, aid string, prefer Side) (*sheetMerge, error) {
	a, err := st.GetAssessment(ctx, aid)
	if err != nil {
		return nil, err
	}
	cat, err := s.CatalogOf(ctx, a)
	if err != nil {
		return nil, err
	}
	list, err := st.ListItems(ctx, aid)
	if err != nil {
		return nil, err
	}
	m := &sheetMerge{aid: aid, cat: cat, cur: make(map[string]assess.Item, len(list)), prefer: prefer, ctx: ctx, st: st, a: a, scope: map[ScopeField]scopeWant{},
		errs: &assess.FieldErrors{Context: "import"}, want: map[string]map[SheetField]wanted{}, newEvidence: map[string][]wanted{}}
	for _, it := range list {
		m.cur[it.Ref] = it
	}
	return m, nil
}

// addBook takes in one workbook's rows.
func (m *sheetMerge) addBook(b SheetBook) {
	if b.AssessmentID != "" && b.AssessmentID != m.aid {
		m.errs.Add(b.Name+": "+orText(b.SourceCell, "workbook"), b.AssessmentID, "this workbook was exported from another assessment",
			"a workbook exported from assessment "+m.aid+" (or the blank template)")
		return
	}
	if b.Scope != nil {
		m.addScope(b)
	}
	seen := map[string]string{}
	foreign := 0
	for _, row := range b.Rows {
		ref, ok := m.rowRef(b.Name, row, seen)
		if !ok {
			continue
		}
		if row.Base != nil && row.Base.AssessmentID != m.aid {
			if foreign++; foreign == 1 {
				m.errs.Add(b.Name+": "+row.BaseCell, row.Base.AssessmentID, "the rows were exported from another assessment",
					"a workbook exported from assessment "+m.aid)
			}
			continue
		}
		base, ok := m.rowBase(b, row, ref)
		if !ok {
			continue
		}
		m.errs.List = append(m.errs.List, row.Problems...)
		for _, f := range SheetFields {
			if v, present := row.Values[f]; present {
				m.addField(ref, f, v, base, b.Name+": "+row.Cells[f])
			}
		}
	}
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// rowRef is the catalog ref a row stands for; a row whose ref is unknown
// or already seen in the same book is an error.
func (m *sheetMerge) rowRef(book string, row SheetRow, seen map[string]string) (string, bool) {
	where := book + ": " + row.RefCell
	ref, ok := m.cat.LookupRef(row.Ref)
	if !ok {
		m.errs.Add(where, row.Ref, "unknown ref", "a ref of catalog "+m.cat.ID+` such as "4.1", "6.1.2" or "A.5.15"`)
		return "", false
	}
	if prev, dup := seen[ref]; dup {
		m.errs.Add(where, row.Ref, "the item appears twice in this workbook (also at "+prev+")", "each item on one row")
		return "", false
	}
	seen[ref] = row.RefCell
	return ref, true
}

// rowBase is the item as the row was exported: what its stamp says (with
// the evidence the history says it had then); for a row that lost its
// stamp, the item as the history says it was when the workbook was
// written; nil where nothing tells (the blank template, a sheet made
// elsewhere).
func (m *sheetMerge) rowBase(b SheetBook, row SheetRow, ref string) (*SheetBase, bool) {
	if row.Base != nil {
		if row.Base.Ref != ref {
			m.errs.Add(b.Name+": "+row.BaseCell, row.Base.Ref, "the row's stamp belongs to another item (were cells moved between rows?)", "the stamp of "+ref)
			return nil, false
		}
		base := *row.Base
		var lines map[string]bool // read from the history when the evidence changed
		base.hadLine = func(l string) bool {
			if lines == nil {
				_, lines = m.itemAt(ref, func(h assess.Change) bool { return h.Version > base.Version })
			}
			return lines[l]
		}
		return &base, true
	}
	if b.AssessmentID != m.aid || b.WrittenAt.IsZero() {
		return nil, true
	}
	vals, lines := m.itemAt(ref, func(h assess.Change) bool { return !h.At.Before(b.WrittenAt) })
	return &SheetBase{AssessmentID: m.aid, Ref: ref, hadLine: func(l string) bool { return lines[l] },
		Was: func(f SheetField, v string) bool {
			if f == FieldEvidence {
				return sameLines(v, vals[f])
			}
			return v == vals[f]
		}}, true
}

func sameLines(a, b string) bool {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// history is the assessment's recorded changes by item ("" for the
// assessment's own fields), oldest first, read once per import.
func (m *sheetMerge) history() map[string][]assess.Change {
	if m.hist == nil {
		m.hist = map[string][]assess.Change{}
		list, err := m.st.History(m.ctx, m.aid, store.HistoryQuery{})
		if err != nil {
			m.histErr = err
		}
		for _, h := range list {
			m.hist[h.Ref] = append(m.hist[h.Ref], h)
		}
	}
	return m.hist
}

// historyFields maps the history's field names to sheet fields.
var historyFields = func() map[string]SheetField {
	out := map[string]SheetField{}
	for _, f := range SheetFields {
		out[f.String()] = f
	}
	return out
}()

// itemAt is an item as it was before the changes that after selects: its
// values in SheetValue's form and its evidence lines.
func (m *sheetMerge) itemAt(ref string, after func(assess.Change) bool) (map[SheetField]string, map[string]bool) {
	it := m.cur[ref]
	vals := map[SheetField]string{}
	for _, f := range SheetFields {
		vals[f] = SheetValue(it, f)
	}
	lines := map[string]bool{}
	for _, e := range it.Evidence {
		lines[oneLine(e.Summary())] = true
	}
	hist := m.history()[ref]
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		if !after(h) {
			continue
		}
		f, ok := historyFields[h.Field]
		switch {
		case !ok:
		case f == FieldEvidence:
			if h.New != "" {
				delete(lines, oneLine(h.New))
			}
			if h.Old != "" {
				lines[oneLine(h.Old)] = true
			}
		case f == FieldApplicable:
			vals[f] = map[string]string{"yes": "Yes", "no": "No"}[h.Old]
		default:
			vals[f] = h.Old
		}
	}
	ev := make([]string, 0, len(lines))
	for l := range lines {
		ev = append(ev, l)
	}
	slices.Sort(ev)
	vals[FieldEvidence] = strings.Join(ev, "\n")
	return vals, lines
}

// freshValue is a field's value in an item nobody has touched.
func (m *sheetMerge) freshValue(ref string, f SheetField) string {
	switch f {
	case FieldApplicable:
		return "Yes"
	case FieldDepartment:
		ci, _ := m.cat.Item(ref)
		return ci.Department
	}
	return ""
}

// lastChange is the newest recorded change of a field of an item.
func (m *sheetMerge) lastChange(ref, field string) (assess.Change, bool) {
	hist := m.history()[ref]
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].Field == field {
			return hist[i], true
		}
	}
	return assess.Change{}, false
}

// conflict records a field both sides changed; it reports whether the
// workbook's value goes ahead (unresolved conflicts stop the import later).
func (m *sheetMerge) conflict(c SheetConflict) bool {
	switch m.prefer {
	case SideOurs:
		c.Resolution = "ours"
	case SideTheirs:
		c.Resolution = "theirs"
	}
	m.conflicts = append(m.conflicts, c)
	return m.prefer != SideOurs
}

// addField takes in one field value of a row: base is the item at the
// export (nil when nothing tells it), where the value's file and cell.
func (m *sheetMerge) addField(ref string, f SheetField, v string, base *SheetBase, where string) {
	if v == "" && (base == nil || f == FieldApplicable) {
		return // an empty cell leaves isogap's value (applicability is never blank)
	}
	if base != nil && base.Was(f, v) {
		return // the workbook did not change it
	}
	it := m.cur[ref]
	if f == FieldEvidence {
		m.addEvidenceLines(it, v, base, where)
		return
	}
	now := SheetValue(it, f)
	switch {
	case v == now:
	case base != nil && !base.Was(f, now), base == nil && now != m.freshValue(ref, f):
		// Both the workbook and isogap changed it since the export; or,
		// with no base, nothing tells that the workbook saw isogap's value.
		c := SheetConflict{Ref: ref, Field: f.String(), Where: where, Workbook: v, Current: now, ChangedBy: it.UpdatedBy, ChangedAt: it.UpdatedAt, Unseen: base == nil}
		if h, ok := m.lastChange(ref, f.String()); ok {
			c.ChangedBy, c.ChangedAt = h.Actor, h.At
		}
		if !m.conflict(c) {
			return
		}
	}
	w := m.want[ref]
	if w == nil {
		w = map[SheetField]wanted{}
		m.want[ref] = w
	}
	if prev, ok := w[f]; ok && prev.value != v {
		// Two workbooks disagree: neither wins; --ours settles it for isogap.
		c := SheetConflict{Ref: ref, Field: f.String(), Where: prev.where, Workbook: prev.value, Other: where, Current: v}
		if m.prefer == SideOurs {
			c.Resolution = "ours"
		}
		m.conflicts = append(m.conflicts, c)
		w[f] = wanted{SheetValue(it, f), ""} // ours, or unresolved: isogap's value stays
		return
	}
	w[f] = wanted{v, where}
}

// addEvidenceLines takes in a row's evidence lines. A line the item had at
// the export and lost since was removed in isogap: it stays removed. Where
// nothing tells the base, a line removed in isogap at some time is a
// conflict.
func (m *sheetMerge) addEvidenceLines(it assess.Item, v string, base *SheetBase, where string) {
	for _, line := range strings.Split(v, "\n") {
		line = oneLine(line)
		if base != nil && base.hadLine != nil && base.hadLine(line) {
			continue
		}
		if base == nil && !m.hasLine(it, line) {
			if h, ok := m.removedLine(it.Ref, line); ok {
				c := SheetConflict{Ref: it.Ref, Field: FieldEvidence.String(), Where: where, Workbook: line, Current: "", ChangedBy: h.Actor, ChangedAt: h.At, Unseen: true}
				if !m.conflict(c) {
					continue
				}
			}
		}
		m.newEvidence[it.Ref] = append(m.newEvidence[it.Ref], wanted{line, where})
	}
}

func (m *sheetMerge) hasLine(it assess.Item, line string) bool {
	for _, e := range it.Evidence {
		if line == oneLine(e.Summary()) || line == oneLine(e.Text) || line == e.URL {
			return true
		}
	}
	return false
}

// removedLine finds the removal of an evidence line in the item's history.
func (m *sheetMerge) removedLine(ref, line string) (assess.Change, bool) {
	hist := m.history()[ref]
	for i := len(hist) - 1; i >= 0; i-- {
		if h := hist[i]; h.Field == "evidence" && h.New == "" && oneLine(h.Old) == line {
			return h, true
		}
	}
	return assess.Change{}, false
}

// plan builds each item's change in catalog order and checks the result.
func (m *sheetMerge) plan() sheetPlan {
	p := sheetPlan{result: SheetImportResult{Conflicts: m.conflicts}}
	p.scope, p.result.Changes = m.scopePlan()
	p.result.Scope = p.scope != nil
	for _, ci := range m.cat.Items {
		it, ok := m.cur[ci.Ref]
		if !ok {
			continue
		}
		ch, changes, ok := m.itemChange(it)
		if !ok || ch.patch.Empty() && len(ch.evidence) == 0 {
			continue
		}
		p.items = append(p.items, ch)
		p.result.Changes = append(p.result.Changes, changes...)
		if next := ch.patch.Apply(it); next.Applicable && next.Score == 5 && len(next.Evidence)+len(ch.evidence) == 0 {
			p.result.Warnings = append(p.result.Warnings, SheetWarning{Ref: it.Ref, Where: m.want[it.Ref][FieldScore].where,
				Message: "scored 5 without evidence: it counts as 4 in every figure until evidence is added"})
		}
	}
	p.result.Items = len(p.items)
	return p
}

// itemChange is what the workbooks change of one item; it is not ok when
// the changed item would be invalid (the problems are listed).
func (m *sheetMerge) itemChange(it assess.Item) (itemChange, []SheetChange, bool) {
	ch := itemChange{ref: it.Ref, version: it.Version}
	where := map[string]string{}
	var changes []SheetChange
	for _, f := range SheetFields {
		w, ok := m.want[it.Ref][f]
		if !ok || w.value == SheetValue(it, f) {
			continue
		}
		setPatch(&ch.patch, f, w.value)
		where[f.String()] = w.where
		changes = append(changes, SheetChange{Ref: it.Ref, Field: f.String(), Old: SheetValue(it, f), New: w.value, Where: w.where})
	}
	changes = append(changes, m.addedEvidence(it, &ch)...)
	if ch.patch.Empty() && len(ch.evidence) == 0 {
		return ch, changes, true
	}
	if err := assess.ValidateItem(m.cat, ch.patch.Apply(it)); err != nil {
		for _, fe := range err.(*assess.FieldErrors).List {
			w := where[fe.Where]
			if w == "" {
				w = firstWhere(where)
			}
			m.errs.Add(w, fe.Value, it.Ref+" "+fe.Where+": "+fe.Problem, fe.Expected)
		}
		return ch, nil, false
	}
	return ch, changes, true
}

// addedEvidence adds to ch the workbooks' evidence lines the item lacks.
func (m *sheetMerge) addedEvidence(it assess.Item, ch *itemChange) []SheetChange {
	var changes []SheetChange
	have := map[string]bool{}
	for _, e := range it.Evidence {
		have[oneLine(e.Summary())], have[oneLine(e.Text)], have[e.URL] = true, true, true
	}
	for _, w := range m.newEvidence[it.Ref] {
		line := oneLine(w.value)
		if line == "" || have[line] {
			continue
		}
		have[line] = true
		ne := evidenceFromLine(line)
		if _, err := buildEvidence("", ne); err != nil {
			for _, fe := range err.(*assess.FieldErrors).List {
				m.errs.Add(w.where, line, fe.Problem, fe.Expected)
			}
			continue
		}
		ch.evidence = append(ch.evidence, ne)
		changes = append(changes, SheetChange{Ref: it.Ref, Field: "evidence", New: line, Where: w.where})
	}
	return changes
}

func firstWhere(m map[string]string) string {
	var ws []string
	for _, w := range m {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	if len(ws) == 0 {
		return "workbook"
	}
	return ws[0]
}

// setPatch sets one field of a patch from its canonical value.
func setPatch(p *ItemPatch, f SheetField, v string) {
	switch f {
	case FieldScore:
		s, _ := assess.ParseScore(v)
		p.Score = &s
	case FieldApplicable:
		b := v == "Yes"
		p.Applicable = &b
	case FieldJustification:
		p.Justification = &v
	case FieldDepartment:
		p.Department = &v
	case FieldOwner:
		p.Owner = &v
	case FieldPriority:
		pr := assess.Priority(v)
		p.Priority = &pr
	case FieldTargetDate:
		d, _ := assess.ParseDate(v)
		p.TargetDate = &d
	case FieldAction:
		p.Action = &v
	case FieldEffort:
		if v == "" {
			p.ClearEffort = true
		} else {
			x, _ := strconv.ParseFloat(v, 64)
			p.EffortDays = &x
		}
	case FieldNotes:
		p.Notes = &v
	case FieldInclusion:
		var codes []string
		if v != "" {
			codes = strings.Split(v, ";")
		}
		p.Inclusion = &codes
	case FieldInclusionNote:
		p.InclusionNote = &v
	}
}

var linkLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*?)\s*<(https?://[^\s<>]+)>$`) })

// evidenceFromLine reads one evidence line: a link, "text <link>", or text.
func evidenceFromLine(line string) NewEvidence {
	if strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://") {
		if !strings.ContainsAny(line, " \t") {
			return NewEvidence{URL: line}
		}
	}
	if m := linkLine().FindStringSubmatch(line); m != nil {
		return NewEvidence{Text: m[1], URL: m[2]}
	}
	return NewEvidence{Text: line}
}
