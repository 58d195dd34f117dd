package oscal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/isogap/isogap/internal/catalog"
)

// WriteCatalog writes an isogap catalog as an OSCAL catalog: one group per
// section (clause or Annex A theme), one control per item with its ref as
// the "label" prop and its official title, the item's summary as a
// guidance part, and isogap's questions and evidence suggestions as parts
// and its other fields (kind, department, effort, ISO/IEC 27002
// attributes) as props, both in isogap's Namespace.
//
// Nothing in it depends on the clock or on chance: the UUID is derived
// from the catalog's content and last-modified from the years its version
// and name carry, so writing a catalog twice gives the same bytes.
func WriteCatalog(w io.Writer, c *catalog.Catalog) error {
	doc, err := catalogDocOf(c)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func catalogDocOf(c *catalog.Catalog) (catalogDoc, error) {
	content, err := json.Marshal(c)
	if err != nil {
		return catalogDoc{}, err
	}
	sum := sha256.Sum256(content)
	md := Metadata{
		Title:        c.Name,
		LastModified: Timestamp(catalogTime(c)),
		Version:      c.Version,
		OSCALVersion: Version,
		Remarks:      c.Description,
	}
	for _, d := range c.Departments {
		md.Props = append(md.Props, nsProp(propDepartment, d))
	}
	for _, a := range c.Attributes {
		p := nsProp(propAttrName, a.Name)
		p.Class = a.Key
		md.Props = append(md.Props, p)
		for _, v := range a.Values {
			p := nsProp(a.Key, v)
			p.Class = classDeclared
			md.Props = append(md.Props, p)
		}
	}
	body := catalogBody{UUID: UUID("catalog", c.ID, c.Version, hex.EncodeToString(sum[:])), Metadata: md}
	groupIDs, controlIDs := catalogIDs(c)
	at := map[string]int{}
	for _, s := range c.Sections {
		at[s.ID] = len(body.Groups)
		body.Groups = append(body.Groups, group{
			ID: groupIDs[s.ID], Title: s.Title,
			Props: []Prop{{Name: "label", Value: s.ID}, nsProp(propKind, s.Kind)},
		})
	}
	for _, it := range c.Items {
		g, ok := at[it.Section]
		if !ok {
			return catalogDoc{}, fmt.Errorf("oscal: item %s: section %q is not in the catalog", it.Ref, it.Section)
		}
		body.Groups[g].Controls = append(body.Groups[g].Controls, controlOf(it, controlIDs[it.Ref]))
	}
	return catalogDoc{Catalog: body}, nil
}

func controlOf(it catalog.Item, id string) control {
	ctl := control{ID: id, Title: it.Title, Props: []Prop{{Name: "label", Value: it.Ref}}}
	add := func(name, value string) { ctl.Props = append(ctl.Props, nsProp(name, value)) }
	add(propKind, it.Kind)
	add(propDepartment, it.Department)
	add(propEffortDays, strconv.FormatFloat(it.EffortDays, 'g', -1, 64))
	if it.NewIn2022 {
		add(propNewIn2022, "true")
	}
	if it.Amended2024 {
		add(propAmended2024, "true")
	}
	for _, key := range catalog.AttributeKeys {
		for _, v := range it.Attr(key) {
			add(key, v)
		}
	}
	if s := strings.TrimSpace(it.Summary); s != "" {
		ctl.Parts = append(ctl.Parts, Part{ID: id + "_gdn", Name: "guidance", Prose: s})
	}
	// What an assessment concludes on: the findings of the assessment
	// results name it (objective-id).
	ctl.Parts = append(ctl.Parts, Part{ID: id + objectiveSuffix, Name: "assessment-objective",
		Prose: "The item is in place and reaches the assessment's target score, with evidence to show it."})
	for i, q := range it.Questions {
		ctl.Parts = append(ctl.Parts, Part{ID: fmt.Sprintf("%s_q%d", id, i+1), Name: partQuestion, NS: Namespace,
			Props: []Prop{nsProp(propQuestionID, q.ID)}, Prose: q.Text})
	}
	for i, e := range it.Evidence {
		ctl.Parts = append(ctl.Parts, Part{ID: fmt.Sprintf("%s_ev%d", id, i+1), Name: partEvidence, NS: Namespace, Prose: e})
	}
	return ctl
}

// objectiveSuffix ends the id of a control's assessment-objective part.
const objectiveSuffix = "_obj"

// catalogIDs gives the OSCAL ids of a catalog's groups (by section id) and
// controls (by ref), made in one sequence so that no two meet.
func catalogIDs(c *catalog.Catalog) (groups, controls map[string]string) {
	ids := idMaker{}
	groups, controls = map[string]string{}, map[string]string{}
	for _, s := range c.Sections {
		groups[s.ID] = ids.make("sec-", s.ID)
	}
	for _, it := range c.Items {
		controls[it.Ref] = ids.make("ref-", it.Ref)
	}
	return groups, controls
}

// ControlIDs gives the OSCAL control id of each item of a catalog (by ref),
// as WriteCatalog writes them, for documents that point at its controls.
func ControlIDs(c *catalog.Catalog) map[string]string {
	_, controls := catalogIDs(c)
	return controls
}

func nsProp(name, value string) Prop { return Prop{Name: name, NS: Namespace, Value: value} }

// idMaker turns refs into OSCAL ids (a letter or '_' first, then letters,
// digits, '.', '-', '_'): a prefix, the ref with any other character as
// '_', and "-2", "-3" … should two refs still meet.
type idMaker map[string]bool

func (m idMaker) make(prefix, ref string) string {
	id := prefix + strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, ref)
	out := id
	for n := 2; m[out]; n++ {
		out = id + "-" + strconv.Itoa(n)
	}
	m[out] = true
	return out
}

var yearRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:^|\D)((?:19|20)\d\d)(?:\D|$)`) })

// catalogTime is the catalog's last-modified: the 1st of January of the
// latest year its version or name names (2024 for "2022+A1:2024"), else the
// Unix epoch. A catalog file has no date of its own, and the clock would
// make two exports of one catalog differ.
func catalogTime(c *catalog.Catalog) time.Time {
	year := 1970
	for _, s := range []string{c.Version, c.Name} {
		for _, m := range yearRe().FindAllStringSubmatch(s, -1) {
			if y, _ := strconv.Atoi(m[1]); y > year {
				year = y
			}
		}
	}
	return time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
}
