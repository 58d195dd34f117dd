package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/oscal"
	"github.com/isogap/isogap/internal/testenv"
)

var basicCatalog = testenv.BasicOSCALCatalog

// NIST's basic catalog imports, is listed, and an assessment made from it
// is scored and computed like an ISO one.
func TestImportOSCALCatalogAndAssess(t *testing.T) {
	onEachEngine(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		lead := person(t, svc, "lead", true)
		info, err := svc.ImportCatalog(ctx, lead, basicCatalog(t))
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != "sample-security-catalog-for-demonstration-and-testing" || info.Version != "1.1" || info.Controls != 4 || info.Sections != 2 {
			t.Errorf("imported: %+v", info)
		}
		// The same file again is fine; another file under that id and version is not.
		if _, err := svc.ImportCatalog(ctx, lead, basicCatalog(t)); err != nil {
			t.Errorf("importing the same file again: %v", err)
		}
		changed := bytes.Replace(basicCatalog(t), []byte("Internal Organization"), []byte("Internal organisation"), 1)
		if _, err := svc.ImportCatalog(ctx, lead, changed); assess.KindOf(err) != assess.KindConflict {
			t.Errorf("a different catalog under the same id and version: %v, want a conflict", err)
		}
		newer := bytes.Replace(changed, []byte(`"version": "1.1"`), []byte(`"version": "1.10"`), 1)
		if _, err := svc.ImportCatalog(ctx, lead, newer); err != nil {
			t.Fatal(err)
		}
		list, err := svc.Catalogs(ctx, lead)
		if err != nil || len(list) != 3 || !list[0].Builtin || list[1].Version != "1.1" || list[2].Version != "1.10" || list[2].Controls != 4 {
			t.Fatalf("catalogs: %+v, %v", list, err)
		}

		// No version: the latest.
		a, err := svc.CreateAssessment(ctx, lead, app.NewAssessment{Org: "Acme", CatalogID: info.ID})
		if err != nil {
			t.Fatal(err)
		}
		if a.CatalogID != info.ID || a.CatalogVersion != "1.10" {
			t.Errorf("assessment on %s %s", a.CatalogID, a.CatalogVersion)
		}
		for _, ref := range []string{"1.1.1", "2.1.1"} {
			if _, err := svc.UpdateItem(ctx, lead, a.ID, ref, 0, app.ItemPatch{Score: ptr(assess.Score(4))}); err != nil {
				t.Fatal(err)
			}
		}
		r, err := svc.Results(ctx, lead, a.ID, nil, app.AllResults)
		if err != nil {
			t.Fatal(err)
		}
		if o := r.Result.Overall; o.Applicable != 4 || o.Assessed != 2 || o.AtTarget != 2 || len(r.Result.ByTheme) != 2 {
			t.Errorf("figures: %+v, %d themes", o, len(r.Result.ByTheme))
		}
		if len(r.Forecast.Actions) == 0 && len(r.Risks.Risks) == 0 {
			t.Error("no forecast or risks for the gaps")
		}
		// A named version; an unknown catalog is not found.
		if a, err := svc.CreateAssessment(ctx, lead, app.NewAssessment{Org: "Acme", CatalogID: info.ID, CatalogVersion: "1.1"}); err != nil || a.CatalogVersion != "1.1" {
			t.Errorf("version 1.1: %v %v", a.CatalogVersion, err)
		}
		if _, err := svc.CreateAssessment(ctx, lead, app.NewAssessment{Org: "Acme", CatalogID: "nist-800-53"}); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("unknown catalog: %v", err)
		}
	})
}

// Only those who may start assessments import catalogs or see the stored ones.
func TestImportCatalogNeedsCreator(t *testing.T) {
	onEachEngine(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		bob := person(t, svc, "bob", false)
		if _, err := svc.ImportCatalog(ctx, bob, basicCatalog(t)); assess.KindOf(err) != assess.KindForbidden {
			t.Errorf("import by an ordinary account: %v", err)
		}
		if _, err := svc.ImportCatalog(ctx, app.Principal{}, basicCatalog(t)); assess.KindOf(err) != assess.KindUnauthenticated {
			t.Errorf("import signed out: %v", err)
		}
		if _, err := svc.ImportCatalog(ctx, app.System("t"), basicCatalog(t)); err != nil {
			t.Fatal(err)
		}
		list, err := svc.Catalogs(ctx, bob)
		if err != nil || len(list) != 1 || !list[0].Builtin {
			t.Errorf("bob sees %+v, %v", list, err)
		}
		if _, err := svc.CreateAssessment(ctx, bob, app.NewAssessment{Org: "x", CatalogID: "sample-security-catalog-for-demonstration-and-testing"}); assess.KindOf(err) != assess.KindForbidden {
			t.Errorf("bob creating from a stored catalog: %v", err)
		}
	})
}

// The catalog an assessment uses downloads as OSCAL, and imports back.
func TestOSCALCatalogDownloadImportsBack(t *testing.T) {
	ctx := context.Background()
	svc, a := newService(t)
	var f app.Format
	for _, f = range app.DefaultFormats() {
		if f.Name == "oscal-catalog" {
			break
		}
	}
	var buf bytes.Buffer
	if err := svc.Export(ctx, app.System("t"), a.ID, f, &buf); err != nil {
		t.Fatal(err)
	}
	if err := oscal.Validate(oscal.ModelCatalog, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	info, err := svc.ImportCatalog(ctx, app.System("t"), buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	b := catalog.Builtin()
	if info.Builtin || info.Clauses != b.Count(catalog.KindClause) || info.Controls != b.Count(catalog.KindControl) || info.Name != b.Name {
		t.Errorf("imported back: %+v", info)
	}
	// The built-in catalog's own file is accepted as what it is; a changed
	// copy under its id is refused.
	if info, err := svc.ImportCatalog(ctx, app.System("t"), catalog.BuiltinJSON()); err != nil || !info.Builtin {
		t.Errorf("built-in file: %+v %v", info, err)
	}
	bad := strings.Replace(string(catalog.BuiltinJSON()), `"Return of assets"`, `"Return of things"`, 1)
	if _, err := svc.ImportCatalog(ctx, app.System("t"), []byte(bad)); assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("changed built-in: %v", err)
	}
	if _, err := svc.ImportCatalog(ctx, app.System("t"), []byte(`{"profile": {}}`)); assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), "profile") {
		t.Errorf("a profile: %v", err)
	}
}

// A catalog file past MaxCatalogFile is refused before it is parsed, and
// the message says the limit; the error of a file the reader refuses names
// the catalog file once.
func TestImportCatalogLimits(t *testing.T) {
	st, _ := sqliteStore(t)
	svc := app.New(st, app.Config{})
	big := make([]byte, app.MaxCatalogFile+1)
	if _, err := svc.ImportCatalog(context.Background(), app.System("t"), big); assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Errorf("a file past the limit: %v", err)
	}
	_, err := svc.ImportCatalog(context.Background(), app.System("t"), []byte("not json"))
	if assess.KindOf(err) != assess.KindInvalid || strings.Count(err.Error(), "catalog file") != 1 {
		t.Errorf("not JSON: %v", err)
	}
}
