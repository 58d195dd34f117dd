package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// This file holds the rules of importing checklist workbooks that went
// through other hands: which cells change which item, what counts as a
// conflict with a newer edit in isogap, and applying everything in one
// transaction. The XLSX reading itself is an adapter's job (package
// workbook); it hands over SheetBooks, plain rows of cell texts.

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

// SheetValue is the canonical text of an item's field: what a workbook shows
// once read back, and what a row stamp hashes.
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

// InclusionText shows inclusion codes with their labels, as a workbook does.
func InclusionText(codes []string) string {
	labels := make([]string, len(codes))
	for i, c := range codes {
		labels[i] = assess.ReasonLabel(c)
	}
	return strings.Join(labels, "; ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// SheetStamp is what an exported row carries so that an import can tell what
// the workbook changed from what changed in isogap since the export: the
// assessment, the item and its version, and a short hash of each field.
type SheetStamp struct {
	AssessmentID string
	Ref          string
	Version      int
	hashes       [numSheetFields]string
}

const stampPrefix = "isogap1"

// NewSheetStamp stamps an item as exported now.
func NewSheetStamp(aid string, it assess.Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s/%s/%d/", stampPrefix, aid, it.Ref, it.Version)
	for _, f := range SheetFields {
		b.WriteString(fieldHash(SheetValue(it, f)))
	}
	return b.String()
}

func fieldHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:4])
}

var stampRE = regexp.MustCompile(`^` + stampPrefix + `/([a-z0-9]{1,40})/([A-Za-z0-9.]{1,20})/([0-9]{1,9})/([0-9a-f]{` + strconv.Itoa(8*int(numSheetFields)) + `})$`)

// ParseSheetStamp reads a stamp written by NewSheetStamp.
func ParseSheetStamp(s string) (SheetStamp, error) {
	m := stampRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return SheetStamp{}, fmt.Errorf("not an isogap row stamp")
	}
	st := SheetStamp{AssessmentID: m[1], Ref: m[2]}
	st.Version, _ = strconv.Atoi(m[3])
	for i := range st.hashes {
		st.hashes[i] = m[4][8*i : 8*i+8]
	}
	return st, nil
}

// changed reports whether v differs from the field's value at the export.
func (st SheetStamp) changed(f SheetField, v string) bool { return fieldHash(v) != st.hashes[f] }

// SheetRow is one row of a returned workbook: the texts of the cells that
// belong to item fields, and where each came from ("Gap Checklist!H12").
type SheetRow struct {
	Ref     string
	RefCell string
	// Values holds a text for every field whose column the sheet has; an
	// empty text is an empty cell.
	Values map[SheetField]string
	Cells  map[SheetField]string
	// Stamp is the row's isogap stamp, "" when the row has none.
	Stamp     string
	StampCell string
}

// SheetBook is one returned workbook.
type SheetBook struct {
	// Name is how messages name the file.
	Name string
	Rows []SheetRow
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
}

func (c SheetConflict) String() string {
	if c.Other != "" {
		return fmt.Sprintf("%s %s: %s says %s, %s says %s", c.Ref, c.Field, c.Where, quoteOrEmpty(c.Workbook), c.Other, quoteOrEmpty(c.Current))
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
	// Items counts the items changed.
	Items   int  `json:"items"`
	Applied bool `json:"applied"`
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
	if opt.DryRun {
		err := s.reading(ctx, p, aid, func(t *Service, acc Access) error {
			if err := need(acc.CanImport(), "your role in this assessment (%s) is read-only: it cannot import workbooks", acc.Role); err != nil {
				return err
			}
			plan, err := t.planSheets(ctx, t.store, aid, books, opt.Prefer)
			res = plan.result
			if err != nil {
				return err
			}
			return plan.conflictErr()
		})
		return res, err
	}
	err := s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		if err := need(acc.CanImport(), "your role in this assessment (%s) is read-only: it cannot import workbooks", acc.Role); err != nil {
			return err
		}
		plan, err := t.planSheets(ctx, t.store, aid, books, opt.Prefer)
		res = plan.result
		if err != nil {
			return err
		}
		if err := plan.conflictErr(); err != nil {
			return err
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
}

func (p sheetPlan) conflictErr() error {
	if n := len(p.result.Unresolved()); n > 0 {
		return assess.Errorf(assess.KindConflict, "%d conflicting change(s): nothing was imported; choose which side wins with --theirs (the workbook) or --ours (isogap), or fix the workbook", n)
	}
	return nil
}

// wanted is a field value a workbook asks for.
type wanted struct {
	value, where string
}

func (s *Service) planSheets(ctx context.Context, st store.Store, aid string, books []SheetBook, prefer Side) (sheetPlan, error) {
	var p sheetPlan
	a, err := st.GetAssessment(ctx, aid)
	if err != nil {
		return p, err
	}
	cat, err := s.CatalogOf(ctx, a)
	if err != nil {
		return p, err
	}
	list, err := st.ListItems(ctx, aid)
	if err != nil {
		return p, err
	}
	cur := make(map[string]assess.Item, len(list))
	for _, it := range list {
		cur[it.Ref] = it
	}
	errs := &assess.FieldErrors{Context: "import"}
	want := map[string]map[SheetField]wanted{}
	newEvidence := map[string][]wanted{}
	for _, b := range books {
		seen := map[string]string{}
		for _, row := range b.Rows {
			refWhere := b.Name + ": " + row.RefCell
			ref, ok := cat.LookupRef(row.Ref)
			if !ok {
				errs.Add(refWhere, row.Ref, "unknown ref", "a ref of catalog "+cat.ID+` such as "4.1", "6.1.2" or "A.5.15"`)
				continue
			}
			if prev, dup := seen[ref]; dup {
				errs.Add(refWhere, row.Ref, "the item appears twice in this workbook (also at "+prev+")", "each item on one row")
				continue
			}
			seen[ref] = row.RefCell
			it := cur[ref]
			var stamp *SheetStamp
			if row.Stamp != "" {
				where := b.Name + ": " + row.StampCell
				sp, err := ParseSheetStamp(row.Stamp)
				switch {
				case err != nil:
					errs.Add(where, row.Stamp, "the row's isogap stamp is damaged", "the stamp as exported, or an empty cell for a plain update")
					continue
				case sp.AssessmentID != aid:
					errs.Add(where, sp.AssessmentID, "this row was exported from another assessment", "a workbook exported from assessment "+aid)
					continue
				case sp.Ref != ref:
					errs.Add(where, sp.Ref, "the row's stamp belongs to another item (were cells moved between rows?)", "the stamp of "+ref)
					continue
				}
				stamp = &sp
			}
			values, cells := notApplicableScore(row.Values, row.Cells)
			for _, f := range SheetFields {
				raw, present := values[f]
				if !present {
					continue
				}
				where := b.Name + ": " + cells[f]
				v, ok := canonical(cat, f, raw, errs, where)
				if !ok {
					continue
				}
				if v == "" && (stamp == nil || f == FieldApplicable) {
					continue // an empty cell leaves isogap's value (applicability is never blank)
				}
				if stamp != nil && !stamp.changed(f, v) {
					continue // the workbook did not change it
				}
				if f == FieldEvidence {
					for _, line := range strings.Split(v, "\n") {
						newEvidence[ref] = append(newEvidence[ref], wanted{line, where})
					}
					continue
				}
				now := SheetValue(it, f)
				if stamp != nil && stamp.changed(f, now) && v != now {
					c := SheetConflict{Ref: ref, Field: f.String(), Where: where, Workbook: v, Current: now, ChangedBy: it.UpdatedBy, ChangedAt: it.UpdatedAt}
					switch prefer {
					case SideOurs:
						c.Resolution = "ours"
						p.result.Conflicts = append(p.result.Conflicts, c)
						continue
					case SideTheirs:
						c.Resolution = "theirs"
					}
					p.result.Conflicts = append(p.result.Conflicts, c)
				}
				m := want[ref]
				if m == nil {
					m = map[SheetField]wanted{}
					want[ref] = m
				}
				if prev, ok := m[f]; ok && prev.value != v {
					c := SheetConflict{Ref: ref, Field: f.String(), Where: prev.where, Workbook: prev.value, Other: where, Current: v}
					if prefer == SideOurs {
						c.Resolution = "ours"
					}
					p.result.Conflicts = append(p.result.Conflicts, c)
					m[f] = wanted{SheetValue(it, f), ""} // ours, or unresolved: isogap's value stays
					continue
				}
				m[f] = wanted{v, where}
			}
		}
	}
	// Build each item's patch in catalog order and check the result.
	for _, ci := range cat.Items {
		it, ok := cur[ci.Ref]
		if !ok {
			continue
		}
		ch := itemChange{ref: ci.Ref, version: it.Version}
		where := map[string]string{}
		var changes []SheetChange
		for _, f := range SheetFields {
			w, ok := want[ci.Ref][f]
			if !ok || w.value == SheetValue(it, f) {
				continue
			}
			setPatch(&ch.patch, f, w.value)
			where[f.String()] = w.where
			changes = append(changes, SheetChange{Ref: ci.Ref, Field: f.String(), Old: SheetValue(it, f), New: w.value, Where: w.where})
		}
		have := map[string]bool{}
		for _, e := range it.Evidence {
			have[oneLine(e.Summary())], have[oneLine(e.Text)], have[e.URL] = true, true, true
		}
		for _, w := range newEvidence[ci.Ref] {
			line := oneLine(w.value)
			if line == "" || have[line] {
				continue
			}
			have[line] = true
			ne := evidenceFromLine(line)
			if _, err := buildEvidence("", ne); err != nil {
				for _, fe := range err.(*assess.FieldErrors).List {
					errs.Add(w.where, line, fe.Problem, fe.Expected)
				}
				continue
			}
			ch.evidence = append(ch.evidence, ne)
			changes = append(changes, SheetChange{Ref: ci.Ref, Field: "evidence", New: line, Where: w.where})
		}
		if ch.patch.Empty() && len(ch.evidence) == 0 {
			continue
		}
		if err := assess.ValidateItem(cat, ch.patch.Apply(it)); err != nil {
			for _, fe := range err.(*assess.FieldErrors).List {
				w := where[fe.Where]
				if w == "" {
					w = firstWhere(where)
				}
				errs.Add(w, fe.Value, ci.Ref+" "+fe.Where+": "+fe.Problem, fe.Expected)
			}
			continue
		}
		p.items = append(p.items, ch)
		p.result.Changes = append(p.result.Changes, changes...)
	}
	p.result.Items = len(p.items)
	return p, errs.Err()
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

// canonical turns a cell's text into the field's canonical value, or adds
// an error naming the cell.
func canonical(cat *catalog.Catalog, f SheetField, raw string, errs *assess.FieldErrors, where string) (string, bool) {
	v := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n"))
	bad := func(problem, expected string) (string, bool) {
		errs.Add(where, v, problem, expected)
		return "", false
	}
	switch f {
	case FieldScore:
		s, err := assess.ParseScore(v)
		if err != nil {
			return bad("not a score", `1 to 5, "3 - Partially Implemented", N/A, or empty`)
		}
		if s == assess.Unassessed {
			return "", true
		}
		return strconv.Itoa(int(s)), true
	case FieldApplicable:
		switch strings.ToLower(v) {
		case "yes", "y", "true", "1", "applicable", "x":
			return "Yes", true
		case "no", "n", "false", "0", "n/a", "na", "not applicable", "excluded":
			return "No", true
		case "":
			return "", true
		}
		return bad("not a yes/no answer", "Yes or No")
	case FieldDepartment:
		if v == "" {
			return "", true
		}
		for _, d := range cat.Departments {
			if strings.EqualFold(d, v) {
				return d, true
			}
		}
		return bad("unknown department", strings.Join(cat.Departments, ", "))
	case FieldPriority:
		pr, err := assess.ParsePriority(v)
		if err != nil {
			return bad("unknown priority", "Critical, High, Medium or Low")
		}
		return string(pr), true
	case FieldTargetDate:
		d, err := assess.ParseDate(v)
		if err != nil {
			return bad("not a date", "a date cell or YYYY-MM-DD")
		}
		return d.String(), true
	case FieldEffort:
		if v == "" {
			return "", true
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 1000 {
			return bad("not an effort", "person-days from 0 to 1000, for example 3 or 2.5")
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case FieldInclusion:
		var codes []string
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == '\n' }) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			code, ok := assess.ParseReason(part)
			if !ok {
				return bad("unknown reason for inclusion", "Risk assessment, Legal or contractual, Business requirement or Best practice (several separated by \";\")")
			}
			if !slices.Contains(codes, code) {
				codes = append(codes, code)
			}
		}
		return strings.Join(codes, ";"), true
	case FieldEvidence:
		var lines []string
		for _, l := range strings.Split(v, "\n") {
			if l = oneLine(l); l != "" {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n"), true
	case FieldOwner:
		if len(v) > assess.MaxShortLen {
			return bad("too long", fmt.Sprintf("at most %d characters", assess.MaxShortLen))
		}
	default:
		if len(v) > assess.MaxTextLen {
			return bad("too long", fmt.Sprintf("at most %d characters", assess.MaxTextLen))
		}
	}
	return v, true
}

// notApplicableScore reads a score of "N/A" as "not applicable": the
// score stays as it is and the applicable cell counts as "No".
func notApplicableScore(values, cells map[SheetField]string) (map[SheetField]string, map[SheetField]string) {
	switch strings.ToLower(strings.TrimSpace(values[FieldScore])) {
	case "n/a", "na", "not applicable":
	default:
		return values, cells
	}
	v2, c2 := make(map[SheetField]string, len(values)), make(map[SheetField]string, len(cells)+1)
	for f, v := range values {
		v2[f] = v
	}
	for f, c := range cells {
		c2[f] = c
	}
	delete(v2, FieldScore)
	v2[FieldApplicable] = "No"
	if strings.TrimSpace(values[FieldApplicable]) == "" || c2[FieldApplicable] == "" {
		c2[FieldApplicable] = cells[FieldScore]
	}
	return v2, c2
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

var linkLine = regexp.MustCompile(`^(.*?)\s*<(https?://[^\s<>]+)>$`)

// evidenceFromLine reads one evidence line: a link, "text <link>", or text.
func evidenceFromLine(line string) NewEvidence {
	if strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://") {
		if !strings.ContainsAny(line, " \t") {
			return NewEvidence{URL: line}
		}
	}
	if m := linkLine.FindStringSubmatch(line); m != nil {
		return NewEvidence{Text: m[1], URL: m[2]}
	}
	return NewEvidence{Text: line}
}
