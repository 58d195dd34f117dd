package workbook

import (
	"archive/zip"
	"compress/flate"
	"io"
	"slices"
	"sync"

	"github.com/xuri/excelize/v2"
)

// grid collects one sheet's cells, row heights and merged ranges in any
// order, then streams them row by row through excelize's stream writer.
// Streaming is what lets a formula carry its cached value (so previews
// and data-only readers see the figures before any recalculation), gives
// every sheet a true <dimension>, and keeps the export fast.
type grid struct {
	rows           map[int]*gridRow
	widths         map[int]float64
	merges         [][2]string
	maxRow, maxCol int
}

type gridRow struct {
	cells  []excelize.Cell
	set    []bool
	height float64
}

func newGrid() *grid { return &grid{rows: map[int]*gridRow{}, widths: map[int]float64{}} }

// at returns the cell at (col, row), 1-based, creating it.
func (g *grid) at(col, row int) *excelize.Cell {
	r := g.rows[row]
	if r == nil {
		r = &gridRow{}
		g.rows[row] = r
	}
	if n := col - len(r.cells); n > 0 {
		r.cells = append(r.cells, make([]excelize.Cell, n)...)
		r.set = append(r.set, make([]bool, n)...)
	}
	r.set[col-1] = true
	g.maxRow, g.maxCol = max(g.maxRow, row), max(g.maxCol, col)
	return &r.cells[col-1]
}

func (g *grid) ref(ref string) *excelize.Cell {
	col, row, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		panic("workbook: bad cell reference " + ref)
	}
	return g.at(col, row)
}

// put sets a cell's value: a string is always text, never a formula.
func (g *grid) put(ref string, v any) { g.ref(ref).Value = v }

// formula sets a cell's formula and the value it computes to.
func (g *grid) formula(ref, formula string, cached any) {
	c := g.ref(ref)
	c.Formula, c.Value = formula, cached
}

// value is a cell's value as written, or nil.
func (g *grid) value(col, row int) any {
	r := g.rows[row]
	if r == nil || col > len(r.cells) {
		return nil
	}
	return r.cells[col-1].Value
}

// style styles every cell of the range from:to.
func (g *grid) style(from, to string, style int) {
	c0, r0, _ := excelize.CellNameToCoordinates(from)
	c1, r1, _ := excelize.CellNameToCoordinates(to)
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			g.at(c, r).StyleID = style
		}
	}
}

func (g *grid) merge(from, to string) {
	g.merges = append(g.merges, [2]string{from, to})
	g.style(from, to, g.ref(from).StyleID)
}

// height sets a row's height in points; the tallest asked for wins.
func (g *grid) height(row int, h float64) {
	g.at(1, row)
	g.rows[row].height = max(g.rows[row].height, h)
}

// flush writes the sheet: its dimension, then its rows in order and its
// merged ranges. Everything else about the sheet (columns, panes,
// validations, formats, protection, page setup, drawings) must be set
// before, through the file.
func (g *grid) flush(f *excelize.File, sh string) error {
	dim := "A1"
	if g.maxRow > 0 {
		last, _ := excelize.CoordinatesToCellName(g.maxCol, g.maxRow)
		dim = "A1:" + last
	}
	if err := f.SetSheetDimension(sh, dim); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sh)
	if err != nil {
		return err
	}
	rows := make([]int, 0, len(g.rows))
	for r := range g.rows {
		rows = append(rows, r)
	}
	slices.Sort(rows)
	vals := make([]any, g.maxCol)
	for _, r := range rows {
		row := g.rows[r]
		vals = vals[:len(row.cells)]
		for i := range row.cells {
			vals[i] = nil
			if row.set[i] {
				vals[i] = row.cells[i]
			}
		}
		var opts []excelize.RowOpts
		if row.height > 0 {
			opts = append(opts, excelize.RowOpts{Height: row.height})
		}
		if err := sw.SetRow(cell("A", r), vals, opts...); err != nil {
			return err
		}
	}
	for _, m := range g.merges {
		if err := sw.MergeCell(m[0], m[1]); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// fastZip stores the workbook's parts with the fastest deflate level: the
// parts are small XML, where it compresses almost as well as the default
// level in a fraction of the time.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw, _ := deflaters.Get().(*flate.Writer)
		if fw == nil {
			var err error
			if fw, err = flate.NewWriter(out, flate.BestSpeed); err != nil {
				return nil, err
			}
		} else {
			fw.Reset(out)
		}
		return &pooledDeflater{fw}, nil
	})
	return zw
}

var deflaters sync.Pool

type pooledDeflater struct{ *flate.Writer }

func (p *pooledDeflater) Close() error {
	err := p.Writer.Close()
	deflaters.Put(p.Writer)
	p.Writer = nil
	return err
}
