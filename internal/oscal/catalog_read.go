package oscal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/jsonx"
)

// Defaults for what an OSCAL catalog does not say in isogap's props.
const (
	DefaultDepartment = "Security/ISMS"
	DefaultEffortDays = 3
)

// ReadCatalog reads a catalog file: an OSCAL catalog (JSON, root property
// "catalog") or a file in isogap's own catalog format (with its "format"
// field). See ReadCatalogNotes for how OSCAL is turned into isogap.
func ReadCatalog(data []byte) (*catalog.Catalog, error) {
	c, _, err := ReadCatalogNotes(data)
	return c, err
}

// ReadCatalogNotes is ReadCatalog that also returns notes on what the
// conversion decided for the reader to see: withdrawn controls skipped,
// items sorted.
//
// An OSCAL catalog is first checked against NIST's schema (errors name the
// JSON pointer), then converted:
//   - each top-level group is a section (its "label" prop as id when
//     unique, else its id; isogap's kind prop, else a control section);
//     the titles of nested groups lead the summary of their items; controls
//     outside any group form one more section;
//   - each control and each of its enhancements (nested controls) is an
//     item; withdrawn ones (a "status" prop "withdrawn", or a class saying
//     so) are skipped with all they contain;
//   - the ref is the control's "label" prop when that is unique, else its
//     id; the title is the control's title;
//   - the summary is the statement part, nested items with their labels,
//     parameters inserted as their values, choices or "[Assignment: …]";
//     without a statement, the guidance or overview;
//   - questions are isogap's question parts when present, else one
//     question in isogap's words, "Is … in place?", from the title;
//   - departments, effort and ISO/IEC 27002 attributes come from isogap's
//     props when present, else DefaultDepartment and DefaultEffortDays;
//   - the catalog's id is a slug of the metadata title, its name the
//     title, its version the metadata version.
func ReadCatalogNotes(data []byte) (*catalog.Catalog, []string, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, nil, fmt.Errorf("catalog file: want a JSON object, got %s", firstToken(data))
		}
		return nil, nil, fmt.Errorf("catalog file is not JSON: %s", jsonx.Describe(data, err))
	}
	switch {
	case root["catalog"] != nil:
	case root["format"] != nil:
		c, err := catalog.Parse(bytes.NewReader(data))
		return c, nil, err
	default:
		keys := make([]string, 0, len(root))
		for k := range root {
			keys = append(keys, strconv.Quote(k))
		}
		sort.Strings(keys)
		what := "its root properties are " + strings.Join(keys, ", ")
		if len(keys) == 0 {
			what = "it is an empty object"
		}
		for _, model := range []string{"profile", "component-definition", "system-security-plan", ModelAssessmentResults, ModelPOAM, "assessment-plan", "mapping-collection"} {
			if root[model] != nil {
				what = fmt.Sprintf("it is an OSCAL %s, not a catalog", model)
				if model == "profile" {
					what += " (resolve the profile into a catalog with an OSCAL tool first)"
				}
			}
		}
		return nil, nil, fmt.Errorf("catalog file: neither an OSCAL catalog (root property \"catalog\") nor an isogap catalog (\"format\": %q): %s", catalog.Format, what)
	}
	if err := Validate(ModelCatalog, data); err != nil {
		return nil, nil, err
	}
	var doc catalogDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("catalog file: %s", jsonx.Describe(data, err))
	}
	return convertCatalog(doc.Catalog)
}

func firstToken(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// entry is one control on its way to becoming an item.
type entry struct {
	ctl     *control
	ptr     string // JSON pointer, for errors
	section string
	groups  []string // titles of the nested groups it sits in
	ref     string
}

type converter struct {
	body     catalogBody
	params   map[string]*param
	sections []catalog.Section
	entries  []entry
	notes    []string
	skipped  []string
}

func convertCatalog(body catalogBody) (*catalog.Catalog, []string, error) {
	cv := &converter{body: body, params: map[string]*param{}}
	cv.collectParams(body.Params, body.Groups, body.Controls)
	secIDs := uniqueLabels(len(body.Groups), func(i int) (string, string) {
		g := body.Groups[i]
		return label(g.Props), g.ID
	})
	used := map[string]bool{}
	for i := range body.Groups {
		g := &body.Groups[i]
		if withdrawn(g.Props, g.Class) {
			cv.skipped = append(cv.skipped, g.Title)
			continue
		}
		id := secIDs[i]
		if id == "" {
			id = "group-" + strconv.Itoa(i+1)
		}
		used[id] = true
		cv.addSection(id, nsValue(g.Props, propKind), g.Title)
		cv.walkGroup(g, fmt.Sprintf("/catalog/groups/%d", i), id, nil)
	}
	if len(body.Controls) > 0 {
		id := "controls"
		for n := 2; used[id]; n++ {
			id = "controls-" + strconv.Itoa(n)
		}
		cv.addSection(id, "", "Controls")
		cv.walkControls(body.Controls, "/catalog/controls", id, nil)
	}
	if len(cv.skipped) > 0 {
		cv.notes = append(cv.notes, fmt.Sprintf("%d withdrawn controls or groups skipped: %s", len(cv.skipped), abbreviate(cv.skipped, 10)))
	}
	c, err := cv.catalog()
	return c, cv.notes, err
}

func (cv *converter) collectParams(ps []param, groups []group, controls []control) {
	for i := range ps {
		cv.params[ps[i].ID] = &ps[i]
	}
	for i := range groups {
		cv.collectParams(groups[i].Params, groups[i].Groups, groups[i].Controls)
	}
	for i := range controls {
		cv.collectParams(controls[i].Params, nil, controls[i].Controls)
	}
}

func (cv *converter) addSection(id, kind, title string) {
	if kind != catalog.KindClause {
		kind = catalog.KindControl
	}
	if strings.TrimSpace(title) == "" {
		title = id
	}
	cv.sections = append(cv.sections, catalog.Section{ID: id, Kind: kind, Title: title})
}

func (cv *converter) walkGroup(g *group, ptr, section string, path []string) {
	cv.walkControls(g.Controls, ptr+"/controls", section, path)
	for i := range g.Groups {
		sub := &g.Groups[i]
		if withdrawn(sub.Props, sub.Class) {
			cv.skipped = append(cv.skipped, sub.Title)
			continue
		}
		cv.walkGroup(sub, fmt.Sprintf("%s/groups/%d", ptr, i), section, append(slices.Clip(path), sub.Title))
	}
}

func (cv *converter) walkControls(cs []control, ptr, section string, path []string) {
	for i := range cs {
		c := &cs[i]
		at := fmt.Sprintf("%s/%d", ptr, i)
		if withdrawn(c.Props, c.Class) {
			cv.skipped = append(cv.skipped, orElse(label(c.Props), c.ID))
			continue
		}
		cv.entries = append(cv.entries, entry{ctl: c, ptr: at, section: section, groups: path})
		cv.walkControls(c.Controls, at+"/controls", section, path)
	}
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (cv *converter) catalog() (*catalog.Catalog, error) {
	md := cv.body.Metadata
	c := &catalog.Catalog{
		Format: catalog.Format, ID: slug(md.Title), Name: strings.TrimSpace(md.Title), Version: md.Version,
		Description: strings.TrimSpace(md.Remarks),
	}
	if c.ID == catalog.Builtin().ID {
		return nil, fmt.Errorf("/catalog/metadata/title: %q gives the id %q, which is the built-in catalog's: give the catalog another title", md.Title, c.ID)
	}
	depts := []string{}
	attrs := map[string]*catalog.Attribute{}
	for _, p := range md.Props {
		switch {
		case p.NS != Namespace:
		case p.Name == propDepartment:
			depts = appendNew(depts, p.Value)
		case p.Name == propAttrName && slices.Contains(catalog.AttributeKeys, p.Class):
			attr(attrs, p.Class).Name = p.Value
		case p.Class == classDeclared && slices.Contains(catalog.AttributeKeys, p.Name):
			a := attr(attrs, p.Name)
			a.Values = appendNew(a.Values, p.Value)
		}
	}
	refs := uniqueLabels(len(cv.entries), func(i int) (string, string) {
		return label(cv.entries[i].ctl.Props), cv.entries[i].ctl.ID
	})
	kinds := map[string]string{}
	for _, s := range cv.sections {
		kinds[s.ID] = s.Kind
	}
	where := map[string]string{}
	inSection := map[string]bool{}
	for i := range cv.entries {
		e := &cv.entries[i]
		e.ref = refs[i]
		if prev, dup := where[e.ref]; dup {
			return nil, fmt.Errorf("%s: control %q has the ref %q that %s has too: give the controls distinct ids", e.ptr, e.ctl.ID, e.ref, prev)
		}
		where[e.ref] = e.ptr
		it, err := cv.item(e, kinds[e.section], attrs)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(depts, it.Department) {
			depts = append(depts, it.Department)
		}
		inSection[e.section] = true
		c.Items = append(c.Items, it)
	}
	if len(c.Items) == 0 {
		return nil, fmt.Errorf("/catalog: no controls to assess (withdrawn controls are skipped)")
	}
	if len(depts) == 0 {
		depts = []string{DefaultDepartment}
	}
	c.Departments = depts
	for _, s := range cv.sections {
		if inSection[s.ID] {
			c.Sections = append(c.Sections, s)
		}
	}
	for _, k := range catalog.AttributeKeys {
		if a := attrs[k]; a != nil && len(a.Values) > 0 {
			c.Attributes = append(c.Attributes, *a)
		}
	}
	// isogap keeps items in the natural order of their refs. Sections in
	// another order are only a matter of layout; items out of order within
	// their section are worth a note.
	if a, b := firstUnsorted(c.Items); a != "" {
		cv.notes = append(cv.notes, fmt.Sprintf("the items were sorted into the natural order of their refs (in the file %s comes after %s)", b, a))
	}
	slices.SortStableFunc(c.Items, func(a, b catalog.Item) int { return catalog.CompareRefs(a.Ref, b.Ref) })
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// firstUnsorted returns the first pair of items of one section whose refs
// are out of natural order, or "".
func firstUnsorted(items []catalog.Item) (before, after string) {
	last := map[string]string{}
	for _, it := range items {
		if prev, ok := last[it.Section]; ok && catalog.CompareRefs(prev, it.Ref) >= 0 {
			return prev, it.Ref
		}
		last[it.Section] = it.Ref
	}
	return "", ""
}

func attr(m map[string]*catalog.Attribute, key string) *catalog.Attribute {
	if m[key] == nil {
		m[key] = &catalog.Attribute{Key: key, Name: key}
	}
	return m[key]
}

func appendNew(xs []string, x string) []string {
	if x == "" || slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func (cv *converter) item(e *entry, kind string, attrs map[string]*catalog.Attribute) (catalog.Item, error) {
	ctl := e.ctl
	it := catalog.Item{Ref: e.ref, Kind: kind, Section: e.section, Title: strings.TrimSpace(ctl.Title),
		Department: DefaultDepartment, EffortDays: DefaultEffortDays}
	for j, p := range ctl.Props {
		if p.NS != Namespace {
			continue
		}
		switch p.Name {
		case propDepartment:
			it.Department = p.Value
		case propEffortDays:
			f, err := strconv.ParseFloat(p.Value, 64)
			if err != nil || !(f > 0 && f <= 365) {
				return it, fmt.Errorf("%s/props/%d: %s %q of control %s: want a number of person-days above 0 and at most 365", e.ptr, j, propEffortDays, p.Value, e.ref)
			}
			it.EffortDays = f
		case propNewIn2022:
			it.NewIn2022 = p.Value == "true"
		case propAmended2024:
			it.Amended2024 = p.Value == "true"
		default:
			if !slices.Contains(catalog.AttributeKeys, p.Name) || kind != catalog.KindControl {
				continue
			}
			a := attr(attrs, p.Name)
			a.Values = appendNew(a.Values, p.Value)
			switch p.Name {
			case catalog.AttrControlType:
				it.ControlType = append(it.ControlType, p.Value)
			case catalog.AttrProperties:
				it.Properties = append(it.Properties, p.Value)
			case catalog.AttrConcepts:
				it.Concepts = append(it.Concepts, p.Value)
			case catalog.AttrCapabilities:
				it.Capabilities = append(it.Capabilities, p.Value)
			case catalog.AttrDomains:
				it.Domains = append(it.Domains, p.Value)
			}
		}
	}
	var statement, guidance []string
	var qs []catalog.Question
	explicit := true
	for _, p := range ctl.Parts {
		switch {
		case p.NS == Namespace && p.Name == partQuestion:
			q := catalog.Question{ID: nsValue(p.Props, propQuestionID), Text: strings.TrimSpace(cv.insert(p.Prose, 0))}
			if r, _, err := catalog.ParseQuestionID(q.ID); err != nil || r != it.Ref {
				explicit = false
			}
			if q.Text != "" {
				qs = append(qs, q)
			}
		case p.NS == Namespace && p.Name == partEvidence:
			if s := strings.TrimSpace(p.Prose); s != "" {
				it.Evidence = append(it.Evidence, s)
			}
		case p.NS != "" && p.NS != oscalNS:
		case p.Name == "statement":
			statement = cv.render(p, 0, statement)
		case p.Name == "guidance", p.Name == "overview":
			guidance = cv.render(p, 0, guidance)
		}
	}
	if !explicit {
		for i := range qs {
			qs[i].ID = ""
		}
	}
	if len(qs) == 0 {
		qs = []catalog.Question{{Text: generatedQuestion(it.Title)}}
	}
	it.Questions = qs
	summary := statement
	if len(summary) == 0 {
		summary = guidance
	}
	if len(e.groups) > 0 {
		summary = append([]string{strings.Join(e.groups, " › ")}, summary...)
	}
	it.Summary = strings.Join(summary, "\n")
	return it, nil
}

// oscalNS is OSCAL's own namespace, which a prop or part may name
// explicitly.
const oscalNS = "http://csrc.nist.gov/ns/oscal"

// render appends a part's prose and its nested parts' as lines, each
// nested item led by its label ("a.", "1.") and indented by its depth.
func (cv *converter) render(p Part, depth int, lines []string) []string {
	text := strings.TrimSpace(cv.insert(p.Prose, 0))
	if l := label(p.Props); l != "" && text != "" {
		text = l + " " + text
	}
	if text != "" {
		lines = append(lines, strings.Repeat("  ", max(0, depth-1))+text)
	}
	for _, sub := range p.Parts {
		if sub.NS != "" && sub.NS != oscalNS {
			continue
		}
		lines = cv.render(sub, depth+1, lines)
	}
	return lines
}

var insertRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}`) })

// insert replaces each "{{ insert: param, id }}" with the parameter's
// values, its choices or "[Assignment: label]"; depth bounds choices that
// insert parameters in turn.
func (cv *converter) insert(prose string, depth int) string {
	if !strings.Contains(prose, "{{") {
		return prose
	}
	return insertRe().ReplaceAllStringFunc(prose, func(m string) string {
		id := insertRe().FindStringSubmatch(m)[1]
		p := cv.params[id]
		switch {
		case p == nil || depth > 4:
			return "[Assignment: " + id + "]"
		case len(p.Values) > 0:
			return strings.Join(p.Values, ", ")
		case p.Select != nil && len(p.Select.Choice) > 0:
			choices := make([]string, len(p.Select.Choice))
			for i, ch := range p.Select.Choice {
				choices[i] = cv.insert(ch, depth+1)
			}
			how := "Selection"
			if p.Select.HowMany == "one-or-more" {
				how = "Selection (one or more)"
			}
			return "[" + how + ": " + strings.Join(choices, "; ") + "]"
		case strings.TrimSpace(p.Label) != "":
			return "[Assignment: " + strings.TrimSpace(p.Label) + "]"
		}
		return "[Assignment: " + id + "]"
	})
}

// generatedQuestion asks whether the control named by a title is in
// place, lower-casing its title-case words ("Account Management" →
// "Is account management in place?") and keeping acronyms.
func generatedQuestion(title string) string {
	words := strings.Fields(strings.TrimRight(strings.TrimSpace(title), ".:;"))
	for i, w := range words {
		first, n := utf8.DecodeRuneInString(w)
		rest := w[n:]
		if unicode.IsUpper(first) && !strings.ContainsFunc(rest, func(r rune) bool { return unicode.IsUpper(r) || unicode.IsDigit(r) }) {
			words[i] = string(unicode.ToLower(first)) + rest
		}
	}
	return "Is " + strings.Join(words, " ") + " in place?"
}

// label returns the "label" prop of OSCAL's own (the one without a class
// when there are several, as NIST's "zero-padded" labels have a class).
func label(props []Prop) string {
	found := ""
	for _, p := range props {
		if p.Name != "label" || (p.NS != "" && p.NS != oscalNS) {
			continue
		}
		if p.Class == "" {
			return strings.TrimSpace(p.Value)
		}
		if found == "" {
			found = strings.TrimSpace(p.Value)
		}
	}
	return found
}

// uniqueLabels picks for each of n things its label, when that is a
// usable ref (no '#', no space) and no other thing has it, else its id.
func uniqueLabels(n int, of func(i int) (label, id string)) []string {
	count := map[string]int{}
	for i := range n {
		l, _ := of(i)
		count[l]++
	}
	out := make([]string, n)
	for i := range n {
		l, id := of(i)
		if l != "" && count[l] == 1 && !strings.ContainsFunc(l, func(r rune) bool { return r == '#' || unicode.IsSpace(r) }) {
			out[i] = l
		} else {
			out[i] = id
		}
	}
	return out
}

func nsValue(props []Prop, name string) string {
	for _, p := range props {
		if p.NS == Namespace && p.Name == name {
			return p.Value
		}
	}
	return ""
}

// withdrawn tells whether a control or group is marked withdrawn: a
// "status" prop "withdrawn" (NIST SP 800-53) or a class naming it.
func withdrawn(props []Prop, class string) bool {
	for _, p := range props {
		if p.Name == "status" && strings.EqualFold(strings.TrimSpace(p.Value), "withdrawn") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(class), "withdrawn")
}

// slug makes a catalog id of a title: lower-case letters and digits
// joined by '-', at most 64 characters.
func slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) && r < utf8.RuneSelf || unicode.IsDigit(r) && r < utf8.RuneSelf {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	if b.Len() == 0 {
		return "oscal-catalog"
	}
	return strings.TrimRight(b.String(), "-")
}

func abbreviate(xs []string, n int) string {
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + fmt.Sprintf(" and %d more", len(xs)-n)
}
