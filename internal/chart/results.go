package chart

import (
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
)

// PhaseHex are the colours of the roadmap's phases, in plan.Phases order.
var PhaseHex = [4]string{"#66BD63", "#1F5F8B", "#F39C12", "#8E44AD"}

// WaitingHex colours time spent waiting (the interval before Stage 2).
const WaitingHex = "#D5D8DC"

// LevelHex are the colours of the risk levels, in risk.Levels order.
var LevelHex = [4]string{"#1A9850", "#FEE08B", "#FC8D59", "#D73027"}

func hex(s string) color.RGBA {
	var r, g, b uint8
	fmt.Sscanf(s, "#%02X%02X%02X", &r, &g, &b)
	return rgb(r, g, b)
}

// PhaseColor returns the colour of a roadmap phase.
func PhaseColor(p plan.Phase) color.RGBA {
	i := p.Index()
	if i < 0 {
		return hex(WaitingHex)
	}
	return hex(PhaseHex[i])
}

// LevelColor returns the colour of a risk level.
func LevelColor(level string) color.RGBA {
	for i, l := range risk.Levels {
		if l == level {
			return hex(LevelHex[i])
		}
	}
	return hex(ScoreHex[0])
}

// box is a filled rectangle in data coordinates.
type box struct {
	x0, x1, y0, y1 float64
	fill           color.Color
}

// boxes draws rectangles in data coordinates.
type boxes []box

func (bs boxes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, b := range bs {
		x0, x1, y0, y1 := trX(b.x0), trX(b.x1), trY(b.y0), trY(b.y1)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.fill, c.ClipPolygonXY(pts))
	}
}

func (bs boxes) DataRange() (xmin, xmax, ymin, ymax float64) {
	if len(bs) == 0 {
		return 0, 1, 0, 1
	}
	xmin, xmax, ymin, ymax = bs[0].x0, bs[0].x1, bs[0].y0, bs[0].y1
	for _, b := range bs {
		xmin, xmax = min(xmin, b.x0), max(xmax, b.x1)
		ymin, ymax = min(ymin, b.y0), max(ymax, b.y1)
	}
	return
}

// swatch is a legend entry of one colour.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(s.c, pts)
}

func dayX(d assess.Date) float64 { return float64(d.Time().Unix()) }

// Roadmap draws the forecast as a Gantt chart: one row per owner (or
// department) with their actions coloured by phase, then the ISMS operating
// period and the audits, with the P50 and P90 certification dates.
func Roadmap(title string, f plan.Forecast) (*plot.Plot, error) {
	p := newPlot(title)
	n := len(f.Resources) + 2
	row := func(i int) float64 { return float64(n - 1 - i) } // first row on top
	labels := make([]string, n)
	var bs boxes
	const half = 0.32
	for i, r := range f.Resources {
		labels[n-1-i] = r.Name
		for _, act := range f.Actions {
			if act.Resource != r.Name {
				continue
			}
			end := act.Finish
			if !act.Start.Before(end) {
				end = act.Start.AddDays(1)
			}
			bs = append(bs, box{dayX(act.Start), dayX(end), row(i) - half, row(i) + half, PhaseColor(act.Phase)})
		}
	}
	for k, ph := range []plan.Phase{plan.PhaseOperate, plan.PhaseAudit} {
		i := len(f.Resources) + k
		labels[n-1-i] = string(ph)
		for _, st := range f.Steps {
			if st.Phase != ph || !st.Start.Before(st.Finish) {
				continue
			}
			fill := PhaseColor(ph)
			if st.Name == "Interval to Stage 2" {
				fill = hex(WaitingHex)
			}
			bs = append(bs, box{dayX(st.Start), dayX(st.Finish), row(i) - half, row(i) + half, fill})
		}
	}
	p.Add(bs)
	for _, ph := range plan.Phases {
		p.Legend.Add(string(ph), swatch{PhaseColor(ph)})
	}
	for _, m := range []struct {
		name string
		d    assess.Date
		dash bool
	}{{"P50 certificate", f.Certification.P50, false}, {"P90 certificate", f.Certification.P90, true}} {
		if m.d.IsZero() {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: dayX(m.d), Y: -0.6}, {X: dayX(m.d), Y: 1.5}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = Target, vg.Points(1.2)
		if m.dash {
			l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s %s", m.name, m.d), l)
	}
	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.X.Tick.Marker = monthTicks{}
	// Room on the right for the legend, clear of the bars.
	lo, hi, _, _ := bs.DataRange()
	if !f.Certification.P90.IsZero() {
		hi = max(hi, dayX(f.Certification.P90))
	}
	p.X.Min, p.X.Max = lo-(hi-lo)*0.01, hi+(hi-lo)*0.3
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	return p, nil
}

// monthTicks labels the first of every month (every second or third month
// on long plans).
type monthTicks struct{}

func (monthTicks) Ticks(lo, hi float64) []plot.Tick {
	from := time.Unix(int64(lo), 0).UTC()
	to := time.Unix(int64(hi), 0).UTC()
	months := int(to.Sub(from).Hours()/24/30) + 1
	step := max(1, (months+11)/12)
	var out []plot.Tick
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := 0; !m.After(to); i++ {
		if !m.Before(from) {
			label := ""
			if i%step == 0 {
				label = m.Format("Jan 06")
			}
			out = append(out, plot.Tick{Value: float64(m.Unix()), Label: label})
		}
		m = m.AddDate(0, 1, 0)
	}
	return out
}

// RiskHeatMap draws the 5×5 matrix of the register: impact across,
// likelihood up, each cell coloured by its level and showing its count.
func RiskHeatMap(title string, reg risk.Register) (*plot.Plot, error) {
	p := newPlot(title)
	var bs boxes
	var xys plotter.XYs
	var texts []string
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			c := LevelColor(risk.Level(l * i))
			if reg.Matrix[l-1][i-1] == 0 {
				c = blend(c, color.RGBA{255, 255, 255, 255}, 0.6)
			}
			bs = append(bs, box{float64(i) - 0.48, float64(i) + 0.48, float64(l) - 0.48, float64(l) + 0.48, c})
			if n := reg.Matrix[l-1][i-1]; n > 0 {
				xys = append(xys, plotter.XY{X: float64(i), Y: float64(l)})
				texts = append(texts, fmt.Sprint(n))
			}
		}
	}
	p.Add(bs)
	if len(xys) > 0 {
		lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
		if err != nil {
			return nil, err
		}
		for i := range lab.TextStyle {
			lab.TextStyle[i].Font.Variant = "Sans"
			lab.TextStyle[i].Font.Size = vg.Points(13)
			lab.TextStyle[i].XAlign = draw.XCenter
			lab.TextStyle[i].YAlign = draw.YCenter
			lab.TextStyle[i].Color = Ink
		}
		p.Add(lab)
	}
	for i, l := range risk.Levels {
		p.Legend.Add(fmt.Sprintf("%s (%d)", l, reg.ByLevel[l]), swatch{hex(LevelHex[i])})
	}
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Legend.XOffs = vg.Points(4)
	p.X.Label.Text, p.Y.Label.Text = "Impact", "Likelihood"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0.5, 7.2, 0.5, 5.5
	p.X.Tick.Marker = intTicks{1, 5}
	p.Y.Tick.Marker = intTicks{1, 5}
	// Cells, not axes, carry the scale.
	p.X.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	showAxes(p)
	return p, nil
}

func showAxes(p *plot.Plot) {
	p.X.Padding, p.Y.Padding = 0, 0
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.LineStyle.Width = 0
		a.Tick.LineStyle.Width = 0
		a.Tick.Length = 0
	}
}

// intTicks labels whole numbers from lo to hi.
type intTicks struct{ lo, hi int }

func (t intTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for v := t.lo; v <= t.hi; v++ {
		out = append(out, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	return out
}

func blend(a, b color.RGBA, t float64) color.RGBA {
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}
