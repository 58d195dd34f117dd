package workbook

import (
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Row heights. Spreadsheet programs do not grow a row to fit wrapped text
// written by another program (LibreOffice keeps the stored height, so
// wrapped questions ran into the rows below), so the writer stores each
// row's height, estimated from the text of its wrapping cells.

// lineHeight is the height in points of one line of the body font
// (11 pt); a column width counts characters of the digit "0", wider than
// the average letter of text.
const (
	lineHeight   = 14.5
	charsPerUnit = 1.1
)

// colWidth sets the width of the columns from:to and remembers it for
// the row heights.
func (w *writer) colWidth(sh, from, to string, width float64) {
	w.f.SetColWidth(sh, from, to, width)
	c0, _ := excelize.ColumnNameToNumber(from)
	c1, _ := excelize.ColumnNameToNumber(to)
	g := w.g(sh)
	for c := c0; c <= c1; c++ {
		g.widths[c] = width
	}
}

// wrappedLines estimates how many lines text takes in a wrapping cell
// width characters wide (factor > 1 for wider, bold, text): words wrap
// whole, line breaks stay, a word longer than the line is cut.
func wrappedLines(text string, width, factor float64) int {
	capacity := max(int((width-1)*charsPerUnit/factor), 1)
	n := 0
	for line := range strings.SplitSeq(text, "\n") {
		n++
		used := 0
		for _, word := range strings.Fields(line) {
			l := utf8.RuneCountInString(word)
			switch {
			case used == 0:
				used = l
			case used+1+l <= capacity:
				used += 1 + l
			default:
				n++
				used = l
			}
			for used > capacity {
				n++
				used -= capacity
			}
		}
	}
	return n
}

// fitRows raises each row to the height its wrapping cells need.
func (g *grid) fitRows(wraps map[int]float64) {
	span := map[[2]int]float64{} // top-left of a merged range → its width
	for _, m := range g.merges {
		c0, r0, _ := excelize.CellNameToCoordinates(m[0])
		c1, _, _ := excelize.CellNameToCoordinates(m[1])
		wd := 0.0
		for c := c0; c <= c1; c++ {
			wd += g.width(c)
		}
		span[[2]int{c0, r0}] = wd
	}
	for r, row := range g.rows {
		for i, c := range row.cells {
			factor, wraps := wraps[c.StyleID]
			text, ok := c.Value.(string)
			if !row.set[i] || !wraps || !ok || text == "" {
				continue
			}
			wd, merged := span[[2]int{i + 1, r}]
			if !merged {
				wd = g.width(i + 1)
			}
			if n := wrappedLines(text, wd, factor); n > 1 {
				row.height = max(row.height, float64(n)*lineHeight+2)
			}
		}
	}
}

// width is a column's width in characters.
func (g *grid) width(col int) float64 {
	if wd, ok := g.widths[col]; ok {
		return wd
	}
	return 9
}
