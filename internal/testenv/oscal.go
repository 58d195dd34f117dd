package testenv

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/isogap/isogap/internal/oscal"
)

// GeneratedOSCALCatalog writes an OSCAL catalog of families groups of
// perFamily controls with two enhancements each, shaped like NIST SP
// 800-53 (20 families of 20 give its size, 1,200 controls): each control
// has a parameter in a two-item statement and some guidance, and its
// label ("FA-1", "FA-1(1)") for a ref.
func GeneratedOSCALCatalog(families, perFamily int, version string) []byte {
	type m = map[string]any
	var groups []m
	for f := range families {
		fam := fmt.Sprintf("F%c", 'A'+f)
		var controls []m
		for n := 1; n <= perFamily; n++ {
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
	n := families * perFamily * 3
	doc := m{"catalog": m{"uuid": oscal.UUID("generated", strconv.Itoa(n), version),
		"metadata": m{"title": fmt.Sprintf("Generated catalog of %d controls", n), "last-modified": "2025-01-01T00:00:00Z", "version": version, "oscal-version": oscal.Version},
		"groups":   groups}}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return data
}
