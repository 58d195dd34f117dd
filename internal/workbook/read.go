package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// Limits keep a hostile or broken file from exhausting the machine.
type Limits struct {
	// MaxFileBytes caps the file itself.
	MaxFileBytes int64
	// MaxUnzipped caps the sum of the uncompressed sizes of the zip's entries.
	MaxUnzipped int64
	// MaxEntries caps the number of entries in the zip.
	MaxEntries int
	// MaxRows caps the rows read from one sheet.
	MaxRows int
	// MaxCols caps the columns looked at in a row.
	MaxCols int
}

// DefaultLimits are far above any real checklist (an exported one is
// about 60 KiB with 124 rows) and far below trouble.
var DefaultLimits = Limits{MaxFileBytes: 20 << 20, MaxUnzipped: 128 << 20, MaxEntries: 2000, MaxRows: 10000, MaxCols: 256}

// headerRows is how far down a sheet the header row is looked for.
const headerRows = 30

func invalid(name, where, value, problem, expected string) error {
	e := &assess.FieldErrors{Context: "import"}
	if where != "" {
		name += ": " + where
	}
	e.Add(name, value, problem, expected)
	return e
}

// Options steer reading a workbook.
type Options struct {
	Limits Limits
	// DateOrder reads dates such as 04/05/2027; without it they are refused
	// as ambiguous.
	DateOrder DateOrder
}

// ReadFile reads a returned workbook from disk.
func ReadFile(path string, cat *catalog.Catalog, lim Limits) (app.SheetBook, error) {
	return ReadFileWith(path, cat, Options{Limits: lim})
}

// ReadFileWith is ReadFile with options.
func ReadFileWith(path string, cat *catalog.Catalog, opt Options) (app.SheetBook, error) {
	lim := opt.Limits
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return app.SheetBook{}, invalid(name, "", "", "cannot open the file: "+unwrapPathError(err), "a readable .xlsx file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, lim.MaxFileBytes+1))
	if err != nil {
		return app.SheetBook{}, invalid(name, "", "", "cannot read the file: "+err.Error(), "a readable .xlsx file")
	}
	return ReadWith(name, data, cat, opt)
}

func unwrapPathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Read reads a returned workbook: the Gap Checklist (found by its name, or
// as the sheet whose header has a ref column), the reasons for inclusion
// and the cells typed over on the Statement of Applicability and the Action
// Plan, and the Scope & Stakeholders sheet (readScope). Columns are found by their header text
// wherever they stand. It never panics and never reads past lim. A file it
// cannot read is an error; a cell it cannot read is one of its row's
// Problems, which the import lists with everything else it finds wrong.
func Read(name string, data []byte, cat *catalog.Catalog, lim Limits) (app.SheetBook, error) {
	return ReadWith(name, data, cat, Options{Limits: lim})
}

// ReadWith is Read with options.
func ReadWith(name string, data []byte, cat *catalog.Catalog, opt Options) (book app.SheetBook, err error) {
	lim := opt.Limits
	book.Name = name
	defer func() {
		if p := recover(); p != nil {
			err = invalid(name, "", "", fmt.Sprintf("the workbook is damaged (%v)", p), "an .xlsx file saved by Excel, LibreOffice or isogap")
		}
	}()
	if int64(len(data)) > lim.MaxFileBytes {
		return book, invalid(name, "", "", fmt.Sprintf("the file is larger than %d MiB", lim.MaxFileBytes>>20), "a checklist workbook")
	}
	if err := checkZip(name, data, lim); err != nil {
		return book, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.MaxUnzipped, UnzipXMLSizeLimit: lim.MaxUnzipped})
	if err != nil {
		return book, invalid(name, "", "", "not a readable .xlsx workbook: "+err.Error(), "an .xlsx file saved by Excel, LibreOffice or isogap")
	}
	defer f.Close()
	r := &reader{f: f, name: name, cat: cat, lim: lim, order: opt.DateOrder, cache: map[string][][]string{}}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		r.date1904 = *props.Date1904
	}
	r.readMeta(&book)
	sheet, hdr, err := r.findChecklist()
	if err != nil {
		return book, err
	}
	rows, errs := r.readRows(sheet, hdr, nil, false)
	// The Statement of Applicability and the Action Plan show the
	// checklist's values through formulas; a cell typed over is an edit.
	for _, v := range []struct {
		names   []string
		allowed func(string) bool
	}{{[]string{"statement of applicability", "soa"}, soaFields}, {[]string{"action plan"}, actionFields}} {
		view := r.findSheet(func(n string) bool { return slices.Contains(v.names, n) })
		if view == "" || view == sheet {
			continue
		}
		if hdr, ok, _ := r.header(view, v.allowed); ok {
			var more []assess.FieldError
			rows, more = r.readRows(view, hdr, rows, true)
			errs = append(errs, more...)
		}
	}
	if len(errs) > 0 {
		return book, &assess.FieldErrors{Context: "import", List: errs}
	}
	book.Skipped = r.skipped
	r.readScope(&book)
	for _, row := range rows {
		book.Rows = append(book.Rows, decode(name, cat, row, r.order))
	}
	return book, nil
}

// readMeta takes from the hidden sheet what the workbook says of itself:
// the assessment it was exported from and when it was written. Both tell
// the import the base of a row whose stamp was lost.
func (r *reader) readMeta(book *app.SheetBook) {
	if r.findSheet(func(n string) bool { return n == normHeader(SheetMeta) }) != SheetMeta {
		return
	}
	rows, err := r.sheetRows(SheetMeta)
	if err != nil {
		return
	}
	var format string
	for i, row := range rows {
		if i >= headerRows || len(row) < 2 {
			continue
		}
		v := strings.TrimSpace(row[1])
		switch strings.TrimSpace(row[0]) {
		case "format":
			format = v
		case "assessment_id":
			book.AssessmentID, book.SourceCell = v, SheetMeta+"!"+cellName(1, i+1)
		case "filter":
			book.Filter = v
		case "written_at":
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				book.WrittenAt = t
			}
		}
	}
	if !strings.HasPrefix(format, "isogap-workbook/") {
		book.AssessmentID, book.WrittenAt, book.SourceCell, book.Filter = "", time.Time{}, "", ""
	}
}

// checkZip looks at the zip's directory before anything is unpacked: the
// declared sizes are what archive/zip holds a reader to, so their sum bounds
// what opening the workbook can cost.
func checkZip(name string, data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return invalid(name, "", "", "not an .xlsx workbook (it is not a zip archive: an old .xls, a CSV or a damaged file?)", "an .xlsx file; save it as \"Excel 2007-365 (.xlsx)\"")
	}
	for _, zf := range zr.File {
		if zf.Name == "mimetype" && zf.UncompressedSize64 < 200 {
			if b, err := readSmall(zf); err == nil && strings.Contains(b, "opendocument") {
				return invalid(name, "", "", "an OpenDocument file (.ods), not an .xlsx workbook",
					`an .xlsx file: in LibreOffice, File ▸ Save As… and choose "Excel 2007-365 (.xlsx)"`)
			}
		}
	}
	if len(zr.File) > lim.MaxEntries {
		return invalid(name, "", "", fmt.Sprintf("the archive has %d entries", len(zr.File)), fmt.Sprintf("at most %d", lim.MaxEntries))
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxUnzipped) || zf.UncompressedSize64 > uint64(lim.MaxUnzipped) {
			return invalid(name, "", "", fmt.Sprintf("the archive unpacks to more than %d MiB", lim.MaxUnzipped>>20), "a checklist workbook")
		}
	}
	return nil
}

func readSmall(zf *zip.File) (string, error) {
	rc, err := zf.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 200))
	return string(b), err
}

type reader struct {
	f        *excelize.File
	name     string
	cat      *catalog.Catalog
	lim      Limits
	date1904 bool
	order    DateOrder
	skipped  []app.SheetSkip
	cache    map[string][][]string
}

// isFormula reports whether a cell ("Sheet!B2") holds a formula.
func (r *reader) isFormula(where string) bool {
	sheet, c, ok := strings.Cut(where, "!")
	if !ok {
		return false
	}
	fm, _ := r.f.GetCellFormula(sheet, c)
	return fm != ""
}

// summaryRow reports whether a ref cell labels a totals or averages row.
func summaryRow(ref string) bool {
	n := normHeader(ref)
	for _, w := range []string{"total", "totals", "sum", "average", "avg", "mean", "overall", "subtotal", "sub total", "grand total"} {
		if n == w || strings.HasPrefix(n, w+" ") {
			return true
		}
	}
	return false
}

// column keys beyond the item fields.
const (
	keyRef   = "ref"
	keyStamp = "stamp"
	// keyStatus is the implementation status in words: a score where the
	// score cell is empty, a check on it where not.
	keyStatus = "status"
)

// headerNames maps normalised header texts to a field name (app.SheetField
// names) or keyRef/keyStamp.
var headerNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	add := func(key string, names ...string) {
		for _, n := range names {
			m[normHeader(n)] = key
		}
	}
	add(keyRef, "ref", "reference", "ref no", "ref id", "control id", "control ref", "control reference", "control no",
		"control number", "clause", "clause ref", "clause no", "clause number", "requirement id", "requirement ref",
		"item id", "item ref", "iso ref", "iso 27001 ref", "annex a ref", "clause / control", "control / clause",
		"clause or control")
	add(keyStamp, StampHeader)
	add(keyStatus, "implementation status", "status", "current status", "implementation state")
	add(app.FieldScore.String(), "score", "score 1-5", "score (1-5)", "score 1 to 5", "maturity", "maturity score", "maturity level",
		"rating", "current score", "current maturity", "assessment score", "compliance score", "level")
	add(app.FieldApplicable.String(), "applicable", "applicable?", "applicability", "is applicable", "in scope", "applies",
		"applicable (yes/no)", "applicable y/n")
	add(app.FieldJustification.String(), "exclusion justification", "justification for exclusion", "justification",
		"reason for exclusion", "exclusion reason", "n/a justification", "justification if not applicable", "not applicable justification")
	add(app.FieldDepartment.String(), "department", "dept", "team", "function", "business unit", "responsible department")
	add(app.FieldOwner.String(), "owner", "control owner", "item owner", "responsible", "responsible person", "assigned to",
		"assignee", "accountable", "owner / responsible", "action owner")
	add(app.FieldPriority.String(), "priority", "prio")
	add(app.FieldTargetDate.String(), "target date", "due date", "due", "deadline", "target", "completion date",
		"target completion date", "due by", "target completion", "by when", "target_date", "due_date")
	add(app.FieldAction.String(), "remediation action", "remediation", "action", "actions", "remediation plan", "next steps",
		"planned action", "recommended action", "remediation actions", "corrective action")
	add(app.FieldEffort.String(), "effort", "effort (days)", "effort days", "effort (person-days)", "estimated effort",
		"person-days", "person days", "effort estimate", "effort_days")
	add(app.FieldNotes.String(), "notes", "note", "comments", "comment", "remarks")
	add(app.FieldEvidence.String(), "evidence", "evidence / notes", "evidence/notes", "evidence and notes", "evidence reference",
		"evidence ref", "supporting evidence", "evidence links", "evidence location", "evidence provided")
	add(app.FieldInclusion.String(), "justification for inclusion", "inclusion justification", "reason for inclusion",
		"reasons for inclusion", "inclusion reason", "inclusion")
	add(app.FieldInclusionNote.String(), "inclusion details", "inclusion detail", "inclusion note", "inclusion notes",
		"details of inclusion")
	return m
})

// maybeRef are headers that people give a ref column as often as a
// numbering or a title column: the values under them decide.
var maybeRef = map[string]bool{"#": true, "no": true, "number": true, "item": true, "id": true, "requirement": true,
	"control": true, "item no": true, "s no": true, "sr no": true}

var fieldByName = sync.OnceValue(func() map[string]app.SheetField {
	m := map[string]app.SheetField{}
	for _, f := range app.SheetFields {
		m[f.String()] = f
	}
	return m
})

var (
	parenRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\([^)]*\)`) })
	nonWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9#]+`) })
)

// normHeader makes "Score (1-5)", " SCORE " and "score" the same key.
func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "&", " and ")
	if t := strings.TrimSpace(parenRE().ReplaceAllString(s, " ")); t != "" {
		s = t
	}
	s = nonWord().ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(s), " ")
}

// header is where a sheet's columns stand: its header row and, per key,
// the column index (0-based).
type header struct {
	row  int
	cols map[string]int
}

// checklistFields may come from the Gap Checklist; soaFields from the SoA.
var (
	checklistFields = func(key string) bool { return true }
	soaFields       = func(key string) bool {
		return key == keyRef || key == app.FieldInclusion.String() || key == app.FieldInclusionNote.String() ||
			key == app.FieldApplicable.String() || key == app.FieldJustification.String()
	}
	actionFields = func(key string) bool {
		return key == keyRef || key == app.FieldOwner.String() || key == app.FieldPriority.String() ||
			key == app.FieldTargetDate.String() || key == app.FieldAction.String()
	}
)

// sampleRows is how many rows under a header are looked at to tell what
// an ambiguous column holds.
const sampleRows = 200

// header finds the header row of a sheet: the first row in the top rows
// with a ref column and at least one field column. Where a header could
// name the ref or something else ("#", "No.", "Item", "ID", "Control",
// "Requirement"), the values under it decide: refs such as 4.1 or A.5.15
// make the ref column; numbers 1, 2, 3 and titles do not. It returns an
// error for a header that reads two columns as the same field, or whose
// values leave open which column holds the refs.
func (r *reader) header(sheet string, allowed func(string) bool) (header, bool, error) {
	top, err := r.sheetRows(sheet)
	if err != nil {
		return header{}, false, err
	}
	for n := 1; n <= headerRows && n <= len(top); n++ {
		cells := top[n-1]
		h := header{row: n, cols: map[string]int{}}
		var dup error
		var refs, maybe []int
		for i, c := range cells {
			if i >= r.lim.MaxCols {
				break
			}
			norm := normHeader(c)
			if maybeRef[norm] && allowed(keyRef) {
				maybe = append(maybe, i)
				continue
			}
			key, ok := headerNames()[norm]
			if !ok || !allowed(key) {
				continue
			}
			if key == keyRef {
				refs = append(refs, i)
				continue
			}
			if prev, seen := h.cols[key]; seen {
				if dup == nil {
					dup = invalid(r.name, fmt.Sprintf("%s!%s", sheet, cellName(i, n)), c,
						fmt.Sprintf("two columns are read as %s (%s and %s)", key, cellName(prev, n), cellName(i, n)), "one column per field: rename one of them")
				}
				continue
			}
			h.cols[key] = i
		}
		ref, ok, err := r.refColumn(sheet, top[n:min(len(top), n+sampleRows)], n, refs, maybe)
		if err != nil {
			return header{}, false, err
		}
		if ok && len(h.cols) >= 1 {
			h.cols[keyRef] = ref
			return h, true, dup
		}
	}
	return header{}, false, nil
}

// sheetRows reads a sheet's cells once (raw values, at most the header
// rows and MaxRows+1 more): the header search and the rows share them.
// It is nil for a sheet that has no cells to read (a chart sheet).
func (r *reader) sheetRows(sheet string) ([][]string, error) {
	if rows, ok := r.cache[sheet]; ok {
		return rows, nil
	}
	it, err := r.f.Rows(sheet)
	if err != nil {
		r.cache[sheet] = nil
		return nil, nil // a chart sheet or similar: not ours
	}
	defer it.Close()
	var out [][]string
	for len(out) <= headerRows+r.lim.MaxRows && it.Next() {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, invalid(r.name, fmt.Sprintf("%s!%d", sheet, len(out)+1), "", "the row cannot be read: "+err.Error(), "")
		}
		if len(cells) > r.lim.MaxCols {
			cells = cells[:r.lim.MaxCols]
		}
		out = append(out, cells)
	}
	if err := it.Error(); err != nil {
		return nil, invalid(r.name, sheet, "", "the sheet cannot be read: "+err.Error(), "")
	}
	r.cache[sheet] = out
	return out, nil
}

var refLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?i:a[. ]?)?[0-9]{1,2}(\.[0-9]{1,3})+$`) })

// holdsRefs reports whether most of a column's values under the header are refs.
func (r *reader) holdsRefs(below [][]string, col int) bool {
	refs, filled := 0, 0
	for _, row := range below {
		if col >= len(row) || strings.TrimSpace(row[col]) == "" {
			continue
		}
		filled++
		v := strings.TrimSpace(row[col])
		if _, ok := r.cat.LookupRef(v); ok || refLike().MatchString(v) {
			refs++
		}
	}
	return refs > 0 && 2*refs >= filled
}

// refColumn decides which column holds the refs: the one column whose
// header says so; else, among the columns whose header says so or may,
// the one whose values are refs. Two such columns leave it open.
func (r *reader) refColumn(sheet string, below [][]string, n int, refs, maybe []int) (int, bool, error) {
	if len(refs) == 1 {
		return refs[0], true, nil
	}
	cand := append(append([]int{}, refs...), maybe...)
	var holding []int
	for _, c := range cand {
		if r.holdsRefs(below, c) {
			holding = append(holding, c)
		}
	}
	switch {
	case len(holding) == 1:
		return holding[0], true, nil
	case len(holding) > 1:
		names := make([]string, len(holding))
		for i, c := range holding {
			names[i] = cellName(c, n)
		}
		return 0, false, invalid(r.name, sheet+"!"+names[0], strings.Join(names, ", "),
			"several columns hold refs ("+strings.Join(names, " and ")+"): which one names the item is open",
			"one column of refs (\"4.1\", \"A.5.15\"); rename or clear the others")
	case len(refs) > 1:
		return 0, false, invalid(r.name, sheet+"!"+cellName(refs[1], n), "",
			fmt.Sprintf("two columns are read as ref (%s and %s)", cellName(refs[0], n), cellName(refs[1], n)), "one column per field: rename one of them")
	case len(cand) == 1 && len(below) == 0:
		return cand[0], true, nil // a header without rows yet
	}
	return 0, false, nil
}

func cellName(col0, row int) string {
	c, _ := excelize.CoordinatesToCellName(col0+1, row)
	return c
}

func (r *reader) findSheet(match func(norm string) bool) string {
	for _, s := range r.f.GetSheetList() {
		if match(normHeader(s)) {
			return s
		}
	}
	return ""
}

// findChecklist picks the sheet to read: "Gap Checklist" by name; else a
// sheet whose name says checklist; else the one sheet with a usable header
// that is not one of the workbook's derived sheets.
func (r *reader) findChecklist() (string, header, error) {
	derived := map[string]bool{"statement of applicability": true, "soa": true, "action plan": true, "dashboard": true,
		"instructions": true, "scope and stakeholders": true, normHeader(SheetMeta): true}
	try := func(s string) (header, bool, error) { return r.header(s, checklistFields) }
	if s := r.findSheet(func(n string) bool { return n == "gap checklist" }); s != "" {
		h, ok, err := try(s)
		if err != nil {
			return s, h, err
		}
		if ok {
			return s, h, nil
		}
		return s, h, invalid(r.name, s, "", "no header row with a Ref column and answer columns in the first 30 rows",
			`a header such as "Ref", "Score (1-5)", "Evidence", "Owner"`)
	}
	var found []string
	var hdrs []header
	for _, pass := range []func(string) bool{
		func(n string) bool { return strings.Contains(n, "checklist") || strings.Contains(n, "gap") },
		func(n string) bool { return !derived[n] },
	} {
		for _, s := range r.f.GetSheetList() {
			if !pass(normHeader(s)) {
				continue
			}
			h, ok, err := try(s)
			if err != nil {
				return s, h, err
			}
			if ok {
				found, hdrs = append(found, s), append(hdrs, h)
			}
		}
		if len(found) == 1 {
			return found[0], hdrs[0], nil
		}
		if len(found) > 1 {
			return "", header{}, invalid(r.name, "", strings.Join(found, ", "), "several sheets look like a checklist", `one sheet named "Gap Checklist"`)
		}
	}
	return "", header{}, invalid(r.name, "", strings.Join(r.f.GetSheetList(), ", "), "no sheet \"Gap Checklist\" and no sheet with a Ref column",
		`a sheet "Gap Checklist" whose header row names its columns ("Ref", "Score (1-5)", "Evidence", "Owner" …)`)
}

// readRows reads a sheet's rows below its header and appends them to into;
// with merge, a row whose ref is already there adds its cells to that row.
func (r *reader) readRows(sheet string, h header, into []rawRow, merge bool) ([]rawRow, []assess.FieldError) {
	var errs []assess.FieldError
	add := func(where, value, problem, expected string) {
		errs = append(errs, assess.FieldError{Where: r.name + ": " + where, Value: value, Problem: problem, Expected: expected})
	}
	byRef := map[string]int{}
	for i, row := range into {
		byRef[catalog.NormalizeRef(row.ref)] = i
	}
	all, err := r.sheetRows(sheet)
	if err != nil {
		return into, append(errs, err.(*assess.FieldErrors).List...)
	}
	refCol := h.cols[keyRef]
	for idx, cells := range all {
		n := idx + 1
		if n <= h.row {
			continue
		}
		if n > r.lim.MaxRows+h.row {
			add(sheet, "", fmt.Sprintf("more than %d rows", r.lim.MaxRows), "one row per catalog item")
			break
		}
		get := func(col int) string {
			if col < len(cells) && col < r.lim.MaxCols {
				return cells[col]
			}
			return ""
		}
		ref := strings.TrimSpace(get(refCol))
		values := map[app.SheetField]string{}
		where := map[app.SheetField]string{}
		stampText, stampCell := "", ""
		statusText, statusCell := "", ""
		hasData := false
		for key, col := range h.cols {
			addr := sheet + "!" + cellName(col, n)
			v := get(col)
			switch key {
			case keyRef:
				continue
			case keyStamp:
				stampText, stampCell = strings.TrimSpace(v), addr
				continue
			case keyStatus:
				// isogap's own status is a formula of the score: a view,
				// perhaps not recalculated. Only a typed status counts.
				if strings.TrimSpace(v) != "" {
					if fm, _ := r.f.GetCellFormula(sheet, cellName(col, n)); fm == "" {
						statusText, statusCell = strings.TrimSpace(v), addr
						hasData = true
					}
				}
				continue
			}
			fld := fieldByName()[key]
			if fld == app.FieldTargetDate {
				v = r.dateText(v)
			}
			values[fld], where[fld] = v, addr
			if strings.TrimSpace(v) != "" && fld != app.FieldDepartment && fld != app.FieldApplicable {
				hasData = true
			}
		}
		if ref == "" {
			if hasData {
				add(sheet+"!"+cellName(refCol, n), "", "a row with answers but no ref", "the item's ref (\"5.1\", \"A.5.15\") in this column")
			}
			continue
		}
		if _, ok := r.cat.LookupRef(ref); !ok && stampText == "" {
			if !hasData {
				continue // a heading row ("A.5 Organizational controls") or a note
			}
			if summaryRow(ref) {
				r.skipped = append(r.skipped, app.SheetSkip{Where: fmt.Sprintf("%s!%d", sheet, n),
					Why: fmt.Sprintf("%q is a summary row, not an item", ref)})
				continue
			}
		}
		i, known := byRef[catalog.NormalizeRef(ref)]
		if merge {
			// On a view sheet only what a person typed over counts: a
			// formula shows the checklist's value, and a cleared cell
			// clears nothing. (A value equal to the checklist's changes
			// nothing either way, and spares looking for a formula.)
			for f, v := range values {
				if f == app.FieldInclusion || f == app.FieldInclusionNote {
					continue
				}
				if strings.TrimSpace(v) == "" || known && v == into[i].values[f] || r.isFormula(where[f]) {
					delete(values, f)
					delete(where, f)
				}
			}
		}
		if known && merge {
			for f, v := range values {
				into[i].values[f], into[i].cells[f] = v, where[f]
			}
			continue
		}
		byRef[catalog.NormalizeRef(ref)] = len(into)
		into = append(into, rawRow{ref: ref, refCell: sheet + "!" + cellName(refCol, n), values: values, cells: where,
			stamp: stampText, stampCell: stampCell, status: statusText, statusCell: statusCell})
	}
	return into, errs
}

// dateText turns a date cell (an Excel serial number) into YYYY-MM-DD;
// text is passed on for the codec to read.
func (r *reader) dateText(v string) string {
	t := strings.TrimSpace(v)
	if t == "" {
		return ""
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		if f >= 1 && f < 2958466 {
			if tm, err := excelize.ExcelDateToTime(f, r.date1904); err == nil {
				return tm.Format("2006-01-02")
			}
		}
		return t
	}
	return t // text: the codec reads it (readDate)
}
