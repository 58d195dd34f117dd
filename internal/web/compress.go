package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Compression: text answers (pages, styles, scripts, JSON, SVG, CSV) go out
// gzip-compressed to clients that accept it; a matrix page shrinks to about
// a tenth. Files that are compressed already (XLSX, PDF, PNG, ZIP) pass
// untouched, and so do answers without a body, ranges and small answers.

// minCompress is the smallest known body worth compressing: below a
// packet, gzip's header and trailer cost more than they save.
const minCompress = 1024

var gzipWriters = sync.Pool{New: func() any {
	// Level 5 compresses HTML nearly as well as the default at a good deal less CPU.
	w, _ := gzip.NewWriterLevel(io.Discard, 5)
	return w
}}

// gzipped compresses bytes kept to be sent many times (a static file, a
// rendered page), once, at the level given.
func gzipped(b []byte, level int) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b) / 4)
	zw, _ := gzip.NewWriterLevel(&buf, level)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// compress wraps every answer in a gzipWriter when the request accepts gzip.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead || r.Header.Get("Range") != "" || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			next.ServeHTTP(&varyWriter{ResponseWriter: w}, r)
			return
		}
		gw := &gzipWriter{varyWriter: varyWriter{ResponseWriter: w}}
		next.ServeHTTP(gw, r)
		// Not deferred: after a panic (a download cut short) the stream
		// must not be ended as if it were whole.
		gw.close()
	})
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) with a quality
// above zero.
func acceptsGzip(h string) bool {
	for part := range strings.SplitSeq(h, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

// compressible reports whether a content type is text that gzip shrinks.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/javascript", mt == "application/xml", strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

// varyWriter adds "Vary: Accept-Encoding" to compressible answers, whether
// or not this one is compressed, so that caches keep both forms apart.
type varyWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *varyWriter) vary() bool {
	h := w.Header()
	if !compressible(h.Get("Content-Type")) {
		return false
	}
	h.Add("Vary", "Accept-Encoding")
	return true
}

func (w *varyWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.vary()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *varyWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *varyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// gzipWriter decides on the status line whether to compress: a
// compressible type with a body, not encoded already, not known to be small.
type gzipWriter struct {
	varyWriter
	gz      *gzip.Writer // nil: passing through
	flushed bool
}

func (w *gzipWriter) WriteHeader(code int) {
	if w.wrote {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.wrote = true
	h := w.Header()
	if w.vary() && code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified &&
		code != http.StatusPartialContent && h.Get("Content-Encoding") == "" {
		if n, err := strconv.Atoi(h.Get("Content-Length")); err != nil || n >= minCompress {
			h.Del("Content-Length")
			h.Set("Content-Encoding", "gzip")
			w.gz = gzipWriters.Get().(*gzip.Writer)
			w.gz.Reset(w.ResponseWriter)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.gz == nil {
		return w.ResponseWriter.Write(b)
	}
	n, err := w.gz.Write(b)
	if err == nil && !w.flushed && w.Header().Get("Content-Disposition") != "" {
		// A streamed download's status and first bytes go out at once,
		// as they would uncompressed: the browser shows it has started,
		// and a failure after this point cuts the connection.
		w.flushed = true
		w.Flush()
	}
	return n, err
}

// Flush sends what is compressed so far.
func (w *gzipWriter) Flush() {
	if w.gz != nil {
		w.gz.Flush()
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *gzipWriter) close() {
	if w.gz == nil {
		return
	}
	w.gz.Close()
	w.gz.Reset(io.Discard)
	gzipWriters.Put(w.gz)
	w.gz = nil
}
