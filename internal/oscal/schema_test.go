package oscal

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// A keyword Validate does not implement makes the schema fail to load,
// rather than go unchecked.
func TestLoadSchemaRefusesWhatItCannotCheck(t *testing.T) {
	for in, want := range map[string]string{
		`{"$schema": "` + draft07 + `", "oneOf": [{"type": "string"}]}`:                  `unknown field "oneOf"`,
		`{"$schema": "https://json-schema.org/draft/2020-12/schema"}`:                    "only draft-07",
		`{"$schema": "` + draft07 + `", "items": {"$ref": "other.json#/definitions/x"}}`: "#/items: $ref",
		`{"$schema": "` + draft07 + `", "definitions": {"d": {"pattern": "("}}}`:         "#/definitions/d: error parsing regexp",
	} {
		if _, err := loadSchema([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error containing %q", in, err, want)
		}
	}
}

// Validate gives the reference implementation's verdict on every document
// one change away from NIST's examples: each property removed, given a
// number, an empty string, an empty array or an unknown sibling.
func TestValidateAgreesWithReference(t *testing.T) {
	reference, err := referenceSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for model, file := range map[string]string{
		ModelCatalog:           "testdata/basic-catalog.json",
		ModelAssessmentResults: "testdata/ifa_assessment-results-example.json",
		ModelPOAM:              "testdata/ifa_plan-of-action-and-milestones.json",
	} {
		doc := readJSON(t, file)
		tried, refused := 0, 0
		eachProperty(doc, func(obj map[string]any, name string) {
			old := obj[name]
			for _, change := range []func(){
				func() { delete(obj, name) },
				func() { obj[name] = 7 },
				func() { obj[name] = "" },
				func() { obj[name] = []any{} },
				func() { obj[name+"-x"] = true },
			} {
				change()
				data := mustMarshal(t, doc)
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				ours, theirs := Validate(model, data), reference[model].Validate(inst)
				if (ours == nil) != (theirs == nil) {
					t.Errorf("%s: after a change to %q: Validate says %v\nthe reference says %v", file, name, ours, theirs)
				}
				tried++
				if ours != nil {
					refused++
				}
				delete(obj, name+"-x")
				obj[name] = old
			}
		})
		if refused == 0 || refused == tried {
			t.Errorf("%s: %d of %d changed documents refused: the changes test nothing", file, refused, tried)
		}
	}
}

// eachProperty calls fn for each property of each object in v, depth first.
func eachProperty(v any, fn func(obj map[string]any, name string)) {
	switch v := v.(type) {
	case map[string]any:
		for _, name := range slices.Sorted(maps.Keys(v)) {
			eachProperty(v[name], fn)
			fn(v, name)
		}
	case []any:
		for _, item := range v {
			eachProperty(item, fn)
		}
	}
}

// Validate agrees with a complete JSON Schema implementation, given the
// same schemas without "format" (which the tests assert through
// StrictValidate), on whatever document it is given. Each problem it
// reports starts with a pointer.
func FuzzValidate(f *testing.F) {
	for _, file := range []string{"testdata/basic-catalog.json", "testdata/ifa_assessment-results-example.json", "testdata/ifa_plan-of-action-and-milestones.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"catalog": {"uuid": "x", "metadata": {"title": 1, "version": "1"}, "groups": [{"id": "a b", "colour": []}]}}`))
	reference, err := referenceSchemas()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		for model, sch := range reference {
			ours := Validate(model, doc)
			if err != nil {
				if ours == nil {
					t.Fatalf("%s: accepted a document that is not JSON (%v)", model, err)
				}
				continue
			}
			theirs := sch.Validate(inst)
			switch {
			case theirs == nil && ours != nil:
				t.Fatalf("%s: refused a valid document: %v", model, ours)
			case ours == nil && theirs != nil:
				t.Fatalf("%s: accepted an invalid document: %v", model, theirs)
			}
			var se *SchemaError
			if errors.As(ours, &se) {
				for _, p := range se.Problems {
					if !strings.HasPrefix(p, "/") {
						t.Fatalf("%s: a problem without a pointer: %q", model, p)
					}
				}
			}
		}
	})
}
