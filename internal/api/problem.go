package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/assess"
)

// kindStatus is the one table from an error's kind to the status the API
// and the web app answer with; the domain names kinds, this edge gives
// them meaning.
var kindStatus = map[assess.Kind]int{
	assess.KindInternal:        http.StatusInternalServerError,
	assess.KindInvalid:         http.StatusUnprocessableEntity,
	assess.KindNotFound:        http.StatusNotFound,
	assess.KindConflict:        http.StatusConflict,
	assess.KindForbidden:       http.StatusForbidden,
	assess.KindUnauthenticated: http.StatusUnauthorized,
	assess.KindSchema:          http.StatusServiceUnavailable,
	assess.KindUsage:           http.StatusBadRequest,
	assess.KindRateLimited:     http.StatusTooManyRequests,
}

// Status is the HTTP status of an error of kind k; a kind missing from the
// table (a test forbids it) answers as an internal error.
func Status(k assess.Kind) int {
	if s, ok := kindStatus[k]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an error as RFC 9457 problem details.
type Problem struct {
	// Type names the kind of problem; it resolves to its explanation on
	// the API's reference page.
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	// Errors are the problems of single fields of the input.
	Errors []assess.FieldError `json:"errors,omitempty"`
	// Conflicts are, for an edit based on an older version, each field
	// someone else saved since: both values and who saved theirs.
	Conflicts []FieldConflict `json:"conflicts,omitempty"`
	// Current is the item as it is stored now, for a conflicting item edit.
	Current *assess.Item `json:"current,omitempty"`
}

// FieldConflict is one field of a conflicting edit.
type FieldConflict struct {
	Field string `json:"field"`
	// Yours is the value the edit would have set, Theirs the value saved
	// since the edit's version, by SavedBy at SavedAt in Version.
	Yours   string `json:"yours"`
	Theirs  string `json:"theirs"`
	SavedBy string `json:"saved_by"`
	SavedAt string `json:"saved_at"`
	Version int    `json:"version"`
}

// problemType is the type URI of a kind: an anchor of the reference page.
func problemType(k assess.Kind) string { return Root + "/docs#" + problemAnchor(k) }

func problemAnchor(k assess.Kind) string {
	return "problem-" + strings.ReplaceAll(k.String(), " ", "-")
}

// problem answers with an error as problem details.
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = assess.Errorf(assess.KindInvalid, "the request body is larger than the %d bytes this route takes", mbe.Limit)
	}
	kind := assess.KindOf(err)
	status := Status(kind)
	p := Problem{Type: problemType(kind), Title: http.StatusText(status), Status: status, Detail: err.Error(), Instance: r.URL.Path}
	if kind == assess.KindInternal {
		p.Detail = "something went wrong on our side; please try again"
	}
	var fe *assess.FieldErrors
	if errors.As(err, &fe) {
		p.Errors = fe.List
	}
	var ce *assess.ConflictError
	if errors.As(err, &ce) {
		p.Conflicts = conflicts(ce)
		p.Current = &ce.Current
	}
	h.writeJSONType(w, status, "application/problem+json", p)
}

// conflicts lists, for each field the edit sets and someone saved since
// its version, both values and the saver.
func conflicts(ce *assess.ConflictError) []FieldConflict {
	yours := map[string]string{}
	for _, c := range assess.DiffItems(ce.Current, ce.Attempted) {
		yours[c.Field] = c.New
	}
	out := []FieldConflict{}
	for _, c := range ce.LastSaved() {
		y, ok := yours[c.Field]
		if !ok {
			continue // the edit sets it to what they saved: no conflict there
		}
		out = append(out, FieldConflict{Field: c.Field, Yours: y, Theirs: c.New, SavedBy: c.Actor, SavedAt: c.At.Format("2006-01-02T15:04:05.999999Z07:00"), Version: c.Version})
	}
	return out
}

func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	h.writeJSONType(w, status, "application/json", v)
}

func (h *Handler) writeJSONType(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode the response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
