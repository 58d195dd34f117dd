package app

import (
	"context"
)

// AssignOwners makes each department's first stakeholder the owner of the
// department's items that have no owner yet (assessors only). It returns
// how many items changed.
func (s *Service) AssignOwners(ctx context.Context, p Principal, aid string) (int, error) {
	n := 0
	err := s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		if err := need(acc.CanEditAssessment(), "only the assessment's assessors can assign owners"); err != nil {
			return err
		}
		st := t.store
		a, err := st.GetAssessment(ctx, aid)
		if err != nil {
			return err
		}
		owner := map[string]string{}
		for _, sh := range a.Stakeholders {
			if _, ok := owner[sh.Department]; !ok && sh.Department != "" {
				owner[sh.Department] = sh.Name
			}
		}
		items, err := st.ListItems(ctx, aid)
		if err != nil {
			return err
		}
		for _, it := range items {
			name, ok := owner[it.Department]
			if it.Owner != "" || !ok {
				continue
			}
			if _, err := t.updateItem(ctx, p.Name(), aid, it.Ref, it.Version, ItemPatch{Owner: &name}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
