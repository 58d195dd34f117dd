package workbook

import (
	"fmt"
	"strings"

	"github.com/isogap/isogap/internal/assess"
)

// stakeholderInstructions is the first sheet of one department's or
// owner's copy: whose items these are, the scoring guide, how to answer,
// and how to send the file back to the assessor.
func (w *writer) stakeholderInstructions(sh string) error {
	m := w.m
	w.colWidth(sh, "A", "A", 14)
	w.colWidth(sh, "B", "B", 32)
	w.colWidth(sh, "C", "C", 80)
	title := "ISO/IEC 27001:2022 gap assessment — questions for " + strings.TrimPrefix(strings.TrimPrefix(m.filter.String(), "department "), "owner ")
	w.styled(sh, "A1", title, w.s.title)
	assessor := w.assessor()
	r := 3
	for _, kv := range [][2]string{
		{"Organisation", m.a.Org}, {"For", m.filter.String()}, {"Items", fmt.Sprintf("%d clause requirements and controls", len(m.items))},
		{"Assessor", assessor}, {"Written", m.now.UTC().Format("2006-01-02 15:04 UTC") + " by isogap"},
	} {
		w.styled(sh, cell("A", r), kv[0], w.s.label)
		w.text(sh, cell("B", r), kv[1])
		r++
	}
	r = w.scoringGuide(sh, r+1) + 1
	r = w.section(sh, r, "How to answer", true,
		fmt.Sprintf("Work in the sheet \"Gap Checklist\": it holds your %d items, one per row. Read the questions on the row, then answer on the same row.", len(m.items)),
		"Score (1-5): pick 1 to 5 from the drop-down using the table above. Leave it empty if you cannot say yet.",
		"Evidence: one piece of evidence per line (Alt+Enter starts a new line in Excel, Ctrl+Enter in LibreOffice): a document name, a record, or a link. A 5 needs evidence: without it, it counts as 4.",
		"Applicable: an Annex A control may be set to No only with a written Exclusion Justification; clause requirements always apply.",
		"Owner, Priority, Target Date, Remediation Action and Effort (person-days) plan the work on an item that is not yet where it should be. Add a note wherever something needs explaining.",
		"Sort and filter freely; whole rows move, the hidden columns at the right with them. Do not rename the sheet or delete columns.",
	) + 1
	w.section(sh, r, "How to return this", false,
		fmt.Sprintf("Save the file as it is, as .xlsx, and send it back to %s. The assessor imports it into isogap, which checks every cell first and reports any problem by sheet and cell; what was changed in isogap meanwhile is never overwritten without a question.", assessor))
	return w.printSetup(sh, "")
}

// scoringGuide writes the table of scores from row r under its heading
// and returns the row after it.
func (w *writer) scoringGuide(sh string, r int) int {
	w.styled(sh, cell("A", r), "Scoring", w.s.subtitle)
	r++
	w.row(sh, r, w.s.header, "Score", "Implementation Status", "Meaning")
	r++
	for s := assess.Score(1); s <= 5; s++ {
		w.row(sh, r, w.s.wrap, int(s), s.Label(), s.Meaning())
		w.g(sh).style(cell("A", r), cell("B", r), w.s.score[s])
		r++
	}
	return r
}

// assessor names the assessment lead, with their e-mail address when the
// stakeholder list has it.
func (w *writer) assessor() string {
	a := w.m.a
	lead := strings.TrimSpace(a.Lead)
	if lead == "" {
		return "the assessment lead"
	}
	for _, s := range a.Stakeholders {
		if strings.EqualFold(s.Name, lead) && s.Email != "" {
			return lead + " (" + s.Email + ")"
		}
	}
	return lead
}
