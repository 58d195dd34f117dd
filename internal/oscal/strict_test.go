package oscal

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// strictSchemas compiles NIST's schemas with a complete JSON Schema
// implementation that also asserts "format" (uri-reference, uri, date-time,
// email), which Validate leaves to the schemas' patterns. It is a test
// dependency only: its initialisers would cost every process start.
var strictSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) { return compileReference(true) })

// referenceSchemas are the same without "format": what Validate must agree
// with exactly.
var referenceSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) { return compileReference(false) })

func compileReference(formats bool) (map[string]*jsonschema.Schema, error) {
	comp := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for model, file := range schemaFiles {
		data, err := schemaFS.ReadFile(file)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if !formats {
			dropFormats(doc)
		}
		url := "file:///" + file
		if err := comp.AddResource(url, doc); err != nil {
			return nil, err
		}
		if out[model], err = comp.Compile(url); err != nil {
			return nil, fmt.Errorf("compiling %s: %w", file, err)
		}
	}
	return out, nil
}

// dropFormats removes every "format" keyword from a schema document.
func dropFormats(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["format"].(string); ok {
			delete(v, "format")
		}
		for _, sub := range v {
			dropFormats(sub)
		}
	case []any:
		for _, sub := range v {
			dropFormats(sub)
		}
	}
}

// StrictValidate checks a document as Validate does and then with the
// strict schemas: every document isogap writes must pass both. (Exported
// for the package's external tests.)
func StrictValidate(model string, doc []byte) error {
	if err := Validate(model, doc); err != nil {
		return err
	}
	all, err := strictSchemas()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	if err := all[model].Validate(inst); err != nil {
		return fmt.Errorf("strict check: %w", err)
	}
	return nil
}
