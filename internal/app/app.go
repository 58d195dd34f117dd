// Package app holds isogap's use cases: every surface (CLI, web, API,
// importers) calls these functions, so each rule is applied in one place.
package app

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/lru"
	"github.com/isogap/isogap/internal/store"
)

// Service runs isogap's use cases on a store. Every exported method that
// touches an assessment or an account takes the Principal who asks and
// checks it inside its own transaction (policy.go); the few that need no
// principal are listed in principalFree (app_api_test.go).
type Service struct {
	store           store.Store
	catalogs        *catalogCache
	replays         *lru.Cache[string, assess.Replay]
	clock           func() time.Time
	everyoneCreates bool
	obs             Observer
	mailer          Mailer
	grace           time.Duration
	sso             *ssoCache
}

// Config is what a Service is told.
type Config struct {
	// Clock is the one clock of the use cases: creation and expiry times,
	// "today" for overdue actions and the forecast (default: the system
	// clock). Give the store the same clock.
	Clock func() time.Time
	// EveryoneCreatesAssessments is the site's setting for who may start
	// assessments: every account, rather than only the administrators and
	// the accounts they allow (the default, for sites shared by clients).
	EveryoneCreatesAssessments bool
	// Events hears of conflicts, sign-ins and imports, for an operator's
	// metrics (default: nobody).
	Events Observer
	// Mailer sends interview invitations and reminders (default: none;
	// the links are only returned).
	Mailer Mailer
	// InterviewGrace is how long an interview link works after its due
	// date (default DefaultInterviewGrace).
	InterviewGrace time.Duration
}

// catalogCache keeps parsed custom catalogs by id.
type catalogCache struct {
	mu sync.Mutex
	m  map[string]*catalog.Catalog
}

// New builds a Service on a store.
func New(st store.Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Events == nil {
		cfg.Events = noObserver{}
	}
	if cfg.InterviewGrace <= 0 {
		cfg.InterviewGrace = DefaultInterviewGrace
	}
	return &Service{store: st, catalogs: &catalogCache{m: map[string]*catalog.Catalog{}}, replays: newReplayCache(), clock: cfg.Clock,
		everyoneCreates: cfg.EveryoneCreatesAssessments, obs: cfg.Events, mailer: cfg.Mailer, grace: cfg.InterviewGrace,
		sso: newSSOCache()}
}

// in returns the service working on another store, the transaction of
// store.InTx or ReadTx, so several steps commit together.
func (s *Service) in(st store.Store) *Service {
	c := *s
	c.store = st
	return &c
}

// Now is the service's clock, as isogap records times.
func (s *Service) Now() time.Time { return assess.Stamp(s.clock()) }

func (s *Service) now() time.Time { return s.Now() }

// Engine names the database engine: "sqlite" or "postgres".
func (s *Service) Engine() string { return s.store.Engine() }

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
