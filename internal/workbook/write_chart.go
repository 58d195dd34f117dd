package workbook

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/chart"
)

// seriesRefRE finds a chart series' cell reference and any (empty) cache
// excelize wrote after it.
var seriesRefRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`<(strRef|numRef)><f>([^<]*)</f>(?:<numCache>.*?</numCache>|<strCache>.*?</strCache>)?</(?:strRef|numRef)>`)
})

// chartCaches stores, after each series reference of every chart, the
// values its cells hold, as spreadsheet programs do when they save: a
// previewer draws the charts from these without calculating anything.
func (w *writer) chartCaches() error {
	for i := 1; ; i++ {
		name := fmt.Sprintf("xl/charts/chart%d.xml", i)
		v, ok := w.f.Pkg.Load(name)
		if !ok {
			return nil
		}
		var err error
		b := seriesRefRE().ReplaceAllFunc(v.([]byte), func(m []byte) []byte {
			sub := seriesRefRE().FindSubmatch(m)
			cache, e := w.seriesCache(string(sub[1]) == "numRef", html.UnescapeString(string(sub[2])))
			if e != nil {
				err = e
				return m
			}
			var out bytes.Buffer
			fmt.Fprintf(&out, "<%s><f>%s</f>%s</%s>", sub[1], sub[2], cache, sub[1])
			return out.Bytes()
		})
		if err != nil {
			return fmt.Errorf("chart %d: %w", i, err)
		}
		if bytes.Contains(b, []byte(distributionTitle)) {
			b = scoreColumns(b)
		}
		w.f.Pkg.Store(name, b)
	}
}

// seriesCache builds the cache of a reference such as 'Dashboard'!$B$8:$B$14.
func (w *writer) seriesCache(numeric bool, ref string) (string, error) {
	sheet, rng, ok := strings.Cut(ref, "!")
	if !ok {
		return "", fmt.Errorf("series reference %q has no sheet", ref)
	}
	sheet = strings.ReplaceAll(strings.Trim(sheet, "'"), "''", "'")
	from, to, _ := strings.Cut(strings.ReplaceAll(rng, "$", ""), ":")
	if to == "" {
		to = from
	}
	c0, r0, err := excelize.CellNameToCoordinates(from)
	if err != nil {
		return "", err
	}
	c1, r1, err := excelize.CellNameToCoordinates(to)
	if err != nil {
		return "", err
	}
	g := w.grids[sheet]
	if g == nil {
		return "", fmt.Errorf("series reference %q: no sheet %s", ref, sheet)
	}
	var pts strings.Builder
	n := 0
	for r := r0; r <= r1; r++ {
		for c := c0; c <= c1; c++ {
			text, isNum := cacheText(g.value(c, r))
			if text != "" && (isNum || !numeric) {
				fmt.Fprintf(&pts, `<pt idx="%d"><v>%s</v></pt>`, n, html.EscapeString(text))
			}
			n++
		}
	}
	if numeric {
		return fmt.Sprintf(`<numCache><formatCode>General</formatCode><ptCount val="%d"/>%s</numCache>`, n, pts.String()), nil
	}
	return fmt.Sprintf(`<strCache><ptCount val="%d"/>%s</strCache>`, n, pts.String()), nil
}

// cacheText is a cell value as a chart cache holds it, and whether it is a
// number.
func cacheText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, false
	case int:
		return strconv.Itoa(x), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	}
	return fmt.Sprint(v), false
}

// scoreColumns paints each column of the score distribution in its
// score's colour, the red-to-green scale of the cells beside it (excelize
// writes data point colours for pie charts only).
func scoreColumns(b []byte) []byte {
	var pts strings.Builder
	for s, hex := range chart.ScoreHex {
		fmt.Fprintf(&pts, `<dPt><idx val="%d"/><invertIfNegative val="0"/><bubble3D val="0"/><spPr><a:solidFill><a:srgbClr val="%s"/></a:solidFill></spPr></dPt>`,
			s, hexColor(hex))
	}
	b = bytes.Replace(b, []byte(`<varyColors val="1"></varyColors>`), []byte(`<varyColors val="0"></varyColors>`), 1)
	mark := []byte(`<invertIfNegative val="0"></invertIfNegative>`)
	return bytes.Replace(b, mark, append(append([]byte{}, mark...), pts.String()...), 1)
}
