package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// assets serves the embedded static files at content-hash URLs
// (/static/app.3f9c2a1b.css), so browsers may cache them for a year and a
// new release is fetched at once.
type assets struct {
	byURL  map[string]asset  // "/static/app.3f9c2a1b.css" → file
	urlOf  map[string]string // "app.css" → its URL
	loaded time.Time
}

type asset struct {
	name    string
	content []byte
	// gz is content gzip-compressed once at start, for text files that
	// shrink (nil otherwise): no asset is compressed per request.
	gz    []byte
	ctype string
}

func loadAssets() (*assets, error) {
	as := &assets{byURL: map[string]asset{}, urlOf: map[string]string{}, loaded: time.Now()}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		url := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a := asset{name: name, content: b, ctype: ctype}
		if compressible(ctype) && len(b) >= minCompress {
			a.gz = gzipped(b, gzip.BestCompression)
		}
		as.byURL[url] = a
		as.urlOf[name] = url
		return nil
	})
	return as, err
}

// url returns the content-hash URL of a static file; an unknown name
// panics at template execution, which the template tests catch.
func (as *assets) url(name string) string {
	u, ok := as.urlOf[name]
	if !ok {
		panic("unknown static file " + name)
	}
	return u
}

func (as *assets) serve(w http.ResponseWriter, r *http.Request) {
	a, ok := as.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	// The URL names the content: a new release has new URLs.
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	body := a.content
	if a.gz != nil && r.Header.Get("Range") == "" && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		// Set before the status line, so the compress layer passes it on.
		// ServeContent leaves the length of an encoded body to us.
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(a.gz)))
		body = a.gz
	}
	http.ServeContent(w, r, a.name, as.loaded, bytes.NewReader(body))
}
