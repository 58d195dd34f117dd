package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/oscal"
)

// sp80053Sized writes an OSCAL catalog the size of NIST SP 800-53: 20
// families of 20 controls with two enhancements each (1,200 controls),
// each with a parameter in a two-item statement and some guidance.
func sp80053Sized(version string) []byte {
	type m = map[string]any
	var groups []m
	for f := range 20 {
		fam := fmt.Sprintf("F%c", 'A'+f)
		var controls []m
		for n := 1; n <= 20; n++ {
			ctl := func(id, label, title string) m {
				prm := id + "_prm"
				return m{"id": id, "title": title,
					"params": []m{{"id": prm, "label": "organization-defined frequency"}},
					"props":  []m{{"name": "label", "value": label}},
					"parts": []m{
						{"id": id + "_smt", "name": "statement", "parts": []m{
							{"id": id + "_smt.a", "name": "item", "props": []m{{"name": "label", "value": "a."}}, "prose": "Define and document the " + title + " arrangements;"},
							{"id": id + "_smt.b", "name": "item", "props": []m{{"name": "label", "value": "b."}}, "prose": "Review them {{ insert: param, " + prm + " }}."}}},
						{"id": id + "_gdn", "name": "guidance", "prose": "A paragraph of discussion that a reader of the catalog would find useful when putting the control in place."}}}
			}
			base := ctl(fmt.Sprintf("%s-%d", fam, n), fmt.Sprintf("%s-%d", fam, n), "Control Number "+strconv.Itoa(n))
			base["controls"] = []m{
				ctl(fmt.Sprintf("%s-%d.1", fam, n), fmt.Sprintf("%s-%d(1)", fam, n), "First Enhancement"),
				ctl(fmt.Sprintf("%s-%d.2", fam, n), fmt.Sprintf("%s-%d(2)", fam, n), "Second Enhancement"),
			}
			controls = append(controls, base)
		}
		groups = append(groups, m{"id": fam, "class": "family", "title": "Family " + fam, "controls": controls})
	}
	doc := m{"catalog": m{"uuid": oscal.UUID("bench", version),
		"metadata": m{"title": "Generated catalog of 1200 controls", "last-modified": "2025-01-01T00:00:00Z", "version": version, "oscal-version": oscal.Version},
		"groups":   groups}}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return data
}

func TestSP80053SizedImports(t *testing.T) {
	c, err := oscal.ReadCatalog(sp80053Sized("1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 1200 || len(c.Sections) != 20 {
		t.Errorf("%d items in %d sections", len(c.Items), len(c.Sections))
	}
}

// BenchmarkOSCALCatalog1200: reading a 1,200-control OSCAL catalog,
// importing it into SQLite, starting an assessment on it and computing
// every result.
func BenchmarkOSCALCatalog1200(b *testing.B) {
	ctx := context.Background()
	sys := app.System("bench")
	doc := sp80053Sized("1")
	b.Logf("document: %d KiB", len(doc)>>10)
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, err := oscal.ReadCatalog(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	st, _ := sqliteStore(b)
	svc := app.New(st, app.Config{})
	b.Run("import", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			b.StopTimer()
			doc := sp80053Sized("v" + strconv.Itoa(n))
			b.StartTimer()
			if _, err := svc.ImportCatalog(ctx, sys, doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	info, err := svc.ImportCatalog(ctx, sys, doc)
	if err != nil {
		b.Fatal(err)
	}
	var aid string
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			a, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme", CatalogID: info.ID, CatalogVersion: info.Version})
			if err != nil {
				b.Fatal(err)
			}
			aid = a.ID
		}
	})
	b.Run("compute", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Results(ctx, sys, aid, nil, app.AllResults); err != nil {
				b.Fatal(err)
			}
		}
	})
}
