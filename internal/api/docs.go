package api

import (
	"bytes"
	"encoding/json"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// The reference page is rendered once, on the server, from the OpenAPI
// description itself: what a person reads is what a program reads. It
// needs no script and no file from elsewhere.

func (h *Handler) docs(w http.ResponseWriter, r *http.Request, _ app.Principal) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.Write(h.docPage)
	return nil
}

type refPage struct {
	Title, Summary, Description string
	Tags                        []refTag
	Schemas                     []refSchema
	Problems                    []refProblem
}

type refTag struct {
	Name, Description string
	Ops               []refOp
}

type refOp struct {
	Method, Path, Summary, Description, ID string
	Params                                 []refParam
	Body                                   []refType
	Responses                              []refResponse
}

type refParam struct{ Name, In, Description, Type string }

type refType struct{ Media, Type string }

type refResponse struct {
	Status, Description string
	Types               []refType
}

type refSchema struct {
	Name   string
	Fields []refField
}

type refField struct {
	Name, Type string
	Required   bool
}

type refProblem struct{ Anchor, Kind, Status string }

// schemaType names a schema as a reader would: a component's name, "array
// of X", "string" …
func schemaType(s map[string]any) string {
	if ref, ok := s["$ref"].(string); ok {
		return ref[strings.LastIndex(ref, "/")+1:]
	}
	if alts, ok := s["anyOf"].([]any); ok {
		var parts []string
		for _, a := range alts {
			parts = append(parts, schemaType(a.(map[string]any)))
		}
		return strings.Join(parts, " or ")
	}
	var t string
	switch v := s["type"].(type) {
	case string:
		t = v
	case []any:
		t = v[0].(string)
	default:
		return "any"
	}
	switch t {
	case "array":
		if items, ok := s["items"].(map[string]any); ok {
			return "array of " + schemaType(items)
		}
	case "object":
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			return "map of " + schemaType(ap)
		}
	}
	if f, ok := s["format"].(string); ok {
		return t + " (" + f + ")"
	}
	if e, ok := s["enum"].([]any); ok {
		var vals []string
		for _, v := range e {
			b, _ := json.Marshal(v)
			vals = append(vals, string(b))
		}
		return t + ": " + strings.Join(vals, ", ")
	}
	return t
}

func renderReference(doc []byte) ([]byte, error) {
	var d struct {
		Info struct {
			Title, Summary, Description string
		}
		Tags []struct {
			Name, Description string
		}
		Paths      map[string]map[string]map[string]any
		Components struct {
			Schemas   map[string]map[string]any
			Responses map[string]map[string]any
		}
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	pg := refPage{Title: d.Info.Title, Summary: d.Info.Summary, Description: d.Info.Description}
	byTag := map[string]*refTag{}
	for _, t := range d.Tags {
		pg.Tags = append(pg.Tags, refTag{Name: t.Name, Description: t.Description})
	}
	for i := range pg.Tags {
		byTag[pg.Tags[i].Name] = &pg.Tags[i]
	}
	for _, path := range slices.Sorted(maps.Keys(d.Paths)) {
		for _, method := range []string{"get", "post", "put", "patch", "delete"} {
			op, ok := d.Paths[path][method]
			if !ok {
				continue
			}
			o := refOp{Method: strings.ToUpper(method), Path: path, Summary: strOf(op["summary"]), Description: strOf(op["description"]), ID: strOf(op["operationId"])}
			for _, p := range list(op["parameters"]) {
				pm := p.(map[string]any)
				o.Params = append(o.Params, refParam{Name: strOf(pm["name"]), In: strOf(pm["in"]), Description: strOf(pm["description"]), Type: schemaType(asMap(pm["schema"]))})
			}
			if rb, ok := op["requestBody"].(map[string]any); ok {
				o.Body = contentTypes(asMap(rb["content"]))
			}
			resps := asMap(op["responses"])
			for _, st := range slices.Sorted(maps.Keys(resps)) {
				rm := asMap(resps[st])
				if ref, ok := rm["$ref"].(string); ok {
					rm = d.Components.Responses[ref[strings.LastIndex(ref, "/")+1:]]
				}
				o.Responses = append(o.Responses, refResponse{Status: st, Description: strOf(rm["description"]), Types: contentTypes(asMap(rm["content"]))})
			}
			tags := list(op["tags"])
			if t := byTag[strOf(tags[0])]; t != nil {
				t.Ops = append(t.Ops, o)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(d.Components.Schemas)) {
		s := d.Components.Schemas[name]
		req := map[string]bool{}
		for _, r := range list(s["required"]) {
			req[strOf(r)] = true
		}
		rs := refSchema{Name: name}
		props := asMap(s["properties"])
		for _, f := range slices.Sorted(maps.Keys(props)) {
			rs.Fields = append(rs.Fields, refField{Name: f, Type: schemaType(asMap(props[f])), Required: req[f]})
		}
		pg.Schemas = append(pg.Schemas, rs)
	}
	for _, k := range assess.Kinds() {
		pg.Problems = append(pg.Problems, refProblem{Anchor: problemAnchor(k), Kind: k.String(), Status: itoa64(int64(Status(k))) + " " + http.StatusText(Status(k))})
	}
	var b bytes.Buffer
	if err := refTemplate().Execute(&b, pg); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func contentTypes(content map[string]any) []refType {
	var out []refType
	for _, media := range slices.Sorted(maps.Keys(content)) {
		out = append(out, refType{Media: media, Type: schemaType(asMap(asMap(content[media])["schema"]))})
	}
	return out
}

func strOf(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

// prose renders a description's text: escaped, with `code` spans as code
// (the CommonMark the description may use, and no more).
func prose(s string) template.HTML {
	parts := strings.Split(template.HTMLEscapeString(s), "`")
	var b strings.Builder
	for i, p := range parts {
		switch {
		case i%2 == 1 && i < len(parts)-1:
			b.WriteString("<code>" + p + "</code>")
		case i%2 == 1:
			b.WriteString("`" + p) // an unpaired backtick stays as it is
		default:
			b.WriteString(p)
		}
	}
	return template.HTML(b.String())
}

// sentence ends a summary with a full stop when a description follows it.
func sentence(s string) string {
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?:") {
		return s
	}
	return s + "."
}

// refTemplate is parsed when the reference is first written, not at every
// start of the binary.
var refTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("ref").Funcs(template.FuncMap{
		"prose":    prose,
		"sentence": sentence,
		"anchor":   func(s string) string { return "schema-" + s },
		"isSchema": func(s string) bool {
			return s != "" && unicodeUpper(s[0])
		},
	}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem 2rem;color:#1d2330}
code,.path{font-family:ui-monospace,monospace;font-size:.92em}
h2{border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2.5rem}
.op{border:1px solid #dde;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5rem;font-weight:700}
.m-GET{color:#1a6b2e}.m-POST{color:#1b4fa0}.m-PATCH,.m-PUT{color:#8a5a00}.m-DELETE{color:#a11}
table{border-collapse:collapse;margin:.4rem 0}td,th{text-align:left;padding:.15rem .8rem .15rem 0;vertical-align:top}
th{font-weight:600;color:#556}
nav a{margin-right:1rem}
</style></head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Summary}}</p>
<p>{{prose .Description}}</p>
<p>The machine-readable description: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<nav>{{range .Tags}}<a href="#tag-{{.Name}}">{{.Name}}</a>{{end}}<a href="#schemas">Schemas</a><a href="#problems">Problems</a></nav>
{{range .Tags}}
<h2 id="tag-{{.Name}}">{{.Name}}</h2>
<p>{{prose .Description}}</p>
{{range .Ops}}
<section class="op" id="op-{{.ID}}">
<div><span class="m m-{{.Method}}">{{.Method}}</span> <span class="path">{{.Path}}</span></div>
<p>{{if .Description}}{{sentence .Summary}} {{prose .Description}}{{else}}{{.Summary}}{{end}}</p>
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{prose .Description}}</td></tr>
{{end}}</table>{{end}}
{{if .Body}}<table><tr><th>body</th><th></th></tr>{{range .Body}}<tr><td>{{.Media}}</td><td>{{if isSchema .Type}}<a href="#{{anchor .Type}}">{{.Type}}</a>{{else}}{{.Type}}{{end}}</td></tr>{{end}}</table>{{end}}
<table><tr><th>status</th><th>answer</th><th></th></tr>
{{range .Responses}}<tr><td>{{.Status}}</td><td>{{prose .Description}}</td><td>{{range .Types}}{{.Media}} {{if isSchema .Type}}<a href="#{{anchor .Type}}">{{.Type}}</a>{{else}}{{.Type}}{{end}} {{end}}</td></tr>
{{end}}</table>
</section>
{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}
<section id="{{anchor .Name}}"><h3>{{.Name}}</h3>
<table><tr><th>field</th><th>type</th><th></th></tr>
{{range .Fields}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{if .Required}}always present{{end}}</td></tr>
{{end}}</table></section>
{{end}}
<h2 id="problems">Problems</h2>
<p>Errors are RFC 9457 problem details (<code>application/problem+json</code>); their <code>type</code> points here.</p>
<table><tr><th>type</th><th>status</th></tr>
{{range .Problems}}<tr id="{{.Anchor}}"><td>{{.Kind}}</td><td>{{.Status}}</td></tr>
{{end}}</table>
</body></html>
`))
})

func unicodeUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
