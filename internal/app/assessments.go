package app

import (
	"context"
	"slices"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// NewAssessment is what creating an assessment takes.
type NewAssessment struct {
	Org          string
	Scope        string
	Boundaries   assess.Boundaries
	Interfaces   string
	Exclusions   []assess.Exclusion
	Stakeholders []assess.Stakeholder
	TargetScore  int // 0 means the default, 4
	Employees    int
	Lead         string // default: the principal's name
	// Catalog is the catalog to assess against; nil means the built-in one.
	Catalog *catalog.Catalog
	// CatalogFile is the custom catalog's file content, kept in the store.
	CatalogFile []byte
}

// CreateAssessment starts an assessment with one unassessed item per
// catalog item and makes its creator its assessor.
func (s *Service) CreateAssessment(ctx context.Context, p Principal, in NewAssessment) (assess.Assessment, error) {
	if err := requireSignedIn(p); err != nil {
		return assess.Assessment{}, err
	}
	cat := in.Catalog
	if cat == nil {
		cat = catalog.Builtin()
	}
	if in.Lead == "" {
		in.Lead = p.Name()
	}
	now := s.now()
	a := assess.Assessment{
		ID: assess.NewID(), Org: strings.TrimSpace(in.Org), Scope: strings.TrimSpace(in.Scope),
		Boundaries: in.Boundaries, Interfaces: in.Interfaces, Exclusions: in.Exclusions, Stakeholders: in.Stakeholders,
		TargetScore: in.TargetScore, Employees: in.Employees, Lead: in.Lead,
		CatalogID: cat.ID, CatalogVersion: cat.Version, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if a.TargetScore == 0 {
		a.TargetScore = assess.DefaultTarget
	}
	if err := assess.ValidateAssessment(cat, a); err != nil {
		return a, err
	}
	items := make([]assess.Item, len(cat.Items))
	for i, ci := range cat.Items {
		items[i] = assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department, Version: 1, UpdatedAt: now, UpdatedBy: p.Name()}
	}
	err := s.store.InTx(ctx, func(st store.Store) error {
		if err := s.requireCreator(ctx, st, p); err != nil {
			return err
		}
		if in.Catalog != nil {
			if err := s.registerCatalog(ctx, st, cat, in.CatalogFile); err != nil {
				return err
			}
		}
		if err := st.CreateAssessment(ctx, a, items); err != nil {
			return err
		}
		return s.makeAssessor(ctx, st, p, a.ID)
	})
	return a, err
}

// MayCreateAssessments tells whether p may start assessments, for surfaces
// that show or hide the way to; CreateAssessment checks again itself.
func (s *Service) MayCreateAssessments(ctx context.Context, p Principal) (bool, error) {
	if err := requireSignedIn(p); err != nil {
		return false, err
	}
	var may bool
	err := s.store.ReadTx(ctx, func(st store.Store) error {
		err := s.requireCreator(ctx, st, p)
		may = err == nil
		if assess.KindOf(err) == assess.KindForbidden {
			err = nil
		}
		return err
	})
	return may, err
}

// makeAssessor makes a user the assessor of an assessment they brought in;
// the CLI has no membership to record.
func (s *Service) makeAssessor(ctx context.Context, st store.Store, p Principal, aid string) error {
	if p.System {
		return nil
	}
	return st.PutMembership(ctx, assess.Membership{AssessmentID: aid, UserID: p.User.ID, Role: assess.RoleAssessor, CreatedAt: s.now()})
}

// UpdateAssessment changes an assessment's header (scope, stakeholders,
// target …) if it is still at baseVersion (assessors only).
func (s *Service) UpdateAssessment(ctx context.Context, p Principal, a assess.Assessment, baseVersion int) (assess.Assessment, error) {
	var out assess.Assessment
	err := s.writing(ctx, p, a.ID, func(t *Service, acc Access) error {
		var err error
		out, err = t.updateAssessment(ctx, p, acc, a, baseVersion)
		return err
	})
	if err != nil {
		return a, err
	}
	return out, nil
}

func needScopeEdit(acc Access) error {
	return need(acc.CanEditAssessment(), "only the assessment's assessors can change its scope and stakeholders")
}

// updateAssessment is UpdateAssessment inside a transaction that has
// found p's access: the workbook import changes the header with its items.
func (s *Service) updateAssessment(ctx context.Context, p Principal, acc Access, a assess.Assessment, baseVersion int) (assess.Assessment, error) {
	if err := needScopeEdit(acc); err != nil {
		return a, err
	}
	cur, err := s.store.GetAssessment(ctx, a.ID)
	if err != nil {
		return a, err
	}
	cat, err := s.CatalogOf(ctx, cur)
	if err != nil {
		return a, err
	}
	a.CatalogID, a.CatalogVersion, a.CreatedAt = cur.CatalogID, cur.CatalogVersion, cur.CreatedAt
	if err := assess.ValidateAssessment(cat, a); err != nil {
		return a, err
	}
	return s.store.UpdateAssessment(ctx, a, baseVersion, p.Name(), assess.DiffAssessments(cur, a))
}

// DeleteAssessment deletes an assessment for good (assessors only).
func (s *Service) DeleteAssessment(ctx context.Context, p Principal, aid string) error {
	return s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		if err := need(acc.CanEditAssessment(), "only the assessment's assessors can delete it"); err != nil {
			return err
		}
		return t.store.DeleteAssessment(ctx, aid)
	})
}

// View is an assessment with everything needed to show it.
type View struct {
	Assessment assess.Assessment
	Catalog    *catalog.Catalog
	Items      []assess.Item
	Result     assess.Result
}

// Item returns the view's item with a ref.
func (v View) Item(ref string) (assess.Item, bool) {
	for _, it := range v.Items {
		if it.Ref == ref {
			return it, true
		}
	}
	return assess.Item{}, false
}

// View loads an assessment for p, computes its figures and tells what p may do in it.
func (s *Service) View(ctx context.Context, p Principal, aid string) (View, Access, error) {
	var v View
	var acc Access
	err := s.reading(ctx, p, aid, func(t *Service, a Access) error {
		acc = a
		var err error
		v, err = t.view(ctx, aid)
		return err
	})
	return v, acc, err
}

// Revision returns the assessment's revision, which every write of it
// raises, and what p may do in it: enough for a page to tell whether what
// it showed before is still current without loading anything else.
func (s *Service) Revision(ctx context.Context, p Principal, aid string) (int64, Access, error) {
	var rev int64
	var acc Access
	err := s.reading(ctx, p, aid, func(t *Service, a Access) error {
		acc = a
		var err error
		rev, err = t.store.Revision(ctx, aid)
		return err
	})
	return rev, acc, err
}

// view loads an assessment and computes its figures, unchecked: for use
// cases that have checked already.
func (s *Service) view(ctx context.Context, id string) (View, error) {
	a, err := s.store.GetAssessment(ctx, id)
	if err != nil {
		return View{}, err
	}
	cat, err := s.CatalogOf(ctx, a)
	if err != nil {
		return View{}, err
	}
	items, err := s.store.ListItems(ctx, id)
	if err != nil {
		return View{}, err
	}
	return View{Assessment: a, Catalog: cat, Items: items, Result: assess.Compute(cat, a, items)}, nil
}

// Summary is one line of the portfolio.
type Summary struct {
	Assessment assess.Assessment
	Overall    assess.Figures
	AuditReady bool
	Blockers   int
}

// PortfolioEntry is one line of a principal's portfolio.
type PortfolioEntry struct {
	Summary
	Role assess.Role
}

// Portfolio lists the assessments p may see with their readiness and
// coverage: administrators every one, everybody else those they are a
// member of (expired auditors and invitations not yet accepted excluded).
func (s *Service) Portfolio(ctx context.Context, p Principal) ([]PortfolioEntry, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	var out []PortfolioEntry
	err := s.store.ReadTx(ctx, func(st store.Store) error {
		var err error
		out, err = s.in(st).portfolio(ctx, p)
		return err
	})
	return out, err
}

func (s *Service) portfolio(ctx context.Context, p Principal) ([]PortfolioEntry, error) {
	var list []assess.Assessment
	roles := map[string]assess.Role{}
	if p.IsAdmin() {
		all, err := s.store.ListAssessments(ctx)
		if err != nil {
			return nil, err
		}
		list = all
		for _, a := range all {
			roles[a.ID] = assess.RoleAssessor
		}
	}
	if !p.System {
		ms, err := s.store.MembershipsOf(ctx, p.User.ID)
		if err != nil {
			return nil, err
		}
		now := s.now()
		for _, m := range ms {
			if m.Pending || m.Role == assess.RoleAuditor && m.Expired(now) {
				continue
			}
			if _, seen := roles[m.AssessmentID]; !seen {
				a, err := s.store.GetAssessment(ctx, m.AssessmentID)
				if err != nil {
					return nil, err
				}
				list = append(list, a)
			}
			roles[m.AssessmentID] = m.Role
		}
	}
	slices.SortFunc(list, func(a, b assess.Assessment) int {
		if c := strings.Compare(strings.ToLower(a.Org), strings.ToLower(b.Org)); c != 0 {
			return c
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	sums, err := s.summaries(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make([]PortfolioEntry, len(sums))
	for i, sm := range sums {
		out[i] = PortfolioEntry{Summary: sm, Role: roles[sm.Assessment.ID]}
	}
	return out, nil
}

func (s *Service) summaries(ctx context.Context, list []assess.Assessment) ([]Summary, error) {
	ids := make([]string, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	items, err := s.store.ScoresOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(list))
	for _, a := range list {
		cat, err := s.CatalogOf(ctx, a)
		if err != nil {
			return nil, err
		}
		r := assess.Compute(cat, a, items[a.ID])
		out = append(out, Summary{Assessment: a, Overall: r.Overall, AuditReady: r.AuditReady, Blockers: len(r.Blockers)})
	}
	return out, nil
}

// Assessment reads an assessment's header (scope, stakeholders, version …)
// for p, without its items.
func (s *Service) Assessment(ctx context.Context, p Principal, aid string) (assess.Assessment, error) {
	var a assess.Assessment
	err := s.reading(ctx, p, aid, func(t *Service, _ Access) error {
		var err error
		a, err = t.store.GetAssessment(ctx, aid)
		return err
	})
	return a, err
}
