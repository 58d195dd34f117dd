package web

import (
	"errors"
	"html"
	"html/template"
	"regexp"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/chart"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
)

var (
	styleAttr = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`style="([^"]*)"`) })
	svgHead   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)^.*?<svg width="[^"]*" height="[^"]*"`) })
)

// inlineSVG turns a chart into SVG fit for a page under a strict
// Content-Security-Policy: style attributes (which the policy forbids)
// become presentation attributes, which it allows; the size follows the
// page's width; the title is read out by screen readers.
func inlineSVG(p *plot.Plot, w, h vg.Length, title string) (template.HTML, error) {
	b, err := chart.SVG(p, w, h)
	if err != nil {
		return "", err
	}
	s := string(b)
	s = svgHead().ReplaceAllLiteralString(s, `<svg class="chart" role="img" aria-label="`+html.EscapeString(title)+`"`)
	s = styleAttr().ReplaceAllStringFunc(s, func(m string) string {
		var out []string
		for _, decl := range strings.Split(styleAttr().FindStringSubmatch(m)[1], ";") {
			k, v, ok := strings.Cut(decl, ":")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if k == "font-family" {
				v += ", Arial, Helvetica, sans-serif"
			}
			out = append(out, k+`="`+html.EscapeString(v)+`"`)
		}
		return strings.Join(out, " ")
	})
	// Text inside the SVG was escaped by the chart library.
	return template.HTML(s), nil
}

type dashboardCharts struct {
	clauses, themes, dist, timeline template.HTML
}

// buildCharts draws the dashboard's charts; builtin names the control
// groups as ISO/IEC 27001's Annex A themes.
func buildCharts(r assess.Result, tl []assess.TimePoint, builtin bool) (dashboardCharts, error) {
	themeTitle, themeLabel := "By control group", "control group"
	if builtin {
		themeTitle, themeLabel = "By Annex A theme", "Annex A theme"
	}
	var c dashboardCharts
	var err error
	// A custom catalog may have no clause requirements: no chart for them.
	bars := func(title string, gs []assess.Group, h vg.Length, label string) (template.HTML, error) {
		p, err := chart.ReadinessBars(title, chart.GroupsOf(gs), r.Target)
		if errors.Is(err, chart.ErrNoData) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return inlineSVG(p, 6*vg.Inch, h, label)
	}
	if c.clauses, err = bars("By clause", r.ByClause, 3.4*vg.Inch, "Readiness and coverage by clause"); err != nil {
		return c, err
	}
	if c.themes, err = bars(themeTitle, r.ByTheme, 2.4*vg.Inch, "Readiness and coverage by "+themeLabel); err != nil {
		return c, err
	}
	var p *plot.Plot
	if p, err = chart.Distribution("Score distribution (applicable items)", r.Scores); err != nil {
		return c, err
	}
	if c.dist, err = inlineSVG(p, 6*vg.Inch, 2.8*vg.Inch, "Score distribution"); err != nil {
		return c, err
	}
	c.timeline, err = timelineSVG(tl)
	return c, err
}

// timelineSVG draws readiness and coverage over time.
func timelineSVG(tl []assess.TimePoint) (template.HTML, error) {
	var ready, cover []chart.Point
	for _, t := range tl {
		ready = append(ready, chart.Point{At: t.At, Value: t.Readiness})
		cover = append(cover, chart.Point{At: t.At, Value: t.Coverage})
	}
	p, err := chart.Timeline("Readiness over time", ready, cover)
	if err != nil {
		return "", err
	}
	return inlineSVG(p, 6*vg.Inch, 2.8*vg.Inch, "Readiness and coverage over time")
}

// timelineBuckets is how finely readiness over time is drawn (and listed
// under the chart): a long history is cut to at most six points for each
// of this many stretches of time (assess.Downsample).
const timelineBuckets = 80

// untilNow extends the timeline to now, so the chart ends today.
func untilNow(tl []assess.TimePoint, now time.Time) []assess.TimePoint {
	if len(tl) > 0 && tl[len(tl)-1].At.Before(now) {
		last := tl[len(tl)-1]
		tl = append(tl, assess.TimePoint{At: now, Readiness: last.Readiness, Coverage: last.Coverage})
	}
	return tl
}

// roadmapSVG draws the forecast as a Gantt chart, one row per owner or
// department plus the ISMS operating period and the audits.
func roadmapSVG(f plan.Forecast) (template.HTML, error) {
	p, err := chart.Roadmap("Roadmap by "+f.Assumptions.CapacityBy, f)
	if err != nil {
		return "", err
	}
	h := vg.Length(1.4+0.32*float64(len(f.Resources)+2)) * vg.Inch
	return inlineSVG(p, 10*vg.Inch, h, "Roadmap: Gantt chart of the remediation actions by "+f.Assumptions.CapacityBy+", the ISMS operating period and the audits")
}

// heatMapSVG draws the risk register's 5×5 matrix.
func heatMapSVG(reg risk.Register) (template.HTML, error) {
	p, err := chart.RiskHeatMap("Risks by likelihood and impact", reg)
	if err != nil {
		return "", err
	}
	return inlineSVG(p, 6*vg.Inch, 4.5*vg.Inch, "Risk heat map: the number of risks in each cell of likelihood and impact")
}
