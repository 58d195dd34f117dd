// Package chart draws isogap's charts with one library (gonum/plot), so the
// web app (SVG) and the reports (PNG) show the same pictures.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/isogap/isogap/internal/assess"
)

// ScoreHex are the colours of the scores everywhere (web, workbook, reports):
// index 0 is "not assessed", 1 red … 5 green.
var ScoreHex = [6]string{"#BDBDBD", "#D73027", "#FC8D59", "#FEE08B", "#91CF60", "#1A9850"}

// Brand colours.
var (
	Readiness = rgb(0x1F, 0x5F, 0x8B) // readiness bars
	Coverage  = rgb(0x9E, 0xC5, 0xE0) // coverage bars
	Target    = rgb(0xC0, 0x39, 0x2B) // target lines
	Ink       = rgb(0x33, 0x33, 0x33)
)

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 255} }

// ScoreColor returns the colour of a score.
func ScoreColor(s assess.Score) color.RGBA {
	var r, g, b uint8
	fmt.Sscanf(ScoreHex[max(0, min(5, int(s)))], "#%02X%02X%02X", &r, &g, &b)
	return rgb(r, g, b)
}

func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.TextStyle.Color = Ink
	p.Title.Padding = vg.Points(8)
	p.BackgroundColor = color.White
	p.Title.TextStyle.Font.Variant = "Sans"
	p.Legend.TextStyle.Font.Variant = "Sans"
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color, a.Label.TextStyle.Color, a.Tick.Label.Color, a.Tick.Color = Ink, Ink, Ink, Ink
		a.Tick.Label.Font.Size = vg.Points(9)
		a.Label.TextStyle.Font.Size = vg.Points(10)
		a.Tick.Label.Font.Variant = "Sans"
		a.Label.TextStyle.Font.Variant = "Sans"
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = rgb(0xE3, 0xE3, 0xE3), rgb(0xE3, 0xE3, 0xE3)
	p.Add(grid)
	return p
}

// percentTicks labels a 0–100 axis every 20 %.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	var t []plot.Tick
	for v := 0.0; v <= 100; v += 10 {
		label := ""
		if int(v)%20 == 0 {
			label = fmt.Sprintf("%.0f %%", v)
		}
		t = append(t, plot.Tick{Value: v, Label: label})
	}
	return t
}

// countTicks labels a count axis with whole numbers at a round step.
type countTicks struct{}

func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 500} {
		step = s
		if (hi-lo)/s <= 6 {
			break
		}
	}
	var t []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		t = append(t, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return t
}

// Group is one bar pair: a group's readiness and coverage (fractions 0–1).
type Group struct {
	Label     string
	Readiness float64
	Coverage  float64
}

// GroupsOf turns readiness groups into chart groups labelled "ID Title".
func GroupsOf(gs []assess.Group) []Group {
	out := make([]Group, len(gs))
	for i, g := range gs {
		label := g.ID
		if g.Title != "" && g.Title != g.ID {
			label = g.ID + " " + g.Title
		}
		out[i] = Group{Label: label, Readiness: g.Readiness, Coverage: g.Coverage}
	}
	return out
}

// ErrNoData is what a chart with nothing to draw returns: a custom
// catalog may have no clause requirements, or no ISO/IEC 27002 attributes.
// Callers leave that chart out.
var ErrNoData = errors.New("chart: nothing to draw")

// ReadinessBars draws readiness and coverage per group as horizontal bars,
// with the readiness a target score would mean as a line. Without groups
// it returns ErrNoData.
func ReadinessBars(title string, groups []Group, target int) (*plot.Plot, error) {
	if len(groups) == 0 {
		return nil, ErrNoData
	}
	p := newPlot(title)
	n := len(groups)
	ready, cover := make(plotter.Values, n), make(plotter.Values, n)
	labels := make([]string, n)
	// Horizontal bars run bottom-up: reverse so the first group is on top.
	for i, g := range groups {
		j := n - 1 - i
		ready[j], cover[j], labels[j] = g.Readiness*100, g.Coverage*100, g.Label
	}
	w := vg.Points(7)
	rb, err := plotter.NewBarChart(ready, w)
	if err != nil {
		return nil, err
	}
	cb, err := plotter.NewBarChart(cover, w)
	if err != nil {
		return nil, err
	}
	for _, b := range []*plotter.BarChart{rb, cb} {
		b.Horizontal = true
		b.LineStyle.Width = 0
	}
	rb.Color, cb.Color = Readiness, Coverage
	rb.Offset, cb.Offset = w/2, -w/2
	p.Add(rb, cb)
	p.Legend.Add("Readiness", rb)
	p.Legend.Add("Coverage", cb)
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.NominalY(labels...)
	// Room on the right keeps the legend clear of full bars.
	p.X.Min, p.X.Max = 0, 128
	p.X.Tick.Marker = percentTicks{}
	if target >= 1 && target <= 5 {
		t := assess.ItemReadiness(assess.Score(target)) * 100
		line, err := plotter.NewLine(plotter.XYs{{X: t, Y: -0.5}, {X: t, Y: float64(n) - 0.5}})
		if err != nil {
			return nil, err
		}
		line.Color, line.Width, line.Dashes = Target, vg.Points(1), []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(line)
		p.Legend.Add(fmt.Sprintf("Target %d", target), line)
	}
	return p, nil
}

// Distribution draws how many applicable items have each score.
func Distribution(title string, d assess.Distribution) (*plot.Plot, error) {
	p := newPlot(title)
	labels := []string{"Not assessed", "1", "2", "3", "4", "5"}
	w := vg.Points(26)
	for s := 0; s <= 5; s++ {
		vals := make(plotter.Values, 6)
		vals[s] = float64(d[s])
		b, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		b.Color = ScoreColor(assess.Score(s))
		b.LineStyle.Width = 0
		p.Add(b)
	}
	p.NominalX(labels...)
	p.Y.Label.Text = "items"
	p.Y.Min = 0
	most := 1
	for _, n := range d {
		most = max(most, n)
	}
	p.Y.Max = float64(most) * 1.15
	p.Y.Tick.Marker = countTicks{}
	// Count labels above the bars.
	var xys plotter.XYs
	var texts []string
	for s, n := range d {
		xys = append(xys, plotter.XY{X: float64(s), Y: float64(n)})
		texts = append(texts, fmt.Sprint(n))
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, err
	}
	lab.Offset = vg.Point{Y: vg.Points(2)}
	for i := range lab.TextStyle {
		lab.TextStyle[i].Font.Variant = "Sans"
		lab.TextStyle[i].XAlign = draw.XCenter
		lab.TextStyle[i].YAlign = draw.YBottom
		lab.TextStyle[i].Font.Size = vg.Points(9)
	}
	p.Add(lab)
	return p, nil
}

// Point is a value (a fraction 0–1) at a time.
type Point struct {
	At    time.Time
	Value float64
}

// Timeline draws readiness (and coverage) over time.
func Timeline(title string, readiness, coverage []Point) (*plot.Plot, error) {
	p := newPlot(title)
	toXY := func(pts []Point) plotter.XYs {
		xy := make(plotter.XYs, len(pts))
		for i, pt := range pts {
			xy[i] = plotter.XY{X: float64(pt.At.Unix()), Y: pt.Value * 100}
		}
		return xy
	}
	add := func(name string, pts []Point, c color.Color) error {
		if len(pts) == 0 {
			return nil
		}
		l, err := plotter.NewLine(toXY(pts))
		if err != nil {
			return err
		}
		l.Color, l.Width = c, vg.Points(2)
		l.StepStyle = plotter.PostStep
		p.Add(l)
		p.Legend.Add(name, l)
		return nil
	}
	if err := add("Readiness", readiness, Readiness); err != nil {
		return nil, err
	}
	if err := add("Coverage", coverage, Coverage); err != nil {
		return nil, err
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Y.Min, p.Y.Max = 0, 100
	p.Y.Tick.Marker = percentTicks{}
	p.X.Tick.Marker = plot.TimeTicks{Format: "2 Jan"}
	return p, nil
}

// SVG renders a chart as SVG (for the web app), width and height in points.
func SVG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PNG renders a chart as PNG at dpi dots per inch (for PDF reports).
func PNG(p *plot.Plot, w, h vg.Length, dpi int) ([]byte, error) {
	c := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))}
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
