package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/web"
)

// getWith sends a GET with one more request header.
func (c *client) getWith(path, key, value string) response {
	c.site.t.Helper()
	saved := c.header
	c.header = saved.Clone()
	if c.header == nil {
		c.header = http.Header{}
	}
	c.header.Set(key, value)
	defer func() { c.header = saved }()
	return c.get(path)
}

// fetch sends a GET with an explicit Accept-Encoding (so the client does not
// decode behind the test's back) and returns the body as it came.
func (c *client) fetch(path, acceptEncoding string) (response, []byte) {
	res := c.getWith(path, "Accept-Encoding", acceptEncoding)
	return res, []byte(res.body)
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("broken gzip stream: %v", err)
	}
	return out
}

func hasVary(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		if strings.Contains(v, "Accept-Encoding") {
			return true
		}
	}
	return false
}

// Text answers are gzip-compressed for clients that accept it and decode to
// the same bytes as the plain answer; compressed files pass untouched.
func TestCompression(t *testing.T) {
	ctx := context.Background()
	// Stand-ins for the wired XLSX and PDF writers: a kilobyte-sized file
	// of their type.
	file := func(magic string) func(app.Source, io.Writer) error {
		return func(_ app.Source, w io.Writer) error {
			_, err := w.Write(append([]byte(magic), bytes.Repeat([]byte{0}, 8<<10)...))
			return err
		}
	}
	formats := append(app.DefaultFormats(),
		app.Format{Name: "xlsx", Label: "Workbook", Ext: "xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Write: file("PK\x03\x04")},
		app.Format{Name: "pdf", Label: "Report", Ext: "pdf", ContentType: "application/pdf", Write: file("%PDF-1.7")})
	s := newSite(t, engines[0].open(t), web.Config{Formats: formats})
	admin, _ := s.user("root", true)
	a, err := s.svc.CreateDemo(ctx, app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	A := "/a/" + a.ID

	for _, path := range []string{A + "/matrix", A + "/"} {
		plainRes, plain := admin.fetch(path, "identity")
		if plainRes.status != 200 || plainRes.header.Get("Content-Encoding") != "" {
			t.Fatalf("%s without gzip: %d, Content-Encoding %q", path, plainRes.status, plainRes.header.Get("Content-Encoding"))
		}
		if !hasVary(plainRes.header) {
			t.Errorf("%s without gzip: no Vary: Accept-Encoding (%v)", path, plainRes.header)
		}
		zres, z := admin.fetch(path, "br;q=1.0, gzip;q=0.8")
		if zres.status != 200 || zres.header.Get("Content-Encoding") != "gzip" || !hasVary(zres.header) {
			t.Fatalf("%s with gzip: %d %v", path, zres.status, zres.header)
		}
		if got := gunzip(t, z); !bytes.Equal(got, plain) {
			t.Errorf("%s: the gzip answer decodes to %d bytes, the plain one is %d", path, len(got), len(plain))
		}
		if len(z)*4 > len(plain) {
			t.Errorf("%s: compressed %d of %d bytes only", path, len(z), len(plain))
		}
		if res, _ := admin.fetch(path, "gzip;q=0"); res.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: gzip;q=0 refuses gzip, got %q", path, res.header.Get("Content-Encoding"))
		}
	}

	// A stylesheet from the page: compressed too, once when the server
	// started (so the answer has its length up front, as a stream
	// compressed on the fly cannot), and kept for a year.
	_, page := admin.fetch(A+"/matrix", "identity")
	css := string(page[bytes.Index(page, []byte("/static/app.")):])
	css = css[:strings.IndexByte(css, '"')]
	res, b := admin.fetch(css, "gzip")
	if res.header.Get("Content-Encoding") != "gzip" || !strings.Contains(string(gunzip(t, b)), "{") || !hasVary(res.header) {
		t.Errorf("stylesheet %s: %v", css, res.header)
	}
	if res.header.Get("Content-Length") != strconv.Itoa(len(b)) || !strings.Contains(res.header.Get("Cache-Control"), "immutable") {
		t.Errorf("stylesheet %s: Content-Length %q for %d bytes, Cache-Control %q", css, res.header.Get("Content-Length"), len(b), res.header.Get("Cache-Control"))
	}
	if plainRes, plain := admin.fetch(css, "identity"); plainRes.header.Get("Content-Encoding") != "" || !bytes.Equal(plain, gunzip(t, b)) {
		t.Errorf("stylesheet %s without gzip: %v", css, plainRes.header)
	}

	// Downloads that are compressed files already pass untouched.
	for _, f := range []string{"xlsx", "pdf"} {
		res, b := admin.fetch(A+"/download/"+f, "gzip")
		if res.status != 200 || res.header.Get("Content-Encoding") != "" {
			t.Errorf("%s download: %d, Content-Encoding %q", f, res.status, res.header.Get("Content-Encoding"))
		}
		if len(b) != 8<<10+len("PK\x03\x04") && len(b) != 8<<10+len("%PDF-1.7") {
			t.Errorf("%s download: %d bytes, not as written", f, len(b))
		}
	}
	// The JSON export is text: compressed, and whole.
	res, b = admin.fetch(A+"/download/json", "gzip")
	if res.header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("json download: %v", res.header)
	}
	if _, err := s.svc.ImportJSON(ctx, app.System("test"), bytes.NewReader(gunzip(t, b)), app.ImportOptions{AsNew: true}); err != nil {
		t.Errorf("the compressed export does not import: %v", err)
	}
}
