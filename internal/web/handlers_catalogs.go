package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// catalogChoice is a catalog an assessment may be started from, as the
// catalogs page and the new-assessment form show it.
type catalogChoice struct {
	app.CatalogInfo
	// Key names it in forms and links: "ID@VERSION".
	Key string
	// Assessments counts those the principal sees that use it.
	Assessments int
}

func catalogKey(id, version string) string { return id + "@" + version }

// catalogChoices lists the catalogs p may start from, the built-in one
// first (app.Catalogs). counts also counts the assessments p sees on each.
func (s *Server) catalogChoices(r *http.Request, p app.Principal, counts bool) ([]catalogChoice, error) {
	list, err := s.svc.Catalogs(r.Context(), p)
	if err != nil {
		return nil, err
	}
	use := map[string]int{}
	if counts {
		entries, err := s.svc.Portfolio(r.Context(), p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			id, v := e.Assessment.CatalogID, e.Assessment.CatalogVersion
			if id == "" {
				id, v = catalog.Builtin().ID, catalog.Builtin().Version
			}
			use[catalogKey(id, v)]++
		}
	}
	out := make([]catalogChoice, len(list))
	for i, c := range list {
		k := catalogKey(c.ID, c.Version)
		out[i] = catalogChoice{CatalogInfo: c, Key: k, Assessments: use[k]}
	}
	return out, nil
}

// chosenCatalog finds the catalog a form names by its key; "" is the
// built-in one.
func chosenCatalog(list []catalogChoice, key string) (catalogChoice, bool) {
	if key == "" {
		return list[0], true
	}
	for _, c := range list {
		if c.Key == key {
			return c, true
		}
	}
	return catalogChoice{}, false
}

type catalogsPage struct {
	Base
	Catalogs []catalogChoice
	// Imported is the catalog just imported (nil otherwise).
	Imported *catalogChoice
	Errors   formErrors
	MaxSize  int64
}

// catalogs shows the catalogs assessments may be started from, to those
// who may start them, with the form to import another.
func (s *Server) catalogs(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if err := s.mayUseCatalogs(r, p); err != nil {
		return err
	}
	return s.renderCatalogs(w, r, p, http.StatusOK, nil, formErrors{})
}

// mayUseCatalogs refuses the catalogs page to those who may not start
// assessments before anything is read (the app refuses them the import
// whatever this says).
func (s *Server) mayUseCatalogs(r *http.Request, p app.Principal) error {
	may, err := s.svc.MayCreateAssessments(r.Context(), p)
	if err == nil && !may {
		err = assess.Errorf(assess.KindForbidden, "catalogs are for those who may start assessments: ask a site administrator")
	}
	return err
}

func (s *Server) renderCatalogs(w http.ResponseWriter, r *http.Request, p app.Principal, status int, imported *app.CatalogInfo, fe formErrors) error {
	list, err := s.catalogChoices(r, p, true)
	if err != nil {
		return err
	}
	pg := &catalogsPage{Base: userBase(p, "Catalogs"), Catalogs: list, Errors: fe, MaxSize: app.MaxCatalogFile}
	if imported != nil {
		k := catalogKey(imported.ID, imported.Version)
		pg.Imported = &catalogChoice{CatalogInfo: *imported, Key: k}
		for _, c := range list {
			if c.Key == k {
				pg.Imported.Assessments = c.Assessments
			}
		}
	}
	s.render(w, r, status, "catalogs", pg)
	return nil
}

// importCatalog reads an uploaded catalog file (OSCAL or isogap JSON) and
// keeps it (app.ImportCatalog). A refused file is explained on the
// catalogs page, as the app's error names it: the JSON pointer or field,
// or what to do about a conflict.
func (s *Server) importCatalog(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if err := s.mayUseCatalogs(r, p); err != nil {
		return err
	}
	// The route's cap applies (limitBody); past it s.h answers 413.
	var data []byte
	file, _, err := r.FormFile("file")
	if err == nil {
		data, err = io.ReadAll(file)
		file.Close()
		if err != nil {
			return err
		}
	} else {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
	}
	var info app.CatalogInfo
	if data == nil {
		err = assess.Errorf(assess.KindInvalid, "choose a catalog file to import: an OSCAL catalog or an isogap catalog, in JSON")
	} else {
		info, err = s.svc.ImportCatalog(r.Context(), p, data)
	}
	switch kind := assess.KindOf(err); {
	case err == nil:
		return s.renderCatalogs(w, r, p, http.StatusOK, &info, formErrors{})
	case kind == assess.KindInvalid || kind == assess.KindConflict:
		return s.renderCatalogs(w, r, p, httpStatus(kind), nil, catalogErrors(err))
	}
	return err
}

// catalogErrors lists a refused catalog file's problems, one a line as
// the app gives them; a line that starts with a JSON pointer (a schema
// check's) names where.
func catalogErrors(err error) formErrors {
	if fe, ok := fieldErrors(err); ok {
		return fe
	}
	var fe formErrors
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		where, problem, ok := strings.Cut(l, ": ")
		switch {
		case l == "":
		case ok && strings.HasPrefix(where, "/"):
			fe.List = append(fe.List, assess.FieldError{Where: where, Problem: problem})
		default:
			fe.List = append(fe.List, assess.FieldError{Problem: l})
		}
	}
	return fe
}
