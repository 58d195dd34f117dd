package oscal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// schema is one node of a draft-07 JSON Schema, holding exactly the keywords
// NIST's OSCAL schemas use. Loading refuses any other keyword, so a schema
// that needs more cannot be checked half-way without anyone noticing.
//
// A general JSON Schema library would do, but the complete ones compile
// every draft's metaschema when the program starts, and the light ones stop
// at the first problem without saying where in the document it is.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	AdditionalProperties *bool              `json:"additionalProperties"`
	Items                *schema            `json:"items"`
	MinItems             *int               `json:"minItems"`
	Minimum              *json.Number       `json:"minimum"`
	Pattern              string             `json:"pattern"`
	Enum                 []string           `json:"enum"`
	AllOf                []*schema          `json:"allOf"`
	AnyOf                []*schema          `json:"anyOf"`
	Definitions          map[string]*schema `json:"definitions"`

	// Annotations. "format" is left to the patterns the same schemas
	// give the same values (the tests assert it as well).
	Draft           string `json:"$schema"`
	ID              string `json:"$id"`
	Comment         string `json:"$comment"`
	Title           string `json:"title"`
	Description     string `json:"description"`
	Format          string `json:"format"`
	ContentEncoding string `json:"contentEncoding"`

	ref     *schema // the definition Ref names
	refName string
	re      *regexp.Regexp
}

const draft07 = "http://json-schema.org/draft-07/schema#"

// loadSchema reads a schema document and links its references.
func loadSchema(data []byte) (*schema, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var root schema
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	if root.Draft != draft07 {
		return nil, fmt.Errorf("$schema %q: only draft-07 is supported", root.Draft)
	}
	var link func(s *schema, at string) error
	link = func(s *schema, at string) error {
		if s == nil {
			return fmt.Errorf("%s: null schema", at)
		}
		if s.Ref != "" {
			name, ok := strings.CutPrefix(s.Ref, "#/definitions/")
			if s.ref = root.Definitions[name]; !ok || s.ref == nil {
				return fmt.Errorf("%s: $ref %q: not a definition of this schema", at, s.Ref)
			}
			s.refName = name[strings.LastIndexByte(name, ':')+1:] // "oscal-catalog-oscal-catalog:group" → "group"
		}
		if s.Pattern != "" {
			var err error
			if s.re, err = regexp.Compile(s.Pattern); err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
		}
		for name, p := range s.Properties {
			if err := link(p, at+"/properties/"+name); err != nil {
				return err
			}
		}
		for name, d := range s.Definitions {
			if err := link(d, at+"/definitions/"+name); err != nil {
				return err
			}
		}
		for i, sub := range s.AllOf {
			if err := link(sub, at+"/allOf/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		for i, sub := range s.AnyOf {
			if err := link(sub, at+"/anyOf/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		if s.Items != nil {
			return link(s.Items, at+"/items")
		}
		return nil
	}
	return &root, link(&root, "#")
}

// check appends to out, as "/json/pointer: message", every place where v
// breaks s. at is v's JSON pointer; def names the datatype being checked,
// for the messages.
func (s *schema) check(v any, at, def string, out *[]string) {
	fail := func(format string, args ...any) {
		where := at
		if where == "" {
			where = "/"
		}
		*out = append(*out, where+": "+fmt.Sprintf(format, args...))
	}
	if s.ref != nil { // draft-07: a $ref's siblings are ignored
		s.ref.check(v, at, s.refName, out)
		return
	}
	if s.Type != "" && !hasType(v, s.Type) {
		fail("%s, not %s", article(jsonType(v)), article(s.Type))
		return
	}
	if s.Enum != nil {
		if str, ok := v.(string); !ok || !slices.Contains(s.Enum, str) {
			fail("%s is not one of %s", shown(v), strings.Join(s.Enum, ", "))
		}
	}
	for _, sub := range s.AllOf {
		sub.check(v, at, def, out)
	}
	if len(s.AnyOf) > 0 {
		s.checkAnyOf(v, at, def, out)
	}
	switch v := v.(type) {
	case string:
		switch {
		case s.re == nil || s.re.MatchString(v):
		case def != "":
			fail("%s is not a valid %s", quote(v), def)
		default:
			fail("%s does not match %s", quote(v), s.Pattern)
		}
	case json.Number:
		if s.Minimum != nil && compare(v, *s.Minimum) < 0 {
			fail("%s is less than %s", v, *s.Minimum)
		}
	case []any:
		if s.MinItems != nil && len(v) < *s.MinItems {
			fail("%d items where at least %d are needed (leave the property out instead)", len(v), *s.MinItems)
		}
		if s.Items != nil {
			for i, item := range v {
				s.Items.check(item, at+"/"+strconv.Itoa(i), "", out)
			}
		}
	case map[string]any:
		for _, name := range s.Required {
			if _, ok := v[name]; !ok {
				fail("the required property %q is missing", name)
			}
		}
		for name, val := range v {
			if p := s.Properties[name]; p != nil {
				p.check(val, at+"/"+escapePointer(name), "", out)
			} else if s.AdditionalProperties != nil && !*s.AdditionalProperties {
				*out = append(*out, at+"/"+escapePointer(name)+": this property is not allowed here")
			}
		}
	}
}

// checkAnyOf passes when one of the alternatives does; when none does, it
// reports the problems of the alternative the value was most likely meant
// to be: the one with the fewest problems at the value itself and its own
// properties (a property it does not allow, one it requires), then the
// fewest in all (all of them on a tie). A group with subgroups whose
// control has a bad id is a group of the kind with subgroups: its problem
// is the id, deep inside, not the subgroups the other kind does not allow.
func (s *schema) checkAnyOf(v any, at, def string, out *[]string) {
	var best []string
	var bestShallow int
	shallow := func(p []string) int {
		n := 0
		for _, prob := range p {
			loc, _, _ := strings.Cut(prob, ": ")
			if rest, ok := strings.CutPrefix(loc, at); ok && (rest == "" || rest[0] == '/' && strings.Count(rest, "/") == 1) {
				n++
			}
		}
		return n
	}
	for i, sub := range s.AnyOf {
		var p []string
		sub.check(v, at, def, &p)
		sh := shallow(p)
		switch {
		case len(p) == 0:
			return
		case i == 0 || sh < bestShallow || sh == bestShallow && len(p) < len(best):
			best, bestShallow = p, sh
		case sh == bestShallow && len(p) == len(best):
			best = append(best, p...)
		}
	}
	*out = append(*out, best...)
}

func hasType(v any, t string) bool {
	switch t {
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		r, ok := new(big.Rat).SetString(string(n))
		return ok && r.IsInt()
	case "number":
		_, ok := v.(json.Number)
		return ok
	}
	return jsonType(v) == t
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func compare(a, b json.Number) int {
	x, okx := new(big.Rat).SetString(string(a))
	y, oky := new(big.Rat).SetString(string(b))
	if !okx || !oky {
		return 0
	}
	return x.Cmp(y)
}

func article(t string) string {
	if t == "array" || t == "object" || t == "integer" {
		return "an " + t
	}
	return "a " + t
}

// shown shows a value in a message: a string quoted, anything else by its
// JSON type.
func shown(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	return article(jsonType(v))
}

// quote shows a string in a message, shortened when long.
func quote(s string) string {
	const max = 80
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// escapePointer escapes a property name as a JSON pointer token (RFC 6901).
func escapePointer(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}
