package app

import (
	"context"
	"slices"
	"strings"
	"time"

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
	// CatalogID picks a stored catalog instead (see ImportCatalog), at
	// CatalogVersion or, when that is empty, its latest version.
	CatalogID, CatalogVersion string
}

// CreateAssessment starts an assessment with one unassessed item per
// catalog item and makes its creator its assessor.
func (s *Service) CreateAssessment(ctx context.Context, p Principal, in NewAssessment) (assess.Assessment, error) {
	if err := requireSignedIn(p); err != nil {
		return assess.Assessment{}, err
	}
	if in.Catalog == nil && in.CatalogID != "" {
		var err error
		if in.Catalog, in.CatalogFile, err = s.storedCatalog(ctx, p, in.CatalogID, in.CatalogVersion); err != nil {
			return assess.Assessment{}, err
		}
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

// Summary is one line of the portfolio: the assessment's header as a list
// shows it, and its headline figures.
type Summary struct {
	Assessment Header
	assess.Headline
}

// Header is what the portfolio shows of an assessment's header: less than
// half the size of an assess.Assessment, which a list of ten thousand
// would otherwise copy whole. Scope is empty until PortfolioScopes fills it.
type Header struct {
	ID, Org, Scope, Lead, CatalogID, CatalogVersion string
	TargetScore, Version                            int
	CreatedAt, UpdatedAt                            time.Time
}

func headerOf(a *assess.Assessment) Header {
	return Header{ID: a.ID, Org: a.Org, Scope: a.Scope, Lead: a.Lead, CatalogID: a.CatalogID, CatalogVersion: a.CatalogVersion,
		TargetScore: a.TargetScore, Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// PortfolioEntry is one line of a principal's portfolio.
type PortfolioEntry struct {
	Summary
	Role assess.Role
}

// Portfolio lists the assessments p may see with their readiness and
// coverage: administrators every one, everybody else those they are a
// member of (expired auditors and invitations not yet accepted excluded).
//
// The figures come from summaries kept per assessment revision: only an
// assessment written since its summary was kept is computed again, from
// the same consistent read as its revision, and its summary kept
// afterwards. Item saves thus never pay for the portfolio.
//
// The entries lack the scope, which is most of a header's bytes and which
// only a page of them shows: PortfolioScopes reads it for that page.
func (s *Service) Portfolio(ctx context.Context, p Principal) ([]PortfolioEntry, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	var out []PortfolioEntry
	var fresh []store.Summary
	err := s.store.ReadTx(ctx, func(st store.Store) error {
		var err error
		out, fresh, err = s.in(st).portfolio(ctx, p)
		return err
	})
	if err != nil || len(fresh) == 0 {
		return out, err
	}
	// Keeping them is filling a cache: if it fails (the assessment was
	// deleted meanwhile, the database is read-only), the next reader
	// computes them again; a figure shown is never wrong for it.
	_ = s.store.PutSummaries(ctx, fresh)
	return out, nil
}

// visible returns the ids of the assessments p sees in the portfolio, nil
// for every one, and p's role in each it is a member of.
func (s *Service) visible(ctx context.Context, p Principal) ([]string, map[string]assess.Role, error) {
	roles := map[string]assess.Role{}
	var ids []string // nil: every assessment
	if !p.System {
		ms, err := s.store.MembershipsOf(ctx, p.User.ID)
		if err != nil {
			return nil, nil, err
		}
		now := s.now()
		ids = []string{}
		for _, m := range ms {
			if m.Pending || m.Role == assess.RoleAuditor && m.Expired(now) {
				continue
			}
			roles[m.AssessmentID] = m.Role
			ids = append(ids, m.AssessmentID)
		}
	}
	if p.IsAdmin() {
		ids = nil
	}
	return ids, roles, nil
}

func (s *Service) portfolio(ctx context.Context, p Principal) ([]PortfolioEntry, []store.Summary, error) {
	ids, roles, err := s.visible(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.store.Listings(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	type keyed struct {
		org string
		l   *store.Listing
	}
	sorted := make([]keyed, len(list))
	for i := range list {
		sorted[i] = keyed{strings.ToLower(list[i].Assessment.Org), &list[i]}
	}
	slices.SortFunc(sorted, func(a, b keyed) int {
		if c := strings.Compare(a.org, b.org); c != 0 {
			return c
		}
		if c := a.l.Assessment.CreatedAt.Compare(b.l.Assessment.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.l.Assessment.ID, b.l.Assessment.ID)
	})
	out := make([]PortfolioEntry, len(sorted))
	var stale []int
	for i, k := range sorted {
		role, member := roles[k.l.Assessment.ID]
		if !member {
			role = assess.RoleAssessor // an administrator's view
		}
		out[i] = PortfolioEntry{Summary: Summary{Assessment: headerOf(&k.l.Assessment)}, Role: role}
		if h, ok := k.l.Current(); ok {
			out[i].Headline = h
		} else {
			stale = append(stale, i)
		}
	}
	fresh, err := s.headlines(ctx, out, stale, func(i int) *store.Listing { return sorted[i].l })
	return out, fresh, err
}

// PortfolioScopes fills in the scope of each of these portfolio entries
// (Portfolio leaves it out) that p sees in the portfolio; an entry p does
// not see, or whose assessment is gone, is given an empty one.
func (s *Service) PortfolioScopes(ctx context.Context, p Principal, entries []PortfolioEntry) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	return s.store.ReadTx(ctx, func(st store.Store) error {
		t := s.in(st)
		seen, roles, err := t.visible(ctx, p)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(entries))
		for _, e := range entries {
			if _, member := roles[e.Assessment.ID]; seen == nil || member {
				ids = append(ids, e.Assessment.ID)
			}
		}
		scopes, err := t.store.Scopes(ctx, ids)
		if err != nil {
			return err
		}
		for i := range entries {
			entries[i].Assessment.Scope = scopes[entries[i].Assessment.ID]
		}
		return nil
	})
}

// recomputeChunk bounds how many assessments' items are in memory at once
// when summaries are computed again.
const recomputeChunk = 200

// headlines computes the headlines of out[i] for i in which, from their
// items and the listing each was made from, and returns them as summaries
// at their revisions.
func (s *Service) headlines(ctx context.Context, out []PortfolioEntry, which []int, listing func(int) *store.Listing) ([]store.Summary, error) {
	var fresh []store.Summary
	for start := 0; start < len(which); start += recomputeChunk {
		part := which[start:min(start+recomputeChunk, len(which))]
		ids := make([]string, len(part))
		for j, i := range part {
			ids[j] = out[i].Assessment.ID
		}
		items, err := s.store.ScoresOf(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, i := range part {
			l := listing(i)
			cat, err := s.CatalogOf(ctx, l.Assessment)
			if err != nil {
				return nil, err
			}
			out[i].Headline = assess.Compute(cat, l.Assessment, items[l.Assessment.ID]).Headline()
			fresh = append(fresh, store.Summary{Assessment: l.Assessment, Revision: l.Revision, Headline: out[i].Headline})
		}
	}
	return fresh, nil
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
