package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// The OpenAPI description is generated, once when the handler is built,
// from the route table and the Go types each route reads and writes: a
// field added to a body type, a route added to the table or a format
// added to the export list is described by itself, and what is served is
// exactly what is encoded. The tests validate every response of every
// route against it and run a linter on it.

// Description returns the OpenAPI 3.1 description of the API.
func (h *Handler) Description() []byte { return h.doc }

func (h *Handler) openapi(w http.ResponseWriter, r *http.Request, _ app.Principal) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(h.doc)
	return nil
}

type obj = map[string]any

// describe builds the description.
func (h *Handler) describe() ([]byte, error) {
	g := &schemaGen{schemas: obj{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
	paths := obj{}
	tags := map[string]bool{}
	for _, rt := range h.routes {
		tags[rt.tag] = true
		p, _ := paths[Root+rt.path].(obj)
		if p == nil {
			p = obj{}
			paths[Root+rt.path] = p
		}
		p[strings.ToLower(rt.method)] = h.operation(g, rt)
	}
	g.ref(reflect.TypeFor[Problem]())
	var tagList []any
	for _, t := range slices.Sorted(maps.Keys(tags)) {
		tagList = append(tagList, obj{"name": t, "description": tagText[t]})
	}
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "isogap API",
			"version": "1",
			"summary": "ISO/IEC 27001:2022 gap assessments: items, evidence, results, snapshots, members, interviews and exports",
			"description": "JSON over HTTP for scripts and other tools. Every request but this description and its reference page " +
				"carries a personal access token as `Authorization: Bearer <token>`; a token has its owner's rights in each " +
				"assessment and never more, and a read-only token cannot write. Errors are RFC 9457 problem details. " +
				"Lists that grow are paged with an opaque cursor: follow `next` (also sent as a Link header) until it is absent. " +
				"Reads of an assessment carry an ETag; send it back as If-None-Match for a 304. Creates honour an Idempotency-Key " +
				"header for 24 hours: the same key with the same body replays the first response, with another body it is a 422.",
			"license": obj{"name": "Proprietary", "identifier": "LicenseRef-isogap"},
		},
		"servers":  []any{obj{"url": "http://127.0.0.1:8080", "description": "isogap serve on its default address"}},
		"security": []any{obj{"bearer": []any{}}},
		"tags":     tagList,
		"paths":    paths,
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "a personal access token, isg_…"}},
			"schemas":         g.schemas,
			"responses":       problemResponses(),
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

var tagText = map[string]string{
	"Assessments": "Assessments, their headers and history, and who the token belongs to.",
	"Items":       "The requirements matrix: every clause requirement and control of an assessment.",
	"Evidence":    "Statements, links and files that back an item's score.",
	"Results":     "What isogap concludes: readiness, blockers, forecast, roadmap, risks, Statement of Applicability.",
	"Snapshots":   "Named copies of an assessment at one moment, and comparisons.",
	"Members":     "Who may see and change an assessment, in which role.",
	"Interviews":  "Stakeholder interviews and their invitation links.",
	"Exports":     "The assessment as a file, in every format the downloads page offers.",
	"Description": "This description of the API.",
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

var paramText = map[string]string{
	"id":     "the assessment's id",
	"ref":    `an item's ref, such as "5.1" or "A.5.15"`,
	"eid":    "the evidence's id",
	"name":   "the snapshot's name",
	"login":  "the account's login",
	"iid":    "the interview's id",
	"format": "the export format",
}

func (h *Handler) operation(g *schemaGen, rt route) obj {
	op := obj{"operationId": rt.op, "summary": rt.summary, "tags": []any{rt.tag}}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		s := obj{"type": "string"}
		switch m[1] {
		case "eid", "iid":
			s = obj{"type": "integer", "minimum": 1}
		case "format":
			var names []any
			for _, f := range h.cfg.Formats {
				names = append(names, f.Name)
			}
			s = obj{"type": "string", "enum": names}
		}
		params = append(params, obj{"name": m[1], "in": "path", "required": true, "description": paramText[m[1]], "schema": s})
	}
	query := rt.query
	if rt.paged {
		query = append(slices.Clone(query),
			param{"cursor", "where the page begins: the next_cursor of the page before", str},
			param{"limit", "how many entries a page holds, 1 to " + strconv.Itoa(maxLimit) + " (default " + strconv.Itoa(defaultLimit) + ")",
				obj{"type": "integer", "minimum": 1, "maximum": maxLimit}})
	}
	for _, q := range query {
		p := obj{"name": q.name, "in": "query", "description": q.desc, "schema": q.schema}
		if q.schema["type"] == "array" {
			p["explode"] = true
		}
		params = append(params, p)
	}
	if rt.etag {
		params = append(params, obj{"name": "If-None-Match", "in": "header", "description": "the ETag of the copy the client holds: 304 when it is still current", "schema": str})
	}
	if rt.idem {
		params = append(params, obj{"name": "Idempotency-Key", "in": "header", "description": "a key unique to this create (kept 24 h): sending it again replays the first response",
			"schema": obj{"type": "string", "minLength": 1, "maxLength": 200}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.body != nil {
		content := obj{"application/json": obj{"schema": g.ref(reflect.TypeOf(rt.body))}}
		if rt.upload {
			content["multipart/form-data"] = obj{"schema": obj{"type": "object", "properties": obj{
				"text": obj{"type": "string"}, "url": obj{"type": "string"}, "date": obj{"type": "string", "description": "YYYY-MM-DD"},
				"file": obj{"type": "string", "contentMediaType": "application/octet-stream"}}}}
		}
		op["requestBody"] = obj{"required": true, "content": content}
	}
	resp := obj{}
	ok := obj{"description": http.StatusText(rt.status)}
	switch {
	case rt.raw != "":
		ok["content"] = obj{rt.raw: obj{"schema": obj{}}}
	case rt.out != nil:
		ok["content"] = obj{"application/json": obj{"schema": g.ref(reflect.TypeOf(rt.out))}}
	}
	headers := obj{}
	if rt.etag {
		headers["ETag"] = obj{"description": "the assessment's revision as the reader sees it today", "schema": str}
	}
	if rt.paged {
		headers["Link"] = obj{"description": `the next page, rel="next", when there is one`, "schema": str}
	}
	if rt.status == http.StatusCreated {
		headers["Location"] = obj{"description": "where the new resource is read", "schema": str}
	}
	if len(headers) > 0 {
		ok["headers"] = headers
	}
	resp[strconv.Itoa(rt.status)] = ok
	if rt.etag {
		resp["304"] = obj{"description": "Not Modified: the copy named by If-None-Match is current"}
	}
	for _, st := range problemStatuses(rt) {
		resp[strconv.Itoa(st)] = obj{"$ref": "#/components/responses/" + problemName(st)}
	}
	op["responses"] = resp
	if rt.public {
		op["security"] = []any{}
	}
	if rt.write {
		op["description"] = "Refused (403) with a read-only token."
	}
	return op
}

// problemStatuses are the error statuses a route may answer with.
func problemStatuses(rt route) []int {
	if rt.public {
		return []int{http.StatusNotFound}
	}
	out := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests}
	if rt.body != nil || rt.query != nil || rt.paged || rt.idem || rt.write {
		out = append(out, http.StatusUnprocessableEntity)
	}
	if rt.write {
		out = append(out, http.StatusConflict)
	}
	slices.Sort(out)
	return out
}

func problemName(status int) string {
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

func problemResponses() obj {
	out := obj{}
	for _, st := range []int{401, 403, 404, 409, 422, 429} {
		out[problemName(st)] = obj{"description": http.StatusText(st) + ": " + problemText[st],
			"content": obj{"application/problem+json": obj{"schema": obj{"$ref": "#/components/schemas/Problem"}}}}
	}
	return out
}

var problemText = map[int]string{
	401: "no token, or one that is unknown, expired or revoked",
	403: "the token's owner may not do this here, or the token is read-only",
	404: "no such thing, or one the token's owner may not see",
	409: "an edit based on an older version of what someone else changed since; conflicts lists both values",
	422: "the input is wrong; errors names each field",
	429: "too many requests with this token; Retry-After says when to try again",
}

// schemaGen turns Go types into JSON Schemas the way encoding/json writes
// them: named structs become components, the rest is inline.
type schemaGen struct {
	schemas obj
	names   map[reflect.Type]string
	taken   map[string]reflect.Type
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[assess.Date]()
)

func (g *schemaGen) ref(t reflect.Type) obj {
	switch t {
	case timeType:
		return obj{"type": "string", "format": "date-time"}
	case dateType:
		return obj{"type": "string", "description": "a day as YYYY-MM-DD, or empty for none", "pattern": `^([0-9]{4}-[0-9]{2}-[0-9]{2})?$`}
	}
	if t.Implements(reflect.TypeFor[json.Marshaler]()) {
		panic(fmt.Sprintf("openapi: %v marshals itself: describe it in schemaGen.ref", t))
	}
	switch t.Kind() {
	case reflect.Pointer:
		return obj{"anyOf": []any{g.ref(t.Elem()), obj{"type": "null"}}}
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return obj{"type": "string", "contentEncoding": "base64"}
		}
		return obj{"type": []any{"array", "null"}, "items": g.ref(t.Elem())}
	case reflect.Array:
		return obj{"type": "array", "items": g.ref(t.Elem()), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return obj{"type": []any{"object", "null"}, "additionalProperties": g.ref(t.Elem())}
	case reflect.Interface:
		return obj{}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		name := g.name(t)
		return obj{"$ref": "#/components/schemas/" + name}
	}
	panic(fmt.Sprintf("openapi: cannot describe %v", t))
}

// name gives a named struct its component, once.
func (g *schemaGen) name(t reflect.Type) string {
	if n, ok := g.names[t]; ok {
		return n
	}
	n := t.Name()
	if i := strings.Index(n, "["); i >= 0 {
		inner := n[i+1 : len(n)-1]
		inner = inner[strings.LastIndex(inner, ".")+1:]
		n = n[:i] + "Of" + inner
	}
	if other, ok := g.taken[n]; ok && other != t {
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		n = string(unicode.ToUpper(rune(pkg[0]))) + pkg[1:] + n
	}
	g.names[t], g.taken[n] = n, t
	g.schemas[n] = obj{} // placeholder: types may refer to themselves
	g.schemas[n] = g.object(t)
	return n
}

// object describes a struct's JSON object: its fields by their json
// names, embedded structs' fields flattened, the fields without omitempty
// or omitzero required.
func (g *schemaGen) object(t reflect.Type) obj {
	props := obj{}
	var required []any
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() && !f.Anonymous {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.ref(f.Type)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := obj{"type": "object", "properties": props}
	if required != nil {
		s["required"] = required
	}
	return s
}
