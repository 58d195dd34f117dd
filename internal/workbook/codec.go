package workbook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// This file is the workbook's cell format: the stamp an exported row
// carries, and how cell texts read back become field values in
// app.SheetValue's form.

// stamp is what an exported row carries so that an import can tell what
// the workbook changed from what changed in isogap since the export: the
// assessment, the item and its version, and a short hash of each field.
type stamp struct {
	AssessmentID string
	Ref          string
	Version      int
	hashes       []string
}

const stampPrefix = "isogap1"

// newStamp stamps an item as exported now.
func newStamp(aid string, it assess.Item) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s/%s/%d/", stampPrefix, aid, it.Ref, it.Version)
	for _, f := range app.SheetFields {
		b.WriteString(fieldHash(app.SheetValue(it, f)))
	}
	return b.String()
}

func fieldHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:4])
}

var stampRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^` + stampPrefix + `/([a-z0-9]{1,40})/([A-Za-z0-9.]{1,20})/([0-9]{1,9})/([0-9a-f]{` + strconv.Itoa(8*len(app.SheetFields)) + `})$`)
})

// parseStamp reads a stamp written by newStamp.
func parseStamp(s string) (stamp, error) {
	m := stampRE().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return stamp{}, fmt.Errorf("not an isogap row stamp")
	}
	st := stamp{AssessmentID: m[1], Ref: m[2], hashes: make([]string, len(app.SheetFields))}
	st.Version, _ = strconv.Atoi(m[3])
	for i := range st.hashes {
		st.hashes[i] = m[4][8*i : 8*i+8]
	}
	return st, nil
}

// was reports whether v was the field's value at the export.
func (st stamp) was(f app.SheetField, v string) bool { return fieldHash(v) == st.hashes[f] }

func (st stamp) base() *app.SheetBase {
	return &app.SheetBase{AssessmentID: st.AssessmentID, Ref: st.Ref, Version: st.Version, Was: st.was}
}

// rawRow is a row as the sheets hold it: cell texts by field.
type rawRow struct {
	ref, refCell     string
	values, cells    map[app.SheetField]string
	stamp, stampCell string
	// status is a typed implementation status, statusCell its cell.
	status, statusCell string
}

// decode turns a row's cell texts into field values and its stamp into
// the item's base. A cell it cannot read is one of the row's problems; a
// damaged stamp leaves the row without values, since what changed cannot
// be told.
func decode(book string, cat *catalog.Catalog, r rawRow, order DateOrder) app.SheetRow {
	row := app.SheetRow{Ref: r.ref, RefCell: r.refCell, Values: map[app.SheetField]string{}, Cells: map[app.SheetField]string{}, BaseCell: r.stampCell}
	errs := &assess.FieldErrors{}
	if r.stamp != "" {
		st, err := parseStamp(r.stamp)
		if err != nil {
			errs.Add(book+": "+r.stampCell, r.stamp, "the row's isogap stamp is damaged", "the stamp as exported, or an empty cell for a plain update")
			row.Problems = errs.List
			return row
		}
		row.Base = st.base()
	}
	values, cells := withStatus(r, errs, book)
	values, cells = notApplicableScore(values, cells)
	for _, f := range app.SheetFields {
		raw, present := values[f]
		if !present {
			continue
		}
		if v, ok := canonical(cat, f, raw, errs, book+": "+cells[f], order); ok {
			row.Values[f], row.Cells[f] = v, cells[f]
		}
	}
	row.Problems = errs.List
	return row
}

// canonical turns a cell's text into the field's canonical value, or adds
// an error naming the cell.
func canonical(cat *catalog.Catalog, f app.SheetField, raw string, errs *assess.FieldErrors, where string, order DateOrder) (string, bool) {
	v := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n"))
	bad := func(problem, expected string) (string, bool) {
		errs.Add(where, v, problem, expected)
		return "", false
	}
	switch f {
	case app.FieldScore:
		s, err := assess.ParseScore(v)
		if err != nil {
			return bad("not a score", `1 to 5, "3 - Partially Implemented", N/A, or empty`)
		}
		if s == assess.Unassessed {
			return "", true
		}
		return strconv.Itoa(int(s)), true
	case app.FieldApplicable:
		switch strings.ToLower(v) {
		case "yes", "y", "true", "1", "applicable", "x":
			return "Yes", true
		case "no", "n", "false", "0", "n/a", "na", "not applicable", "excluded":
			return "No", true
		case "":
			return "", true
		}
		return bad("not a yes/no answer", "Yes or No")
	case app.FieldDepartment:
		if v == "" {
			return "", true
		}
		for _, d := range cat.Departments {
			if strings.EqualFold(d, v) {
				return d, true
			}
		}
		return bad("unknown department", strings.Join(cat.Departments, ", "))
	case app.FieldPriority:
		pr, err := assess.ParsePriority(v)
		if err != nil {
			return bad("unknown priority", "Critical, High, Medium or Low")
		}
		return string(pr), true
	case app.FieldTargetDate:
		if v == "" {
			return "", true
		}
		d, problem := readDate(v, order)
		if problem != nil {
			return bad(problem.problem, problem.expected)
		}
		return d, true
	case app.FieldEffort:
		if v == "" {
			return "", true
		}
		// The range is the domain's to check (assess.ValidateItem).
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return bad("not an effort", "person-days, for example 3 or 2.5")
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case app.FieldInclusion:
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
	case app.FieldEvidence:
		var lines []string
		for _, l := range strings.Split(v, "\n") {
			if l = oneLine(l); l != "" {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n"), true
	}
	// Free text is checked by the domain (assess.ValidateItem), which
	// names the cell through the import.
	return v, true
}

// oneLine collapses a text's white space to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// statusScore reads an implementation status in words: a score, "n/a"
// for not applicable, "" for not assessed; ok is false for other text.
func statusScore(s string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.Contains(t, "a 5 needs evidence"):
		return "5", true // isogap's own words for a 5 without evidence
	case t == "not assessed" || t == "not started yet":
		return "", true
	case t == strings.ToLower(assess.StatusNotApplicable) || t == "n/a" || t == "na" || t == "excluded":
		return "n/a", true
	}
	sc, err := assess.ParseScore(s)
	if err != nil {
		return "", false
	}
	return strconv.Itoa(int(sc)), true
}

// withStatus takes a typed implementation status into the row: the score
// where the score cell is empty; where it is not, a status that says
// otherwise is an error naming both cells.
func withStatus(r rawRow, errs *assess.FieldErrors, book string) (map[app.SheetField]string, map[app.SheetField]string) {
	if r.status == "" {
		return r.values, r.cells
	}
	st, ok := statusScore(r.status)
	if !ok {
		errs.Add(book+": "+r.statusCell, r.status, "not an implementation status", "Not Started, Planning Only, Partially Implemented, Mostly Done, Fully Implemented & Evidenced, Not Applicable, or empty")
		return r.values, r.cells
	}
	values, cells := maps.Clone(r.values), maps.Clone(r.cells)
	raw := strings.TrimSpace(values[app.FieldScore])
	if raw == "" {
		values[app.FieldScore], cells[app.FieldScore] = st, r.statusCell
		if st == "n/a" {
			values[app.FieldScore] = "N/A"
		}
		return values, cells
	}
	sc, scOK := statusScore(raw)
	if scOK && sc != st {
		errs.Add(book+": "+cells[app.FieldScore], raw, fmt.Sprintf("the score contradicts the implementation status in %s (%q)", cellOnly(r.statusCell), r.status),
			"a score and a status that agree, or one of them empty")
	}
	return values, cells
}

// cellOnly drops the sheet from "Sheet!B2".
func cellOnly(where string) string {
	if i := strings.LastIndexByte(where, '!'); i >= 0 {
		return where[i+1:]
	}
	return where
}

// notApplicableScore reads a score of "N/A" as "not applicable": the
// score stays as it is and the applicable cell counts as "No".
func notApplicableScore(values, cells map[app.SheetField]string) (map[app.SheetField]string, map[app.SheetField]string) {
	switch strings.ToLower(strings.TrimSpace(values[app.FieldScore])) {
	case "n/a", "na", "not applicable":
	default:
		return values, cells
	}
	v2, c2 := make(map[app.SheetField]string, len(values)), make(map[app.SheetField]string, len(cells)+1)
	for f, v := range values {
		v2[f] = v
	}
	for f, c := range cells {
		c2[f] = c
	}
	delete(v2, app.FieldScore)
	// The "No" comes from the score cell: a problem with it (a clause
	// requirement is always applicable) is reported there.
	v2[app.FieldApplicable] = "No"
	c2[app.FieldApplicable] = cells[app.FieldScore]
	return v2, c2
}

// inclusionText shows inclusion codes with their labels.
func inclusionText(codes []string) string {
	labels := make([]string, len(codes))
	for i, c := range codes {
		labels[i] = assess.ReasonLabel(c)
	}
	return strings.Join(labels, "; ")
}
