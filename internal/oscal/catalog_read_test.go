package oscal

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/catalog"
)

// isogap's own catalog, exported as OSCAL and read back, keeps its refs,
// titles, sections, kinds, questions and the rest of each item.
func TestCatalogRoundTrip(t *testing.T) {
	for name, c := range map[string]*catalog.Catalog{"builtin": catalog.Builtin(), "custom": customCatalog(t)} {
		t.Run(name, func(t *testing.T) {
			got, notes, err := ReadCatalogNotes(writeCatalog(t, c))
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) > 0 {
				t.Errorf("notes: %v", notes)
			}
			if got.ID == c.ID && c.ID == catalog.Builtin().ID {
				t.Error("the read-back catalog took the built-in id")
			}
			if got.Name != c.Name || got.Version != c.Version || got.Description != c.Description {
				t.Errorf("header: %q %q, want %q %q", got.Name, got.Version, c.Name, c.Version)
			}
			if !slices.Equal(got.Sections, c.Sections) {
				t.Errorf("sections:\n%v\nwant\n%v", got.Sections, c.Sections)
			}
			if !slices.Equal(got.Departments, c.Departments) {
				t.Errorf("departments %v, want %v", got.Departments, c.Departments)
			}
			a, _ := json.Marshal(got.Attributes)
			b, _ := json.Marshal(c.Attributes)
			if string(a) != string(b) {
				t.Errorf("attributes %s, want %s", a, b)
			}
			if len(got.Items) != len(c.Items) {
				t.Fatalf("%d items, want %d", len(got.Items), len(c.Items))
			}
			for i := range c.Items {
				a, _ := json.Marshal(got.Items[i])
				b, _ := json.Marshal(c.Items[i])
				if string(a) != string(b) {
					t.Errorf("item %d:\n%s\nwant\n%s", i, a, b)
				}
			}
		})
	}
}

// NIST's basic catalog: nested groups under two sections, labels as refs,
// the statement with its parameter inserted as the summary.
func TestReadBasicCatalog(t *testing.T) {
	data, err := os.ReadFile("testdata/basic-catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ReadCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "sample-security-catalog-for-demonstration-and-testing" || c.Version != "1.1" {
		t.Errorf("id %q version %q", c.ID, c.Version)
	}
	if len(c.Sections) != 2 || c.Sections[0].ID != "1" || c.Sections[0].Title != "Organization of Information Security" {
		t.Errorf("sections %v", c.Sections)
	}
	it, ok := c.Item("1.1.1")
	if !ok {
		t.Fatalf("no item 1.1.1 in %v", refs(c))
	}
	if it.Title != "Information security roles and responsibilities" || it.Section != "1" {
		t.Errorf("item: %+v", it)
	}
	for _, want := range []string{"Internal Organization", "All information security responsibilities should be defined and allocated.",
		"[Selection (one or more): initiating a device lock after [Assignment: a duration] of inactivity; requiring the user"} {
		if !strings.Contains(it.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, it.Summary)
		}
	}
	if it.Questions[0].Text != "Is information security roles and responsibilities in place?" || it.Department != DefaultDepartment || it.EffortDays != DefaultEffortDays {
		t.Errorf("defaults: %q %q %v", it.Questions[0].Text, it.Department, it.EffortDays)
	}
}

func refs(c *catalog.Catalog) []string {
	var out []string
	for _, it := range c.Items {
		out = append(out, it.Ref)
	}
	return out
}

// otherCatalog is an OSCAL catalog as another tool writes it: nested
// groups, enhancements, parameters in prose, withdrawn controls (both
// ways NIST marks them), zero-padded second labels, a loose control and an
// order that is not natural.
const otherCatalog = `{"catalog": {
  "uuid": "0b4f1c2e-8d1a-4f5e-9c3b-2a1d0e9f8c7b",
  "metadata": {"title": "Example Controls, rev. 2", "last-modified": "2025-05-01T00:00:00Z", "version": "2.0", "oscal-version": "1.1.2"},
  "groups": [
    {"id": "ac", "class": "family", "title": "Access Control", "controls": [
      {"id": "ac-1", "title": "Policy and Procedures",
       "params": [{"id": "ac-01_odp.01", "label": "frequency"}, {"id": "ac-01_odp.02", "values": ["annually"]}],
       "props": [{"name": "label", "value": "AC-1"}, {"name": "label", "class": "zero-padded", "value": "AC-01"}],
       "parts": [{"id": "ac-1_smt", "name": "statement", "parts": [
         {"id": "ac-1_smt.a", "name": "item", "props": [{"name": "label", "value": "a."}], "prose": "Develop a policy;", "parts": [
           {"id": "ac-1_smt.a.1", "name": "item", "props": [{"name": "label", "value": "1."}], "prose": "review it {{ insert: param, ac-01_odp.01 }};"}]},
         {"id": "ac-1_smt.b", "name": "item", "props": [{"name": "label", "value": "b."}], "prose": "update it {{ insert: param, ac-01_odp.02 }}."}]},
         {"id": "ac-1_gdn", "name": "guidance", "prose": "Long discussion."}]},
      {"id": "ac-10", "title": "Concurrent Session Control", "props": [{"name": "label", "value": "AC-10"}]},
      {"id": "ac-2", "title": "Account Management", "props": [{"name": "label", "value": "AC-2"}],
       "parts": [{"id": "ac-2_smt", "name": "statement", "prose": "Manage accounts."}],
       "controls": [
         {"id": "ac-2.1", "title": "Automated System Account Management", "props": [{"name": "label", "value": "AC-2(1)"}]},
         {"id": "ac-2.10", "title": "Shared Account Credential Change", "props": [{"name": "label", "value": "AC-2(10)"}, {"name": "status", "value": "withdrawn"}]},
         {"id": "ac-2.13", "title": "Disable Accounts for High-risk Individuals", "props": [{"name": "label", "value": "AC-2(13)"}]}]},
      {"id": "ac-3", "class": "SP800-53-withdrawn", "title": "Old Control", "props": [{"name": "label", "value": "AC-3"}],
       "controls": [{"id": "ac-3.1", "title": "Under a withdrawn control", "props": [{"name": "label", "value": "AC-3(1)"}]}]}]},
    {"id": "pe", "title": "Physical Protection", "groups": [
      {"id": "pe-a", "title": "Facilities", "controls": [
        {"id": "pe-1", "title": "PKI Certificates", "props": [{"name": "label", "value": "PE-1"}],
         "parts": [{"name": "question", "ns": "` + Namespace + `", "prose": "Who holds the keys?"}]}]}]}
  ],
  "controls": [{"id": "x-1", "title": "Loose Control"}]
}}`

func TestReadOtherCatalog(t *testing.T) {
	c, notes, err := ReadCatalogNotes([]byte(otherCatalog))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"AC-1", "AC-2", "AC-2(1)", "AC-2(13)", "AC-10", "PE-1", "x-1"}
	if got := refs(c); !slices.Equal(got, want) {
		t.Errorf("refs %v, want %v", got, want)
	}
	titles := map[string]string{"AC-2(13)": "Disable Accounts for High-risk Individuals", "PE-1": "PKI Certificates", "x-1": "Loose Control"}
	for ref, title := range titles {
		if it, _ := c.Item(ref); it.Title != title {
			t.Errorf("%s: title %q, want %q", ref, it.Title, title)
		}
	}
	ac1, _ := c.Item("AC-1")
	if want := "a. Develop a policy;\n  1. review it [Assignment: frequency];\nb. update it annually."; ac1.Summary != want {
		t.Errorf("AC-1 summary:\n%s\nwant\n%s", ac1.Summary, want)
	}
	if q := ac1.Questions[0].Text; q != "Is policy and procedures in place?" {
		t.Errorf("AC-1 question %q", q)
	}
	pe1, _ := c.Item("PE-1")
	if pe1.Section != "pe" || pe1.Questions[0].Text != "Who holds the keys?" || pe1.Summary != "Facilities" {
		t.Errorf("PE-1: %+v", pe1)
	}
	if c.ID != "example-controls-rev-2" || len(c.Sections) != 3 || c.Sections[2].ID != "controls" {
		t.Errorf("id %q, sections %v", c.ID, c.Sections)
	}
	all := strings.Join(notes, "\n")
	for _, w := range []string{"2 withdrawn", "AC-2(10)", "AC-3", "sorted", "AC-2 comes after AC-10"} {
		if !strings.Contains(all, w) {
			t.Errorf("notes lack %q: %v", w, notes)
		}
	}
	if _, ok := c.Item("AC-3(1)"); ok {
		t.Error("a control under a withdrawn one was kept")
	}
	if got, ok := c.LookupRef("ac-2(13)"); !ok || got != "AC-2(13)" {
		t.Errorf("LookupRef(ac-2(13)) = %q %v", got, ok)
	}
}

// Labels two controls share are not refs: both take their ids.
func TestReadCatalogDuplicateLabels(t *testing.T) {
	doc := strings.Replace(otherCatalog, `"value": "AC-10"`, `"value": "AC-1"`, 1)
	c, err := ReadCatalog([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := refs(c); !slices.Contains(got, "ac-1") || !slices.Contains(got, "ac-10") || slices.Contains(got, "AC-1") {
		t.Errorf("refs %v", got)
	}
}

// An isogap catalog file goes through the same door.
func TestReadCatalogIsogapFormat(t *testing.T) {
	c, err := ReadCatalog(catalog.BuiltinJSON())
	if err != nil || c.ID != catalog.Builtin().ID || len(c.Items) != len(catalog.Builtin().Items) {
		t.Fatalf("%v, %v", c, err)
	}
}

func TestReadCatalogBadInput(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"not JSON":       {`{"catalog": `, "not JSON: line 1"},
		"array":          {`[1]`, "want a JSON object, got an array"},
		"wrong root":     {`{"foo": 1}`, `neither an OSCAL catalog (root property "catalog") nor an isogap catalog`},
		"profile":        {`{"profile": {}}`, "OSCAL profile, not a catalog (resolve the profile"},
		"no uuid":        {strings.Replace(otherCatalog, `"uuid": "0b4f1c2e-8d1a-4f5e-9c3b-2a1d0e9f8c7b",`, "", 1), `/catalog: the required property "uuid" is missing`},
		"bad control id": {strings.Replace(otherCatalog, `"id": "ac-2.13"`, `"id": "2.13"`, 1), "/catalog/groups/0/controls/2/controls/2/id:"},
		"bad effort": {strings.Replace(otherCatalog, `"title": "Loose Control"`, `"title": "Loose Control", "props": [{"name": "effort_days", "ns": "`+Namespace+`", "value": "lots"}]`, 1),
			`/catalog/controls/0/props/0: effort_days "lots" of control x-1`},
		"isogap file": {strings.Replace(string(catalog.BuiltinJSON()), `"ref": "4.2"`, `"ref": "4.2#1"`, 1), "items[1] (4.2#1): ref contains '#'"},
		"builtin id":  {strings.Replace(otherCatalog, "Example Controls, rev. 2", "ISO27001 (2022)", 1), "/catalog/metadata/title"},
		"all withdrawn": {`{"catalog": {"uuid": "0b4f1c2e-8d1a-4f5e-9c3b-2a1d0e9f8c7b", "metadata": {"title": "T", "last-modified": "2025-05-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"},
			"controls": [{"id": "a", "title": "A", "props": [{"name": "status", "value": "Withdrawn"}]}]}}`, "no controls to assess"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadCatalog([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func FuzzReadCatalog(f *testing.F) {
	f.Add([]byte(otherCatalog))
	f.Add([]byte(`{"catalog": {}}`))
	f.Add([]byte(`{"format": "isogap-catalog/v1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCatalog(data)
		if err != nil {
			return
		}
		// What is read is a valid catalog that writes as valid OSCAL.
		if err := c.Validate(); err != nil {
			t.Fatalf("read a catalog that does not validate: %v", err)
		}
		out := writeCatalog(t, c)
		if err := StrictValidate(ModelCatalog, out); err != nil {
			t.Fatalf("read a catalog that writes invalid OSCAL: %v", err)
		}
	})
}
