package oscal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The embedded schemas are NIST's, unmodified: their sums are the ones
// published with the release.
func TestSchemasAreNISTs(t *testing.T) {
	sums, err := os.ReadFile("schemas/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		want, file, _ := strings.Cut(line, "  ")
		data, err := os.ReadFile(filepath.Join("schemas", file))
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("%s: SHA-256 differs from SHA256SUMS", file)
		}
		n++
	}
	if n != len(schemaFiles) {
		t.Errorf("%d sums for %d schemas", n, len(schemaFiles))
	}
}

// NIST's own examples pass; a broken copy fails and says where.
func TestValidate(t *testing.T) {
	for model, file := range map[string]string{
		ModelCatalog:           "testdata/basic-catalog.json",
		ModelAssessmentResults: "testdata/ifa_assessment-results-example.json",
		ModelPOAM:              "testdata/ifa_plan-of-action-and-milestones.json",
	} {
		doc, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(model, doc); err != nil {
			t.Errorf("%s: %v", file, err)
		}
		bad := strings.Replace(string(doc), `"uuid": "`, `"uuid": "not-a-uuid`, 1)
		err = Validate(model, []byte(bad))
		if err == nil || !strings.Contains(err.Error(), "/uuid") {
			t.Errorf("%s with a broken uuid: %v, want an error naming /…/uuid", file, err)
		}
	}
	if err := Validate("profile", []byte(`{}`)); err == nil {
		t.Error("an unknown model validated")
	}
}

// Each structural break is refused and named by its JSON pointer; where a
// group may take one of two shapes, the problem shown is the one of the
// shape the group is nearest to.
func TestValidateNamesEachProblem(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(cat map[string]any)
		want   []string
		unwant string
	}{
		{"missing required", func(cat map[string]any) { delete(obj(cat, "metadata"), "title") },
			[]string{"/catalog/metadata: ", `"title"`}, ""},
		{"extra property", func(cat map[string]any) { firstGroup(cat)["colour"] = "red" },
			[]string{"/catalog/groups/0/colour: "}, "controls"},
		{"bad pattern", func(cat map[string]any) { firstGroup(cat)["id"] = "s 1" },
			[]string{"/catalog/groups/0/id: ", `"s 1"`, "TokenDatatype"}, ""},
		{"wrong type", func(cat map[string]any) { obj(cat, "metadata")["version"] = 3 },
			[]string{"/catalog/metadata/version: ", "number", "string"}, ""},
		{"two problems", func(cat map[string]any) {
			delete(obj(cat, "metadata"), "title")
			cat["uuid"] = "nope"
		}, []string{"/catalog/metadata: ", "/catalog/uuid: "}, ""},
	} {
		doc := readJSON(t, "testdata/basic-catalog.json")
		c.change(doc["catalog"].(map[string]any))
		err := Validate(ModelCatalog, mustMarshal(t, doc))
		if err == nil {
			t.Errorf("%s: validated", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nwant it to name %s", c.name, err, w)
			}
		}
		if c.unwant != "" && strings.Contains(err.Error(), c.unwant) {
			t.Errorf("%s: %v\nnames %s, which is fine in the nearest shape", c.name, err, c.unwant)
		}
	}
}

// NIST's writers' formats (a link's href, a timestamp) are asserted by the
// strict check the tests apply to every document isogap writes.
func TestStrictValidateAssertsFormats(t *testing.T) {
	for name, change := range map[string]func(cat map[string]any){
		"href with a control character": func(cat map[string]any) {
			obj(cat, "metadata")["links"] = []any{map[string]any{"href": "https://x.example/\x01a"}}
		},
		"date-time of 30 February": func(cat map[string]any) { obj(cat, "metadata")["last-modified"] = "2026-02-30T10:00:00Z" },
	} {
		doc := readJSON(t, "testdata/basic-catalog.json")
		if err := StrictValidate(ModelCatalog, mustMarshal(t, doc)); err != nil {
			t.Fatalf("NIST's example: %v", err)
		}
		change(doc["catalog"].(map[string]any))
		if err := StrictValidate(ModelCatalog, mustMarshal(t, doc)); err == nil {
			t.Errorf("%s: passed the strict check", name)
		}
	}
}

func readJSON(t *testing.T, file string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func obj(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

func firstGroup(cat map[string]any) map[string]any { return cat["groups"].([]any)[0].(map[string]any) }

func TestUUIDIsStable(t *testing.T) {
	a, b := UUID("assessment", "x", "A.5.1"), UUID("assessment", "x", "A.5.1")
	if a != b || a == UUID("assessment", "x", "A.5.2") || a == UUID("assessment", "xA.5.1") {
		t.Errorf("UUID not a function of its names: %s %s", a, b)
	}
	if a[14] != '5' {
		t.Errorf("UUID %s is not version 5", a)
	}
}

func TestURIReference(t *testing.T) {
	for in, want := range map[string]string{
		"https://wiki.example/a b?x=1": "https://wiki.example/a b?x=1", // parses: kept as given
		"https://x.example/\x01a":      "https://x.example/%01a",
		"K\xe3\x1f%zz":                 "K%E3%1F%25zz",
		"":                             "",
	} {
		if got := uriReference(in); got != want {
			t.Errorf("uriReference(%q) = %q, want %q", in, got, want)
		}
	}
}
