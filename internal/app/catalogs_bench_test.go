package app_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/oscal"
	"github.com/isogap/isogap/internal/testenv"
)

// sp80053Sized is an OSCAL catalog the size of NIST SP 800-53 (1,200
// controls).
func sp80053Sized(version string) []byte { return testenv.GeneratedOSCALCatalog(20, 20, version) }

func TestSP80053SizedImports(t *testing.T) {
	c, err := oscal.ReadCatalog(sp80053Sized("1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 1200 || len(c.Sections) != 20 {
		t.Errorf("%d items in %d sections", len(c.Items), len(c.Sections))
	}
}

// BenchmarkOSCALCatalog1200: reading a 1,200-control OSCAL catalog,
// importing it into SQLite, starting an assessment on it and computing
// every result.
func BenchmarkOSCALCatalog1200(b *testing.B) {
	ctx := context.Background()
	sys := app.System("bench")
	doc := sp80053Sized("1")
	b.Logf("document: %d KiB", len(doc)>>10)
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, err := oscal.ReadCatalog(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	st, _ := sqliteStore(b)
	svc := app.New(st, app.Config{})
	b.Run("import", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			b.StopTimer()
			doc := sp80053Sized("v" + strconv.Itoa(n))
			b.StartTimer()
			if _, err := svc.ImportCatalog(ctx, sys, doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	info, err := svc.ImportCatalog(ctx, sys, doc)
	if err != nil {
		b.Fatal(err)
	}
	var aid string
	b.Run("create", func(b *testing.B) {
		for b.Loop() {
			a, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme", CatalogID: info.ID, CatalogVersion: info.Version})
			if err != nil {
				b.Fatal(err)
			}
			aid = a.ID
		}
	})
	b.Run("compute", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Results(ctx, sys, aid, nil, app.AllResults); err != nil {
				b.Fatal(err)
			}
		}
	})
}
