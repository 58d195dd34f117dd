package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/interview"
)

// PackInput is what a printed interview guide holds: for whom, about what,
// by when, and the items to go through.
type PackInput struct {
	Catalog    *catalog.Catalog
	Assessment assess.Assessment // its Org and Scope head the guide
	// Interviewee is the person interviewed; empty for a department's guide.
	Interviewee assess.Stakeholder
	// Department the guide is for; empty takes the interviewee's.
	Department string
	Due        assess.Date
	// Items are the items to cover with their current scores; the guide
	// lists them in catalog order whatever their order here.
	Items    []assess.Item
	Assessor string
	// Date is when the guide is printed (the cover and the PDF's dates).
	Date time.Time
}

// DepartmentItems returns the items of one department (compared without
// regard to case or surrounding spaces), in the order given. Excluded
// controls are kept: the guide shows them as not applicable, which the
// interview may confirm.
func DepartmentItems(items []assess.Item, department string) []assess.Item {
	want := strings.TrimSpace(department)
	var out []assess.Item
	for _, it := range items {
		if want != "" && strings.EqualFold(strings.TrimSpace(it.Department), want) {
			out = append(out, it)
		}
	}
	return out
}

// packItem is one item of the guide: the catalog's text and the
// assessment's state.
type packItem struct {
	cat catalog.Item
	its assess.Item
}

// WriteInterviewPack writes a printable A4 interview guide: a cover (who,
// what, scope, due date), a page on how to use it and the 1–5 scale, then
// per item its reference and title, each question with its id, answer boxes
// and lines for comments, the evidence to bring, and boxes for the overall
// score. An item is kept on one page where it fits on one.
func WriteInterviewPack(w io.Writer, v PackInput) error {
	items, err := packItems(v)
	if err != nil {
		return err
	}
	if v.Department == "" {
		v.Department = v.Interviewee.Department
	}
	glyphs, err := pdfGlyphs()
	if err != nil {
		return err
	}
	// The first pass counts the pages for the footers of the second.
	first, err := renderPack(v, items, glyphs, 0)
	if err != nil {
		return err
	}
	final, err := renderPack(v, items, glyphs, first.f.PageNo())
	if err != nil {
		return err
	}
	return final.f.Output(w)
}

// packItems checks the items against the catalog and puts them in its order.
func packItems(v PackInput) ([]packItem, error) {
	if v.Catalog == nil {
		return nil, errors.New("interview guide: no catalog")
	}
	if len(v.Items) == 0 {
		return nil, errors.New("interview guide: no items to cover")
	}
	order := make(map[string]int, len(v.Catalog.Items))
	for i, it := range v.Catalog.Items {
		order[it.Ref] = i
	}
	seen := map[string]bool{}
	out := make([]packItem, 0, len(v.Items))
	for _, it := range v.Items {
		c, ok := v.Catalog.Item(it.Ref)
		if !ok {
			return nil, fmt.Errorf("interview guide: item %q is not in the catalog %s", it.Ref, v.Catalog.ID)
		}
		if seen[it.Ref] {
			return nil, fmt.Errorf("interview guide: item %s is listed twice", it.Ref)
		}
		seen[it.Ref] = true
		out = append(out, packItem{cat: c, its: it})
	}
	slices.SortFunc(out, func(a, b packItem) int { return order[a.cat.Ref] - order[b.cat.Ref] })
	return out, nil
}

// The guide's measures, in mm.
const (
	idColumn  = 20.0 // the question ids' column
	boxSize   = 3.6  // a tick box
	ruleGap   = 7.5  // between the lines to write on
	textLine  = 4.8  // a line of 10 pt text
	smallLine = 4.0  // a line of 8.5 pt text
)

func renderPack(v PackInput, items []packItem, glyphs *glyphSet, total int) (*pdfDoc, error) {
	f := newFpdf("P", v.Date)
	pw, ph := f.GetPageSize()
	p := &pdfDoc{f: f, glyphs: glyphs, width: pw - 2*margin, bottom: ph - margin}
	who := packFor(v)
	p.describe("Interview guide — "+v.Assessment.Org, who, v.Assessor)
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont(font, "", 8)
		setColor(f.SetTextColor, muted)
		p.cell(p.width*0.75, 5, v.Assessment.Org+" · Interview guide · "+who, 0, "L", 0)
		p.cell(p.width*0.25, 5, fmt.Sprintf("Page %d of %d", f.PageNo(), total), 0, "R", 0)
	})
	questions := 0
	for _, it := range items {
		questions += len(it.cat.Questions)
	}
	p.packCover(v, len(items), questions)
	p.packHowTo()
	f.AddPage()
	for _, it := range items {
		p.packItem(it)
	}
	return p, f.Error()
}

// packFor names whom the guide is for: the person, their department, or both.
func packFor(v PackInput) string {
	name := strings.TrimSpace(v.Interviewee.Name)
	dept := strings.TrimSpace(v.Department)
	switch {
	case name != "" && dept != "":
		return name + " (" + dept + ")"
	case name != "":
		return name
	case dept != "":
		return dept
	}
	return "all items listed"
}

func (p *pdfDoc) packCover(v PackInput, items, questions int) {
	f := p.f
	f.AddPage()
	setColor(f.SetFillColor, brand)
	f.Rect(0, 0, p.width+2*margin, 8, "F")
	f.SetY(40)
	f.SetFont(font, "B", 26)
	setColor(f.SetTextColor, brand)
	p.paragraph(p.width, 11, "Interview guide")
	f.Ln(1)
	f.SetFont(font, "", 13)
	setColor(f.SetTextColor, ink)
	p.paragraph(p.width, 6.5, "Gap assessment against "+v.Catalog.Name)
	f.Ln(8)
	f.SetFont(font, "B", 16)
	p.paragraph(p.width, 8, v.Assessment.Org)
	f.Ln(6)

	person := strings.TrimSpace(v.Interviewee.Name)
	if e := strings.TrimSpace(v.Interviewee.Email); e != "" {
		person = strings.TrimSpace(person + " <" + e + ">")
	}
	due := "—"
	if !v.Due.IsZero() {
		due = v.Due.Time().Format("Monday 2 January 2006")
	}
	rows := [][2]string{
		{"Interviewee", orDash(person)},
		{"Department", orDash(v.Department)},
		{"Assessor", orDash(v.Assessor)},
		{"Answers due", due},
		{"To cover", plural(items, "item", "items") + ", " + plural(questions, "question", "questions")},
	}
	if !v.Date.IsZero() {
		rows = append(rows, [2]string{"Printed", longDate(v.Date)})
	}
	for _, r := range rows {
		f.SetFont(font, "", 9)
		setColor(f.SetTextColor, muted)
		p.cell(32, 6.5, strings.ToUpper(r[0]), 0, "L", 0)
		f.SetFont(font, "", 11)
		setColor(f.SetTextColor, ink)
		p.cell(p.width-32, 6.5, r[1], 1, "L", 0)
	}
	f.Ln(5)
	if scope := strings.TrimSpace(v.Assessment.Scope); scope != "" {
		f.SetFont(font, "B", 10)
		p.cell(p.width, 6, "Scope of the assessment", 1, "L", 0)
		f.SetFont(font, "", 10)
		lines := p.wrap(scope, p.width)
		if len(lines) > 12 {
			lines = append(lines[:11], p.fit(lines[11]+" …", p.width))
		}
		for _, l := range lines {
			p.cell(p.width, textLine, l, 1, "L", 0)
		}
		f.Ln(5)
	}
	// Room to note the meeting itself.
	f.SetFont(font, "", 10)
	for _, label := range []string{"Interview held on", "Present"} {
		p.need(12)
		y := f.GetY() + 8
		p.cell(35, 8, label, 0, "L", 0)
		setColor(f.SetDrawColor, muted)
		f.Line(margin+35, y, margin+p.width, y)
		f.SetXY(margin, y+2)
	}
	f.SetY(p.bottom - 16)
	f.SetFont(font, "I", 8.5)
	setColor(f.SetTextColor, muted)
	p.paragraph(p.width, 4.2, "ISO/IEC 27001 reference numbers and titles are cited as facts; the questions and all other wording are isogap's.")
}

func (p *pdfDoc) packHowTo() {
	f := p.f
	f.AddPage()
	p.heading1("How to use this guide")
	f.SetFont(font, "", bodySize)
	setColor(f.SetTextColor, ink)
	for _, b := range []string{
		"Each topic is one item of the assessment: its reference, its title and a few questions. Go through them together; there are no wrong answers, only a clearer picture.",
		"Tick one box per question: Yes, Partly, No, Don't know or Not applicable. Yes means it is done and could be shown today.",
		"For Partly or No, write what is planned and by when. For Don't know, write who would know: the assessor follows it up.",
		"Under each topic is the kind of evidence that usually shows the answer. Tick what you can bring or send, and note where it lives.",
		"At the end of each topic, tick where you think it stands overall on the scale below. The assessor decides the score from all the answers.",
		"The code beside each question (such as A.5.15#2) is how the assessor finds it when typing the answers into isogap afterwards.",
	} {
		p.bullet(b)
	}
	f.Ln(6)
	f.SetFont(font, "B", 12)
	setColor(f.SetTextColor, ink)
	p.cell(p.width, 7, "The 1–5 scale", 1, "L", 0)
	f.Ln(1)
	for s := assess.Score(1); s <= 5; s++ {
		y := f.GetY()
		f.SetFont(font, "B", 14)
		setColor(f.SetTextColor, brand)
		p.cell(10, 7, fmt.Sprint(int(s)), 0, "C", 0)
		f.SetXY(margin+12, y)
		f.SetFont(font, "B", 10)
		setColor(f.SetTextColor, ink)
		p.cell(p.width-12, 5.5, s.Label(), 1, "L", 0)
		f.SetX(margin + 12)
		f.SetFont(font, "", 9.5)
		p.paragraph(p.width-12, 4.6, s.Meaning())
		setColor(f.SetDrawColor, line)
		f.Ln(2)
		f.Line(margin, f.GetY(), margin+p.width, f.GetY())
		f.Ln(2)
	}
}

// packItem draws one item, on a new page unless the whole item fits on
// what is left of this one (or would not fit on any page).
func (p *pdfDoc) packItem(it packItem) {
	f := p.f
	header := p.itemHeader(it, true)
	qs := make([]float64, len(it.cat.Questions))
	total := header + p.evidence(it.cat.Evidence, true) + p.overall(true)
	for i, q := range it.cat.Questions {
		qs[i] = p.question(q, true)
		total += qs[i]
	}
	top := f.GetY() <= margin+0.01
	switch {
	case f.GetY()+total <= p.bottom:
	case total <= p.bottom-margin && !top:
		f.AddPage()
	default:
		p.need(header + qs[0])
	}
	p.itemHeader(it, false)
	for i, q := range it.cat.Questions {
		p.need(qs[i])
		p.question(q, false)
	}
	p.need(p.evidence(it.cat.Evidence, true))
	p.evidence(it.cat.Evidence, false)
	p.need(p.overall(true))
	p.overall(false)
	f.Ln(6)
}

// Each part below measures itself when dry and draws itself otherwise,
// returning its height either way, so the page breaks fall between parts.

func (p *pdfDoc) itemHeader(it packItem, dry bool) float64 {
	f := p.f
	f.SetFont(font, "B", 12.5)
	title := p.wrap(it.cat.Ref+"  "+it.cat.Title, p.width)
	f.SetFont(font, "I", 9)
	summary := p.wrap(it.cat.Summary, p.width)
	if strings.TrimSpace(it.cat.Summary) == "" {
		summary = nil
	}
	h := 2 + float64(len(title))*6.2 + smallLine + float64(len(summary))*4.2 + 4
	if dry {
		return h
	}
	y := f.GetY()
	setColor(f.SetDrawColor, brand)
	f.SetLineWidth(0.6)
	f.Line(margin, y, margin+p.width, y)
	f.SetLineWidth(0.2)
	f.SetY(y + 2)
	f.SetFont(font, "B", 12.5)
	setColor(f.SetTextColor, brand)
	for _, l := range title {
		p.cell(p.width, 6.2, l, 1, "L", 0)
	}
	f.SetFont(font, "", 8.5)
	setColor(f.SetTextColor, muted)
	p.cell(p.width, smallLine, itemStatus(it), 1, "L", 0)
	f.SetFont(font, "I", 9)
	for _, l := range summary {
		p.cell(p.width, 4.2, l, 1, "L", 0)
	}
	f.SetY(y + h)
	return h
}

// itemStatus is the line under an item's title: its department and score.
func itemStatus(it packItem) string {
	var parts []string
	if d := strings.TrimSpace(it.its.Department); d != "" {
		parts = append(parts, d)
	} else if d := it.cat.Department; d != "" {
		parts = append(parts, d)
	}
	switch {
	case it.cat.IsControl() && !it.its.Applicable:
		parts = append(parts, "Excluded from scope ("+assess.StatusNotApplicable+")")
	case it.its.Score.Assessed():
		parts = append(parts, fmt.Sprintf("Current score: %d, %s", it.its.Score, it.its.Score.Label()))
	default:
		parts = append(parts, "Not scored yet")
	}
	return strings.Join(parts, " · ")
}

func (p *pdfDoc) question(q catalog.Question, dry bool) float64 {
	f := p.f
	f.SetFont(font, "", bodySize)
	text := p.wrap(q.Text, p.width-idColumn)
	labels := make([]string, len(interview.Kinds))
	for i, k := range interview.Kinds {
		labels[i] = k.Label()
	}
	f.SetFont(font, "", 9)
	boxes := p.boxes(labels, p.width-idColumn, 0, 0, true)
	h := 2 + float64(len(text))*textLine + 1.5 + boxes + smallLine + 2*ruleGap + 2
	if dry {
		return h
	}
	y := f.GetY() + 2
	f.SetXY(margin, y)
	f.SetFont(font, "", 7.5)
	setColor(f.SetTextColor, muted)
	p.cell(idColumn-2, textLine, q.ID, 0, "L", 0)
	f.SetFont(font, "", bodySize)
	setColor(f.SetTextColor, ink)
	for i, l := range text {
		f.SetXY(margin+idColumn, y+float64(i)*textLine)
		p.cell(p.width-idColumn, textLine, l, 0, "L", 0)
	}
	y += float64(len(text))*textLine + 1.5
	f.SetFont(font, "", 9)
	y += p.boxes(labels, p.width-idColumn, margin+idColumn, y, false)
	f.SetXY(margin+idColumn, y)
	f.SetFont(font, "", 7.5)
	setColor(f.SetTextColor, muted)
	p.cell(p.width-idColumn, smallLine, "Comment; for Partly or No, what is planned and by when", 0, "L", 0)
	y += smallLine
	setColor(f.SetDrawColor, line)
	for i := 1; i <= 2; i++ {
		f.Line(margin+idColumn, y+float64(i)*ruleGap, margin+p.width, y+float64(i)*ruleGap)
	}
	f.SetXY(margin, y+2*ruleGap+2)
	return h
}

// boxes lays tick boxes with labels out in rows w mm wide from (x, y), in
// the current font, and returns the rows' height.
func (p *pdfDoc) boxes(labels []string, w, x, y float64, dry bool) float64 {
	f := p.f
	const gap, rowH = 7.0, 6.5
	cx, rows := 0.0, 1
	for _, l := range labels {
		lw := boxSize + 1.5 + f.GetStringWidth(p.glyphs.text(l, false))
		if cx > 0 && cx+lw > w {
			cx, rows = 0, rows+1
		}
		if !dry {
			top := y + float64(rows-1)*rowH
			setColor(f.SetDrawColor, ink)
			f.SetLineWidth(0.3)
			f.Rect(x+cx, top+(rowH-boxSize)/2, boxSize, boxSize, "D")
			f.SetLineWidth(0.2)
			f.SetXY(x+cx+boxSize+1.5, top)
			setColor(f.SetTextColor, ink)
			p.cell(min(lw, w)-boxSize-1.5+2*f.GetCellMargin(), rowH, l, 0, "L", 0)
		}
		cx += lw + gap
	}
	return float64(rows) * rowH
}

func (p *pdfDoc) evidence(list []string, dry bool) float64 {
	f := p.f
	if len(list) == 0 {
		return 0
	}
	f.SetFont(font, "", 9)
	wrapped := make([][]string, len(list))
	h := 1 + smallLine + 1
	for i, e := range list {
		wrapped[i] = p.wrap(e, p.width-idColumn-boxSize-2)
		h += float64(len(wrapped[i]))*smallLine + 1.2
	}
	if dry {
		return h
	}
	y := p.label(1, "Evidence to bring or send") + 1
	f.SetFont(font, "", 9)
	for _, lines := range wrapped {
		setColor(f.SetDrawColor, ink)
		f.Rect(margin+idColumn, y+(smallLine-boxSize*0.8)/2, boxSize*0.8, boxSize*0.8, "D")
		for j, l := range lines {
			f.SetXY(margin+idColumn+boxSize+2, y+float64(j)*smallLine)
			p.cell(p.width-idColumn-boxSize-2, smallLine, l, 0, "L", 0)
		}
		y += float64(len(lines))*smallLine + 1.2
	}
	f.SetXY(margin, y)
	return h
}

// overall is the row to tick where the item stands on the 1–5 scale.
func (p *pdfDoc) overall(dry bool) float64 {
	f := p.f
	labels := make([]string, 5)
	for s := assess.Score(1); s <= 5; s++ {
		labels[s-1] = fmt.Sprintf("%d %s", s, s.Label())
	}
	f.SetFont(font, "", 8.5)
	h := 2 + smallLine + p.boxes(labels, p.width-idColumn, 0, 0, true)
	if dry {
		return h
	}
	y := p.label(2, "Overall, where does this item stand?")
	f.SetFont(font, "", 8.5)
	p.boxes(labels, p.width-idColumn, margin+idColumn, y, false)
	f.SetXY(margin, y+h-2-smallLine)
	return h
}

// label writes a small bold line gap mm below the current position and
// returns the y below it.
func (p *pdfDoc) label(gap float64, text string) float64 {
	f := p.f
	f.SetXY(margin, f.GetY()+gap)
	f.SetFont(font, "B", 8.5)
	setColor(f.SetTextColor, ink)
	p.cell(p.width, smallLine, text, 1, "L", 0)
	return f.GetY()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
