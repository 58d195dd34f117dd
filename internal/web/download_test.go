package web_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/web"
)

// Downloads are streamed: the headers go with the first byte, an error
// before it is an ordinary error page, and an error after it cuts the
// connection so that no truncated file passes for a whole one.
func TestDownloadsStream(t *testing.T) {
	ctx := context.Background()
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	formats := append(app.DefaultFormats(),
		app.Format{Name: "early", Label: "Fails at once", Ext: "txt", ContentType: "text/plain",
			Write: func(app.Source, io.Writer) error { return errors.New("nothing to write") }},
		app.Format{Name: "late", Label: "Fails midway", Ext: "txt", ContentType: "text/plain",
			Write: func(_ app.Source, w io.Writer) error {
				for range 4 {
					if _, err := w.Write(chunk); err != nil {
						return err
					}
				}
				return errors.New("the database went away")
			}})
	s := newSite(t, engines[0].open(t), web.Config{Formats: formats})
	admin, _ := s.user("root", true)
	a, err := s.svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.AddEvidence(ctx, app.System("ann"), a.ID, "A.8.13", app.NewEvidence{FileName: "restore.bin", Content: chunk}); err != nil {
		t.Fatal(err)
	}
	A := "/a/" + a.ID + "/download/"

	res := admin.get(A + "json")
	if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), "acme-") || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("json download: %d %v", res.status, res.header)
	}
	imported, err := s.svc.ImportJSON(ctx, app.System("test"), strings.NewReader(res.body), app.ImportOptions{AsNew: true})
	if err != nil {
		t.Fatalf("the streamed export does not import: %v", err)
	}
	it, err := s.svc.Item(ctx, app.System("test"), imported.ID, "A.8.13")
	if err != nil || len(it.Evidence) != 1 {
		t.Fatalf("imported evidence: %v %v", it.Evidence, err)
	}
	if _, content, err := s.svc.EvidenceFile(ctx, app.System("test"), imported.ID, it.Evidence[0].ID); err != nil || !bytes.Equal(content, chunk) {
		t.Errorf("the evidence file did not survive the download: %d bytes, %v", len(content), err)
	}

	if res := admin.get(A + "early"); res.status != http.StatusInternalServerError || res.header.Get("Content-Disposition") != "" ||
		!strings.Contains(res.header.Get("Content-Type"), "text/html") {
		t.Errorf("an error before the first byte: %d %v, want the error page", res.status, res.header)
	}

	req, _ := http.NewRequest(http.MethodGet, s.srv.URL+A+"late", nil)
	req.AddCookie(admin.cookie)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	n, err := io.Copy(io.Discard, r.Body)
	if r.StatusCode != http.StatusOK || err == nil {
		t.Errorf("an error after %d bytes: status %d, read error %v; want the connection cut", n, r.StatusCode, err)
	}
}
