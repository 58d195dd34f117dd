package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

// BenchmarkLargeCatalogMatrix measures, on each engine, the matrix page
// of an assessment on a 1,200-control OSCAL catalog (the size of NIST SP
// 800-53) through the web handler, asked without and with gzip, and a
// save of one row from it as the inline editor sends it. The page cache
// is off: every request renders the page.
func BenchmarkLargeCatalogMatrix(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			svc := app.New(e.open(b), app.Config{})
			h, err := web.New(svc, web.Config{PageCacheBytes: -1})
			if err != nil {
				b.Fatal(err)
			}
			p, token := benchAdmin(b, svc)
			info, err := svc.ImportCatalog(ctx, p, testenv.GeneratedOSCALCatalog(20, 20, "1"))
			if err != nil {
				b.Fatal(err)
			}
			a, err := svc.CreateAssessment(ctx, p, app.NewAssessment{Org: "Large Co", CatalogID: info.ID, CatalogVersion: info.Version})
			if err != nil {
				b.Fatal(err)
			}
			matrix := "/a/" + a.ID + "/matrix"
			for _, enc := range []string{"identity", "gzip"} {
				b.Run("page-"+enc, func(b *testing.B) {
					var size int
					for b.Loop() {
						req := httptest.NewRequest("GET", matrix, nil)
						req.Header.Set("Cookie", "isogap_session="+token)
						req.Header.Set("Accept-Encoding", enc)
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("GET %s: %d", matrix, rec.Code)
						}
						size = rec.Body.Len()
					}
					b.ReportMetric(float64(size), "bytes")
					b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
				})
			}
			b.Run("save-row", func(b *testing.B) {
				version := 1
				for b.Loop() {
					body := url.Values{"version": {strconv.Itoa(version)}, "return": {matrix}, "score": {strconv.Itoa(version%5 + 1)}}
					req := httptest.NewRequest("POST", matrix+"/FA-1%281%29", strings.NewReader(body.Encode()))
					req.Header.Set("Cookie", "isogap_session="+token)
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Sec-Fetch-Site", "same-origin")
					req.Header.Set("X-Isogap-Inline", "1")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("save: %d %s", rec.Code, rec.Body.String())
					}
					version++
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			})
		})
	}
}
