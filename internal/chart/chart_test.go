package chart

import (
	"bytes"
	"errors"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

func TestChartsRender(t *testing.T) {
	cat := catalog.Builtin()
	items := []assess.Item{{Ref: "4.1", Score: 3, Applicable: true}, {Ref: "A.5.1", Score: 5, Applicable: true, Evidence: []assess.Evidence{{Text: "x"}}}}
	r := assess.Compute(cat, assess.Assessment{TargetScore: 4}, items)
	bars, err := ReadinessBars("Readiness by clause", GroupsOf(r.ByClause), 4)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := SVG(bars, 6*vg.Inch, 4*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "Readiness by clause", "Context of the organization", "Target 4"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	dist, err := Distribution("Scores", r.Scores)
	if err != nil {
		t.Fatal(err)
	}
	pngData, err := PNG(dist, 4*vg.Inch, 3*vg.Inch, 150)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 600 || b.Dy() != 450 {
		t.Errorf("PNG is %dx%d, want 600x450 at 150 dpi", b.Dx(), b.Dy())
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tl, err := Timeline("Over time", []Point{{now, 0.1}, {now.AddDate(0, 0, 7), 0.3}}, []Point{{now, 0.2}, {now.AddDate(0, 0, 7), 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if svg, err := SVG(tl, 6*vg.Inch, 3*vg.Inch); err != nil || !strings.Contains(string(svg), "Readiness") {
		t.Errorf("timeline: %v", err)
	}
}

func TestScoreColor(t *testing.T) {
	if c := ScoreColor(1); c.R != 0xD7 || c.G != 0x30 || c.B != 0x27 {
		t.Errorf("score 1 colour %v", c)
	}
	if ScoreColor(9) != ScoreColor(5) || ScoreColor(-1) != ScoreColor(0) {
		t.Error("out-of-range scores must clamp")
	}
}

func TestCountTicksAreWholeNumbers(t *testing.T) {
	for _, hi := range []float64{1, 5.75, 50.6, 137} {
		ticks := countTicks{}.Ticks(0, hi)
		if len(ticks) < 2 || len(ticks) > 7 {
			t.Errorf("0..%v: %d ticks", hi, len(ticks))
		}
		for _, tk := range ticks {
			if tk.Value != float64(int(tk.Value)) || tk.Label != strconv.Itoa(int(tk.Value)) || tk.Value > hi {
				t.Errorf("0..%v: tick %+v", hi, tk)
			}
		}
	}
}

// A catalog without clause requirements has no groups to draw by clause:
// the chart says so with ErrNoData for its callers to leave it out.
func TestReadinessBarsWithoutGroups(t *testing.T) {
	if _, err := ReadinessBars("By clause", nil, 4); !errors.Is(err, ErrNoData) {
		t.Errorf("no groups: %v, want ErrNoData", err)
	}
}
