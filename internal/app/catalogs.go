package app

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/oscal"
	"github.com/isogap/isogap/internal/store"
)

// CatalogInfo describes a catalog assessments can be made from.
type CatalogInfo struct {
	ID, Version, Name string
	Builtin           bool
	Sections          int
	Clauses, Controls int // items of each kind
	// Notes say what importing the file decided (withdrawn controls
	// skipped, items sorted); empty when listing.
	Notes []string
}

func infoOf(c *catalog.Catalog, notes []string) CatalogInfo {
	return CatalogInfo{ID: c.ID, Version: c.Version, Name: c.Name, Builtin: c.ID == catalog.Builtin().ID,
		Sections: len(c.Sections), Clauses: c.Count(catalog.KindClause), Controls: c.Count(catalog.KindControl), Notes: notes}
}

// ReadCatalogFile reads a catalog file, isogap's own format or an OSCAL
// catalog, and returns the catalog, the isogap catalog file to keep (the
// file itself when it already is one) and notes on the conversion.
func ReadCatalogFile(data []byte) (*catalog.Catalog, []byte, []string, error) {
	cat, notes, err := oscal.ReadCatalogNotes(data)
	if err != nil {
		what := "catalog file"
		if strings.HasPrefix(err.Error(), "catalog") {
			what = "" // the reader's message names it already
		}
		return nil, nil, nil, assess.Wrap(assess.KindInvalid, err, what)
	}
	var root struct {
		Format *string `json:"format"`
	}
	if json.Unmarshal(data, &root) == nil && root.Format != nil {
		return cat, data, notes, nil
	}
	content, err := json.MarshalIndent(cat, "", "  ")
	if err != nil {
		return nil, nil, nil, err
	}
	return cat, append(content, '\n'), notes, nil
}

// MaxCatalogFile bounds a catalog file to import: NIST SP 800-53 rev5 as
// OSCAL JSON, the largest catalog in common use, is about 10 MiB.
const MaxCatalogFile = 64 << 20

// ImportCatalog keeps a catalog file (isogap or OSCAL JSON) in the
// database so assessments can be made from it; only those who may start
// assessments may. Importing the same file again changes nothing; another
// catalog with the same id and version is a conflict.
func (s *Service) ImportCatalog(ctx context.Context, p Principal, data []byte) (CatalogInfo, error) {
	if err := requireSignedIn(p); err != nil {
		return CatalogInfo{}, err
	}
	if len(data) > MaxCatalogFile {
		return CatalogInfo{}, assess.Errorf(assess.KindInvalid, "catalog file: larger than %d MiB", MaxCatalogFile>>20)
	}
	cat, content, notes, err := ReadCatalogFile(data)
	if err != nil {
		return CatalogInfo{}, err
	}
	err = s.store.InTx(ctx, func(st store.Store) error {
		if err := s.requireCreator(ctx, st, p); err != nil {
			return err
		}
		return s.registerCatalog(ctx, st, cat, content)
	})
	if err != nil {
		return CatalogInfo{}, err
	}
	return infoOf(cat, notes), nil
}

// Catalogs lists the catalogs p may start assessments from: the built-in
// one first, then the stored ones by id and version. Stored catalogs are
// listed only to those who may start assessments.
func (s *Service) Catalogs(ctx context.Context, p Principal) ([]CatalogInfo, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	out := []CatalogInfo{infoOf(catalog.Builtin(), nil)}
	files, err := s.storedCatalogs(ctx, p)
	if err != nil || files == nil {
		return out, err
	}
	for _, f := range files {
		c, err := s.Catalog(ctx, f.ID, f.Version)
		if err != nil {
			return nil, err
		}
		out = append(out, infoOf(c, nil))
	}
	return out, nil
}

// storedCatalogs lists the stored catalog files in order, or nil when p
// may not start assessments.
func (s *Service) storedCatalogs(ctx context.Context, p Principal) ([]store.CatalogFile, error) {
	var files []store.CatalogFile
	err := s.store.ReadTx(ctx, func(st store.Store) error {
		if err := s.requireCreator(ctx, st, p); err != nil {
			if assess.KindOf(err) == assess.KindForbidden {
				return nil
			}
			return err
		}
		var err error
		files, err = st.Catalogs(ctx)
		if files == nil {
			files = []store.CatalogFile{}
		}
		return err
	})
	slices.SortFunc(files, func(a, b store.CatalogFile) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return catalog.CompareRefs(a.Version, b.Version)
	})
	return files, err
}

// StoredCatalog returns a catalog assessments can be made from, by id and
// version: the built-in one or a stored one, with its file; an empty
// version means the latest (in natural order: "10" after "9"). Stored
// catalogs are for those who may start assessments.
func (s *Service) StoredCatalog(ctx context.Context, p Principal, id, version string) (*catalog.Catalog, []byte, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, nil, err
	}
	return s.storedCatalog(ctx, p, id, version)
}

func (s *Service) storedCatalog(ctx context.Context, p Principal, id, version string) (*catalog.Catalog, []byte, error) {
	if id == catalog.Builtin().ID && (version == "" || version == catalog.Builtin().Version) {
		return catalog.Builtin(), nil, nil
	}
	files, err := s.storedCatalogs(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	if files == nil {
		return nil, nil, forbidden("starting assessments is for site administrators and the accounts they allow: ask a site administrator")
	}
	var found *store.CatalogFile
	for i, f := range files {
		if f.ID == id && (version == "" || f.Version == version) {
			found = &files[i] // sorted: the last match is the latest
		}
	}
	if found == nil {
		what := id
		if version != "" {
			what += " version " + version
		}
		return nil, nil, assess.Errorf(assess.KindNotFound, "no stored catalog %s: import it first (isogap catalog import), or see the list (isogap catalog list)", what)
	}
	c, err := s.Catalog(ctx, found.ID, found.Version)
	return c, bytes.Clone(found.Content), err
}
