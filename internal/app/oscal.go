package app

import (
	"time"

	"github.com/isogap/isogap/internal/oscal"
)

// OSCALInput is what the OSCAL assessment results and POA&M are written
// from, computed as of the assessment's last change rather than the
// export's time: its forecast starts on that day (unless the assumptions
// set a start), so two exports of an unchanged assessment are equal,
// byte for byte.
func OSCALInput(v View, ps PlanSettings) (oscal.Input, error) {
	asOf := LastChange(v, ps)
	r, err := BuildResults(v, ps, nil, nil, nil, asOf)
	if err != nil {
		return oscal.Input{}, err
	}
	return oscal.Input{Assessment: v.Assessment, Catalog: v.Catalog, Items: v.Items, Result: v.Result,
		Forecast: r.Forecast, Risks: r.Risks, Generated: asOf}, nil
}

// LastChange is when anything of the assessment last changed: its header,
// an item or its evidence, or the forecast's assumptions.
func LastChange(v View, ps PlanSettings) time.Time {
	t := v.Assessment.CreatedAt
	later := func(u time.Time) {
		if u.After(t) {
			t = u
		}
	}
	later(v.Assessment.UpdatedAt)
	later(ps.UpdatedAt)
	for _, it := range v.Items {
		later(it.UpdatedAt)
		for _, e := range it.Evidence {
			later(e.AddedAt)
		}
	}
	return t.UTC()
}

// OSCAL reads the assessment and its assumptions in one transaction and
// computes what the OSCAL documents are written from.
func (src Source) OSCAL() (oscal.Input, error) {
	var in oscal.Input
	err := src.svc.reading(src.ctx, src.p, src.aid, func(t *Service, _ Access) error {
		v, err := t.view(src.ctx, src.aid)
		if err != nil {
			return err
		}
		ps, err := t.store.PlanSettings(src.ctx, src.aid)
		if err != nil {
			return err
		}
		in, err = OSCALInput(v, ps)
		return err
	})
	return in, err
}
