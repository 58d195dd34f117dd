// Package report writes isogap's documents: the executive report (PDF,
// HTML, Markdown), the Statement of Applicability (XLSX, PDF, CSV) and the
// risk register (CSV, XLSX). Everything it shows comes from app.Results; the
// charts come from package chart, the same pictures the web app shows.
package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Doc is a document laid out once and written in several formats.
type Doc struct {
	Title    string
	Subtitle string
	Org      string
	Date     time.Time
	// Cover holds the headline figures shown on the cover.
	Cover    []Figure
	Sections []Section
	// Landscape lays the pages out sideways (wide tables).
	Landscape bool
}

// Figure is a headline number with its label and a line of context.
type Figure struct {
	Label, Value, Note string
}

// Section is a numbered part of the document (or a lettered appendix).
type Section struct {
	ID       string
	Title    string
	Appendix bool
	Blocks   []Block
}

// Block is one piece of a section: exactly one field is set.
type Block struct {
	Heading   string
	Paragraph string
	Bullets   []string
	Figures   []Figure
	Table     *Table
	Chart     *Chart
}

// Table is a table with relative column widths.
type Table struct {
	Header []string
	Rows   [][]string
	// Widths are relative column widths (they need not add up to anything).
	Widths []float64
	// Marked rows are highlighted (late actions, flagged items).
	Marked []bool
	// Small sets a smaller type for wide tables.
	Small bool
}

// Chart is a chart with its size in the document.
type Chart struct {
	ID    string
	Title string
	Plot  *plot.Plot
	W, H  vg.Length
}

// Number returns the section's number as shown: "3" or "Appendix A".
func (d Doc) Number(i int) string {
	n, a := 0, 0
	for j := 0; j <= i; j++ {
		if d.Sections[j].Appendix {
			a++
		} else {
			n++
		}
	}
	if d.Sections[i].Appendix {
		return "Appendix " + string(rune('A'+a-1))
	}
	return fmt.Sprint(n)
}

// pct formats a fraction as a percentage with one decimal.
func pct(f float64) string { return fmt.Sprintf("%.1f %%", f*100) }

// money formats an amount in whole units with thousands separators.
func money(currency string, amount float64) string {
	n := int64(math.Round(amount))
	neg := n < 0
	if neg {
		n = -n
	}
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if neg {
		out = "-" + out
	}
	return currency + " " + out
}

// days formats person-days with one decimal where it matters.
func days(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// longDate writes a day as people read it: "21 Jul 2028".
func longDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2 Jan 2006")
}
