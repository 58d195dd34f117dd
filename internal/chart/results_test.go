package chart

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
)

func sampleItems() []assess.Item {
	var items []assess.Item
	for i, ci := range catalog.Builtin().Items {
		items = append(items, assess.Item{Ref: ci.Ref, Applicable: true, Score: assess.Score(1 + i%5), Owner: []string{"Ann", "Bo", ""}[i%3],
			Department: ci.Department, Priority: assess.Priorities[i%4]})
	}
	return items
}

func TestRoadmapAndHeatMap(t *testing.T) {
	cat := catalog.Builtin()
	items := sampleItems()
	a := assess.Assessment{Org: "Acme", TargetScore: 4, Employees: 80}
	asm := plan.Defaults()
	asm.Start = assess.NewDate(2027, 1, 4)
	f := plan.Compute(cat, a, items, asm)
	g, err := Roadmap("Roadmap", f)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := SVG(g, 7*vg.Inch, 4*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Roadmap", "Ann", "Bo", "Operate the ISMS", "Audit", "Quick wins", "P50 certificate " + f.Certification.P50.String()} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("roadmap SVG lacks %q", want)
		}
	}
	// One filled bar per action at least, each in its phase's colour.
	if n := strings.Count(string(svg), "fill:"+PhaseHex[0]) + strings.Count(string(svg), "fill:"+PhaseHex[1]); n < len(f.Actions) {
		t.Errorf("%d action bars drawn for %d actions", n, len(f.Actions))
	}
	reg := risk.Build(cat, a, items, nil)
	h, err := RiskHeatMap("Risks", reg)
	if err != nil {
		t.Fatal(err)
	}
	data, err := PNG(h, 5*vg.Inch, 4*vg.Inch, 200)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("heat map PNG does not decode: %v", err)
	}
	if img.Bounds().Dx() != 1000 {
		t.Fatalf("heat map PNG is %v, want 1000 pixels wide", img.Bounds())
	}
	hs, _ := SVG(h, 5*vg.Inch, 4*vg.Inch)
	for _, want := range []string{"Impact", "Likelihood", "Critical ("} {
		if !bytes.Contains(hs, []byte(want)) {
			t.Errorf("heat map SVG lacks %q", want)
		}
	}
	// The top-right cell (likelihood 5, impact 5) is drawn in the Critical colour.
	c := LevelColor("Critical")
	if !bytes.Contains(hs, []byte("fill:"+LevelHex[3])) || c != hex(LevelHex[3]) {
		t.Error("no cell in the Critical colour")
	}
}
