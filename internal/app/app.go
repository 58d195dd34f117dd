// Package app holds isogap's use cases: every surface (CLI, web, API,
// importers) calls these functions, so each rule is applied in one place.
package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// Service runs isogap's use cases on a store.
type Service struct {
	store    store.Store
	catalogs *catalogCache
}

// catalogCache keeps parsed custom catalogs by id.
type catalogCache struct {
	mu sync.Mutex
	m  map[string]*catalog.Catalog
}

// New builds a Service on a store.
func New(st store.Store) *Service {
	return &Service{store: st, catalogs: &catalogCache{m: map[string]*catalog.Catalog{}}}
}

// WithStore returns the service working on another store, typically the
// transaction of store.InTx, so several use cases commit together.
func (s *Service) WithStore(st store.Store) *Service {
	return &Service{store: st, catalogs: s.catalogs}
}

// Store returns the service's store.
func (s *Service) Store() store.Store { return s.store }

// CatalogOf returns the catalog an assessment was made from.
func (s *Service) CatalogOf(ctx context.Context, a assess.Assessment) (*catalog.Catalog, error) {
	return s.Catalog(ctx, a.CatalogID, a.CatalogVersion)
}

// Catalog returns a catalog by id and version: the built-in one or a stored
// custom one. Stored versions never change, so the parsed catalog can be
// cached in every process.
func (s *Service) Catalog(ctx context.Context, id, version string) (*catalog.Catalog, error) {
	if b := catalog.Builtin(); id == b.ID || id == "" {
		return b, nil
	}
	key := id + "@" + version
	s.catalogs.mu.Lock()
	c := s.catalogs.m[key]
	s.catalogs.mu.Unlock()
	if c != nil {
		return c, nil
	}
	content, err := s.store.GetCatalog(ctx, id, version)
	if err != nil {
		return nil, err
	}
	c, err = catalog.Parse(bytes.NewReader(content))
	if err != nil {
		return nil, fmt.Errorf("stored catalog %s version %s: %w", id, version, err)
	}
	s.catalogs.mu.Lock()
	s.catalogs.m[key] = c
	s.catalogs.mu.Unlock()
	return c, nil
}

// registerCatalog keeps a custom catalog in the store so its assessments stay readable.
func (s *Service) registerCatalog(ctx context.Context, st store.Store, c *catalog.Catalog, content []byte) error {
	if c.ID == catalog.Builtin().ID {
		if !bytes.Equal(content, catalog.BuiltinJSON()) && content != nil {
			return assess.Errorf(assess.KindInvalid, "catalog id %q is reserved for the built-in catalog: give the custom catalog another id", c.ID)
		}
		return nil
	}
	existing, err := st.GetCatalog(ctx, c.ID, c.Version)
	switch {
	case err == nil && !bytes.Equal(existing, content):
		return assess.Errorf(assess.KindConflict,
			"a different catalog %q version %q is already stored: raise the version in the file or use another id", c.ID, c.Version)
	case err == nil:
		return nil
	case assess.KindOf(err) != assess.KindNotFound:
		return err
	}
	return st.PutCatalog(ctx, c.ID, c.Version, content)
}

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
	Lead         string
	// Catalog is the catalog to assess against; nil means the built-in one.
	Catalog *catalog.Catalog
	// CatalogFile is the custom catalog's file content, kept in the store.
	CatalogFile []byte
	Actor       string
}

// CreateAssessment starts an assessment with one unassessed item per catalog item.
func (s *Service) CreateAssessment(ctx context.Context, in NewAssessment) (assess.Assessment, error) {
	cat := in.Catalog
	if cat == nil {
		cat = catalog.Builtin()
	}
	now := assess.Now()
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
		items[i] = assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department, Version: 1, UpdatedAt: now, UpdatedBy: in.Actor}
	}
	err := s.store.InTx(ctx, func(st store.Store) error {
		if in.Catalog != nil {
			if err := s.registerCatalog(ctx, st, cat, in.CatalogFile); err != nil {
				return err
			}
		}
		return st.CreateAssessment(ctx, a, items)
	})
	return a, err
}

// UpdateAssessment changes an assessment's header (scope, stakeholders,
// target …) if it is still at baseVersion.
func (s *Service) UpdateAssessment(ctx context.Context, actor string, a assess.Assessment, baseVersion int) (assess.Assessment, error) {
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
	return s.store.UpdateAssessment(ctx, a, baseVersion, actor, assess.DiffAssessments(cur, a))
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

// View loads an assessment and computes its figures.
func (s *Service) View(ctx context.Context, id string) (View, error) {
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

// Portfolio lists assessments with their readiness and coverage.
func (s *Service) Portfolio(ctx context.Context) ([]Summary, error) {
	list, err := s.store.ListAssessments(ctx)
	if err != nil {
		return nil, err
	}
	return s.summaries(ctx, list)
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
