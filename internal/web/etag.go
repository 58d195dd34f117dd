package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"io"
	"io/fs"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/isogap/isogap/internal/app"
)

// Conditional GETs. Most page views come when nothing changed since the
// last one. A page of an assessment is a function of the assessment's
// revision (which every write raises), who asks and with what access, the
// URL, the build and the day (overdue actions, the forecast's start); its
// ETag is a hash of exactly these, so a browser asking again with
// If-None-Match gets 304 after one small query and no rendering. Only the
// pages known to depend on nothing else are routed through s.cached: not
// the members page (account names), the history (other assessments) nor
// the interviews (link expiry to the minute).

// buildKey identifies what the pages are made with: the templates, the
// static files, the downloads offered and the program itself (its VCS
// revision, or a value of this process when the build has none).
func buildKey(as *assets, formats []app.Format) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		field(h, p)
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	for name, url := range as.urlOf {
		field(h, name, url)
	}
	for _, f := range formats {
		field(h, f.Name, f.Label, f.Topic, f.ContentType)
	}
	program := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			program = rev
		}
	}
	if program == "" {
		// Unknown code: ETags of this process only.
		program = rand.Text()
	}
	field(h, program)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12]), nil
}

// field writes length-prefixed strings, so that no two lists of values
// hash alike.
func field(w io.Writer, values ...string) {
	var n [8]byte
	for _, v := range values {
		binary.BigEndian.PutUint64(n[:], uint64(len(v)))
		w.Write(n[:])
		io.WriteString(w, v)
	}
}

// pageTag is the weak ETag of a page of an assessment (weak: the gzip
// and the plain answer share it).
func (s *Server) pageTag(r *http.Request, p app.Principal, acc app.Access, rev int64) string {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(rev))
	h.Write(n[:])
	u, m := p.User, acc.Membership
	binary.BigEndian.PutUint64(n[:], uint64(u.ID))
	h.Write(n[:])
	field(h, s.build, s.today().String(), r.URL.Path, r.URL.RawQuery, acc.AssessmentID,
		u.Login, u.Name, u.Email, flag(u.Admin), flag(u.CreatesAssessments), flag(u.Disabled), flag(p.System), p.SystemName,
		string(acc.Role), flag(acc.Admin), string(m.Role), strings.Join(m.Departments, "\x00"), strings.Join(m.Refs, "\x00"),
		m.Expires.String(), flag(m.Pending))
	return `W/"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// notModified reports whether an If-None-Match header names tag (weak
// comparison, as RFC 9110 asks for GET).
func notModified(ifNoneMatch, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	for t := range strings.SplitSeq(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// cached is s.in for pages that carry an ETag: it asks for the revision
// first (before loading the page's data, so a write in between can only
// make the tag older than the page, never newer) and answers a matching
// If-None-Match with 304, and a tag rendered before with the bytes kept in
// the page cache (pagecache.go), without loading or rendering anything.
func (s *Server) cached(fn assessmentHandler) http.HandlerFunc {
	return s.auth(func(w http.ResponseWriter, r *http.Request, p app.Principal) error {
		rev, acc, err := s.svc.Revision(r.Context(), p, r.PathValue("id"))
		if err != nil {
			return err
		}
		tag := s.pageTag(r, p, acc, rev)
		if inm := r.Header.Get("If-None-Match"); inm != "" && notModified(inm, tag) {
			h := w.Header()
			h.Set("ETag", tag)
			h.Set("Cache-Control", pageCacheControl)
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		if pg := s.cache.get(tag); pg != nil {
			writePage(w, r, pg)
			return nil
		}
		if st := stateOf(r); st != nil {
			st.etag = tag
		}
		v, acc, err := s.svc.View(r.Context(), p, r.PathValue("id"))
		if err != nil {
			return err
		}
		return fn(w, r, &actx{P: p, View: v, Acc: acc})
	})
}

// pageCacheControl lets the browser keep a page with an ETag, for this
// user only, and ask every time whether it is still current.
const pageCacheControl = "private, no-cache"
