package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// pct formats a 0..1 fraction as a percentage with one decimal.
func pct(f float64) string { return fmt.Sprintf("%5.1f %%", f*100) }

// bar draws a fraction as a bar of width cells.
func bar(f float64, width int) string {
	n := int(f*float64(width) + 0.5)
	n = max(0, min(width, n))
	return strings.Repeat("█", n) + strings.Repeat("░", width-n)
}

// fit pads or cuts s to exactly w runes.
func fit(s string, w int) string {
	if utf8.RuneCountInString(s) > w {
		r := []rune(s)
		return string(r[:w-1]) + "…"
	}
	return s + strings.Repeat(" ", w-utf8.RuneCountInString(s))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// checkFormat refuses an unknown --format value.
func checkFormat(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return usagef("--format %q: want one of %s", got, strings.Join(allowed, ", "))
}

// table lays rows of cells out in columns the way text/tabwriter does with
// a padding of two: every column but the last as wide as its widest cell
// (in runes) plus two spaces, the last one as it is. It keeps the cells as
// they come and writes each once, where tabwriter copies every byte into
// its own buffer and cells: a list of ten thousand lines is a tenth of
// the work. Cells are one-line texts (no tab, no newline).
type table struct {
	cols  int
	cells []string
	width []int
}

func newTable(header ...string) *table {
	t := &table{cols: len(header), width: make([]int, len(header))}
	t.row(header...)
	return t
}

// grow makes room for n more rows.
func (t *table) grow(n int) { t.cells = slices.Grow(t.cells, n*t.cols) }

func (t *table) row(cells ...string) {
	for i, c := range cells[:len(cells)-1] {
		t.width[i] = max(t.width[i], utf8.RuneCountInString(c))
	}
	t.cells = append(t.cells, cells...)
}

func (t *table) write(w io.Writer) error {
	const spaces = "                                                                "
	buf := bufio.NewWriterSize(w, 64<<10)
	for start := 0; start < len(t.cells); start += t.cols {
		line := t.cells[start : start+t.cols]
		for i, c := range line[:t.cols-1] {
			buf.WriteString(c)
			for pad := t.width[i] + 2 - utf8.RuneCountInString(c); pad > 0; pad -= len(spaces) {
				buf.WriteString(spaces[:min(pad, len(spaces))])
			}
		}
		buf.WriteString(line[t.cols-1])
		buf.WriteByte('\n')
	}
	return buf.Flush()
}
