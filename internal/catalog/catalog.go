// Package catalog holds the requirement catalogs an assessment is run against:
// the embedded ISO/IEC 27001:2022 catalog and custom catalogs loaded from files
// in the same JSON format (see catalog.schema.json).
package catalog

import (
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/isogap/isogap/internal/jsonx"
)

// Format is the value of the "format" field every catalog file carries.
const Format = "isogap-catalog/v1"

// Kinds of catalog item. A clause requirement is always applicable; a control
// may be excluded with a justification.
const (
	KindClause  = "clause"
	KindControl = "control"
)

// The five ISO/IEC 27002:2022 attribute keys, in the standard's order.
const (
	AttrControlType  = "control_type"
	AttrProperties   = "properties"
	AttrConcepts     = "concepts"
	AttrCapabilities = "capabilities"
	AttrDomains      = "domains"
)

// AttributeKeys lists the attribute keys in display order.
var AttributeKeys = []string{AttrControlType, AttrProperties, AttrConcepts, AttrCapabilities, AttrDomains}

// Catalog is an immutable set of requirement items grouped in sections.
type Catalog struct {
	Format      string      `json:"format"`
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Version     string      `json:"version"`
	Description string      `json:"description,omitempty"`
	Departments []string    `json:"departments"`
	Sections    []Section   `json:"sections"`
	Attributes  []Attribute `json:"attributes,omitempty"`
	Items       []Item      `json:"items"`

	index  map[string]int
	folded map[string]string // lower-cased ref → ref, "" when ambiguous
}

// Section groups items: a clause ("4".."10") or an Annex A theme ("A.5".."A.8").
type Section struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
}

// Attribute declares one attribute key and the values an item may carry for it.
type Attribute struct {
	Key    string   `json:"key"`
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Item is one clause requirement or control.
type Item struct {
	Ref        string     `json:"ref"`
	Kind       string     `json:"kind"`
	Section    string     `json:"section"`
	Title      string     `json:"title"`
	Summary    string     `json:"summary,omitempty"`
	Questions  []Question `json:"questions"`
	Evidence   []string   `json:"evidence"`
	Department string     `json:"department"`
	// EffortDays is the baseline effort, in person-days for a small
	// organisation, to take the item from score 1 to score 5.
	EffortDays float64 `json:"effort_days"`

	ControlType  []string `json:"control_type,omitempty"`
	Properties   []string `json:"properties,omitempty"`
	Concepts     []string `json:"concepts,omitempty"`
	Capabilities []string `json:"capabilities,omitempty"`
	Domains      []string `json:"domains,omitempty"`
	NewIn2022    bool     `json:"new_in_2022,omitempty"`
	Amended2024  bool     `json:"amended_2024,omitempty"`
}

// Attr returns the item's values for an attribute key.
func (it Item) Attr(key string) []string {
	switch key {
	case AttrControlType:
		return it.ControlType
	case AttrProperties:
		return it.Properties
	case AttrConcepts:
		return it.Concepts
	case AttrCapabilities:
		return it.Capabilities
	case AttrDomains:
		return it.Domains
	}
	return nil
}

// IsControl reports whether the item may be excluded from scope.
func (it Item) IsControl() bool { return it.Kind == KindControl }

//go:embed iso27001-2022.json
var builtinJSON []byte

//go:generate go run ./gen

// builtin is the embedded catalog as the program uses it. It comes from
// builtinData, the same file as Go data (builtin_gen.go), which the
// linker lays out in the binary: no process decodes 160 KB of JSON to
// start. The package tests check that the two are equal and valid.
var builtin = sync.OnceValue(func() *Catalog {
	c := builtinData
	c.buildIndex()
	return &c
})

// Builtin returns the embedded ISO/IEC 27001:2022 catalog.
func Builtin() *Catalog { return builtin() }

// BuiltinJSON returns the embedded catalog file as shipped.
func BuiltinJSON() []byte { return bytes.Clone(builtinJSON) }

// maxCatalogBytes bounds a custom catalog file.
const maxCatalogBytes = 8 << 20

// Parse reads and validates a catalog file.
func Parse(r io.Reader) (*Catalog, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCatalogBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCatalogBytes {
		return nil, fmt.Errorf("catalog: file larger than %d MiB", maxCatalogBytes>>20)
	}
	var c Catalog
	if err := jsonx.DecodeStrict(data, &c); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks the catalog's structure and builds its index.
func (c *Catalog) Validate() error {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if c.Format != Format {
		add("format: got %q, want %q", c.Format, Format)
	}
	if strings.TrimSpace(c.ID) == "" {
		add("id: empty, want a short identifier such as \"iso27001-2022\"")
	}
	if strings.TrimSpace(c.Name) == "" {
		add("name: empty")
	}
	if len(c.Departments) == 0 {
		add("departments: empty, want at least one department")
	}
	depts := set(c.Departments)
	sections := map[string]Section{}
	for i, s := range c.Sections {
		if s.ID == "" || s.Title == "" {
			add("sections[%d]: id and title are required", i)
		}
		if s.Kind != KindClause && s.Kind != KindControl {
			add("sections[%d] (%s): kind %q, want %q or %q", i, s.ID, s.Kind, KindClause, KindControl)
		}
		if _, dup := sections[s.ID]; dup {
			add("sections[%d]: duplicate id %q", i, s.ID)
		}
		sections[s.ID] = s
	}
	allowed := map[string]map[string]bool{}
	for i, a := range c.Attributes {
		if !slices.Contains(AttributeKeys, a.Key) {
			add("attributes[%d]: key %q, want one of %s", i, a.Key, strings.Join(AttributeKeys, ", "))
		}
		allowed[a.Key] = set(a.Values)
	}
	c.buildIndex()
	seen := make(map[string]bool, len(c.Items))
	for i, it := range c.Items {
		where := fmt.Sprintf("items[%d] (%s)", i, it.Ref)
		if it.Ref == "" {
			add("items[%d]: ref is empty", i)
			continue
		}
		if strings.ContainsFunc(it.Ref, func(r rune) bool { return r == '#' || unicode.IsSpace(r) }) {
			// Question ids are "<ref>#<n>", and typed refs lose their spaces.
			add("%s: ref contains '#' or a space", where)
		}
		if seen[it.Ref] {
			add("%s: duplicate ref", where)
		}
		seen[it.Ref] = true
		if i > 0 && CompareRefs(c.Items[i-1].Ref, it.Ref) >= 0 {
			add("%s: out of order, must come after %s", where, c.Items[i-1].Ref)
		}
		if it.Kind != KindClause && it.Kind != KindControl {
			add("%s: kind %q, want %q or %q", where, it.Kind, KindClause, KindControl)
		}
		sec, ok := sections[it.Section]
		switch {
		case !ok:
			add("%s: section %q is not declared in sections", where, it.Section)
		case sec.Kind != it.Kind:
			add("%s: kind %q differs from its section's kind %q", where, it.Kind, sec.Kind)
		}
		if strings.TrimSpace(it.Title) == "" {
			add("%s: title is empty", where)
		}
		validateQuestions(&c.Items[i], where, add)
		if !depts[it.Department] {
			add("%s: department %q is not one of the catalog's departments", where, it.Department)
		}
		if it.EffortDays <= 0 || it.EffortDays > 365 {
			add("%s: effort_days %v, want a number of person-days between 0 and 365", where, it.EffortDays)
		}
		for _, key := range AttributeKeys {
			vals := it.Attr(key)
			if len(vals) == 0 {
				continue
			}
			if it.Kind != KindControl {
				add("%s: %s: only controls carry attributes", where, key)
				continue
			}
			ok := allowed[key]
			if ok == nil {
				add("%s: %s: attribute not declared in attributes", where, key)
				continue
			}
			for _, v := range vals {
				if !ok[v] {
					add("%s: %s: value %q is not one of the declared values", where, key, v)
				}
			}
		}
	}
	if len(c.Items) == 0 {
		add("items: empty")
	}
	if len(errs) > 0 {
		return &Error{Problems: errs}
	}
	return nil
}

// Error lists every problem found in a catalog file.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	const max = 20
	p := e.Problems
	more := ""
	if len(p) > max {
		more = fmt.Sprintf("\n  … and %d more", len(p)-max)
		p = p[:max]
	}
	return "catalog is invalid:\n  " + strings.Join(p, "\n  ") + more
}

// Item returns the item with the given ref.
func (c *Catalog) Item(ref string) (Item, bool) {
	i, ok := c.index[ref]
	if !ok {
		return Item{}, false
	}
	return c.Items[i], true
}

// Section returns the section with the given id.
func (c *Catalog) Section(id string) (Section, bool) {
	for _, s := range c.Sections {
		if s.ID == id {
			return s, true
		}
	}
	return Section{}, false
}

// AttributeValues returns the declared values of an attribute key, or nil.
func (c *Catalog) AttributeValues(key string) []string {
	for _, a := range c.Attributes {
		if a.Key == key {
			return a.Values
		}
	}
	return nil
}

// AttributeName returns the display name of an attribute key.
func (c *Catalog) AttributeName(key string) string {
	for _, a := range c.Attributes {
		if a.Key == key {
			return a.Name
		}
	}
	return key
}

// Count returns the number of items of a kind.
func (c *Catalog) Count(kind string) int {
	n := 0
	for _, it := range c.Items {
		if it.Kind == kind {
			n++
		}
	}
	return n
}

// LookupRef resolves what a person typed to a ref of the catalog: "a.5.15",
// "A 5.15" and " A.5.15 " all find "A.5.15". Clause 5.1 and control A.5.1 stay
// distinct: "5.1" never finds "A.5.1". Refs of other frameworks are found
// exactly, then ignoring case ("ac-2(1)" finds "AC-2(1)") when that names
// one item only.
func (c *Catalog) LookupRef(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), "")
	if _, ok := c.index[s]; ok {
		return s, true
	}
	if r := NormalizeRef(s); r != s {
		if _, ok := c.index[r]; ok {
			return r, true
		}
	}
	r, ok := c.folded[strings.ToLower(s)]
	return r, ok && r != ""
}

// buildIndex indexes the items by ref and by lower-cased ref; a lower-cased
// ref two items share maps to "" (ambiguous).
func (c *Catalog) buildIndex() {
	c.index = make(map[string]int, len(c.Items))
	c.folded = make(map[string]string, len(c.Items))
	for i, it := range c.Items {
		c.index[it.Ref] = i
		k := strings.ToLower(it.Ref)
		if _, dup := c.folded[k]; dup {
			c.folded[k] = ""
		} else {
			c.folded[k] = it.Ref
		}
	}
}

// NormalizeRef tidies a typed ref: trims, upper-cases a leading "a", and
// joins "A 5.15" / "A5.15" into "A.5.15".
func NormalizeRef(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return s
	}
	if s[0] == 'a' || s[0] == 'A' {
		rest := strings.TrimPrefix(s[1:], ".")
		return "A." + rest
	}
	return s
}

// CompareRefs orders refs naturally: runs of digits compare as numbers and
// come before letters, other runs compare ignoring case. So clause
// requirements (4.1 … 10.2) come before controls (A.5.1 …), 8.3 before
// 8.12, and AC-2 < AC-2(1) < AC-2(13) < AC-3 < AC-10. Refs that differ
// only in case or leading zeros are ordered by their bytes, so only equal
// refs compare equal.
func CompareRefs(a, b string) int {
	x, y := a, b
	for x != "" && y != "" {
		dx, dy := isDigit(x[0]), isDigit(y[0])
		switch {
		case dx && !dy:
			return -1
		case !dx && dy:
			return 1
		}
		rx, ry := leadingRun(x, dx), leadingRun(y, dy)
		var c int
		if dx {
			c = compareNumbers(rx, ry)
		} else {
			c = strings.Compare(strings.ToLower(rx), strings.ToLower(ry))
		}
		if c != 0 {
			return c
		}
		x, y = x[len(rx):], y[len(ry):]
	}
	switch {
	case x == "" && y != "":
		return -1
	case x != "" && y == "":
		return 1
	}
	return strings.Compare(a, b)
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// leadingRun returns the leading run of digits (digits) or of other bytes.
func leadingRun(s string, digits bool) string {
	i := 1
	for i < len(s) && isDigit(s[i]) == digits {
		i++
	}
	return s[:i]
}

// compareNumbers compares two runs of decimal digits by value, however long.
func compareNumbers(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// SortRefs sorts refs in natural order.
func SortRefs(refs []string) {
	sort.Slice(refs, func(i, j int) bool { return CompareRefs(refs[i], refs[j]) < 0 })
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

//go:embed catalog.schema.json
var schemaJSON []byte

// SchemaJSON returns the JSON Schema of the catalog format.
func SchemaJSON() []byte { return bytes.Clone(schemaJSON) }
