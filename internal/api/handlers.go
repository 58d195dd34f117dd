package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// decode reads a JSON body into v, refusing unknown fields and trailing
// data, with errors that name the field.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	return decodeBytes(body, v)
}

func decodeBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fieldErr("body", "", "the request has no body", "a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return fieldErr(te.Field, te.Value, "wrong type", "a "+jsonKind(te.Type.Kind().String()))
		case errors.As(err, &se):
			return fieldErr("body", "", fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, err), "a JSON object")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return fieldErr(name, "", "unknown field", "only the fields the API reference lists for this route")
		default:
			return fieldErr("body", "", err.Error(), "a JSON object")
		}
	}
	if dec.More() {
		return fieldErr("body", "", "data after the JSON object", "one JSON object")
	}
	return nil
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "whole number"
	case strings.HasPrefix(k, "float"):
		return "number"
	case k == "ptr":
		return "value"
	}
	return k
}

func fieldErr(where, value, problem, expected string) error {
	return &assess.FieldErrors{List: []assess.FieldError{{Where: where, Value: value, Problem: problem, Expected: expected}}}
}

// etag answers 304 when the client's copy of an assessment's read is still
// current, and sets the ETag otherwise. The tag is the assessment's
// revision, which every write raises, with the reader (what a role sees
// differs) and the day (results are as of today).
func (h *Handler) etag(w http.ResponseWriter, r *http.Request, p app.Principal, aid string) (bool, error) {
	rev, _, err := h.svc.Revision(r.Context(), p, aid)
	if err != nil {
		return false, err
	}
	tag := fmt.Sprintf(`"%d-%d-%s"`, rev, p.User.ID, h.svc.Now().Format("20060102"))
	w.Header().Set("ETag", tag)
	for m := range strings.SplitSeq(r.Header.Get("If-None-Match"), ",") {
		if m = strings.TrimSpace(m); m == tag || m == "W/"+tag || m == "*" {
			w.WriteHeader(http.StatusNotModified)
			return true, nil
		}
	}
	return false, nil
}

// The cursor is opaque to clients: the sort key of the last entry shown,
// so a page begins after it even when entries were added or removed.
type cursor struct {
	Key string `json:"k"`
}

func encodeCursor(key string) string {
	b, _ := json.Marshal(cursor{Key: key})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return "", fieldErr("cursor", s, "not a cursor of this list", "the next_cursor of the page before, unchanged")
	}
	return c.Key, nil
}

const (
	defaultLimit = 100
	maxLimit     = 1000
)

func pageLimit(q url.Values) (int, error) {
	s := q.Get("limit")
	if s == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, fieldErr("limit", s, "not a page size", fmt.Sprintf("a whole number from 1 to %d", maxLimit))
	}
	return n, nil
}

// paginate returns the page of list after the cursor of the request, its
// entries sorted by key ascending, and sets the Link header to the next.
func paginate[T any](w http.ResponseWriter, r *http.Request, list []T, key func(T) string) (Page[T], error) {
	q := r.URL.Query()
	limit, err := pageLimit(q)
	if err != nil {
		return Page[T]{}, err
	}
	after, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		return Page[T]{}, err
	}
	start := 0
	if after != "" {
		start = len(list)
		for i, e := range list {
			if key(e) > after {
				start = i
				break
			}
		}
	}
	end := min(start+limit, len(list))
	pg := Page[T]{Data: list[start:end]}
	if end < len(list) {
		pg.Next = encodeCursor(key(list[end-1]))
		q.Set("cursor", pg.Next)
		q.Set("limit", strconv.Itoa(limit))
		pg.NextURL = r.URL.Path + "?" + q.Encode()
		w.Header().Set("Link", "<"+pg.NextURL+`>; rel="next"`)
	}
	if pg.Data == nil {
		pg.Data = []T{}
	}
	return pg, nil
}

// padded turns a position or id into a key that sorts as a string.
func padded(n int64) string { return fmt.Sprintf("%020d", n) }

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0, assess.Errorf(assess.KindNotFound, "%s %q not found: want a positive whole number", name, r.PathValue(name))
	}
	return id, nil
}

func parseDate(where, s string) (assess.Date, error) {
	d, err := assess.ParseDate(s)
	if err != nil {
		return d, fieldErr(where, s, "not a date", "YYYY-MM-DD")
	}
	return d, nil
}
