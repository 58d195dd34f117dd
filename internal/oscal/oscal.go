// Package oscal writes and reads NIST OSCAL documents (JSON, OSCAL 1.2):
// the catalog an assessment uses, its assessment results and its plan of
// action and milestones; and any OSCAL catalog read back as an isogap
// catalog. Every document written is checked against NIST's published
// schemas, embedded here (schemas/, with their SHA-256 sums).
package oscal

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Version is the OSCAL version of every document written.
const Version = "1.2.1"

// Namespace is isogap's namespace for the props and parts that OSCAL
// leaves to each tool (a question, a score, a department).
const Namespace = "https://github.com/isogap/isogap/ns/oscal"

// The models isogap writes or reads, by their root property.
const (
	ModelCatalog           = "catalog"
	ModelAssessmentResults = "assessment-results"
	ModelPOAM              = "plan-of-action-and-milestones"
)

var schemaFiles = map[string]string{
	ModelCatalog:           "schemas/oscal_catalog_schema.json",
	ModelAssessmentResults: "schemas/oscal_assessment-results_schema.json",
	ModelPOAM:              "schemas/oscal_poam_schema.json",
}

//go:embed schemas/*.json
var schemaFS embed.FS

// schemas compiles each model's schema once, on first use.
var schemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	comp := jsonschema.NewCompiler()
	urls := map[string]string{}
	for model, file := range schemaFiles {
		data, err := schemaFS.ReadFile(file)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		url := "file:///" + file
		if err := comp.AddResource(url, doc); err != nil {
			return nil, err
		}
		urls[model] = url
	}
	out := map[string]*jsonschema.Schema{}
	for model, url := range urls {
		sch, err := comp.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("compiling the OSCAL %s schema: %w", model, err)
		}
		out[model] = sch
	}
	return out, nil
})

// Validate checks a JSON document against NIST's schema of a model
// (ModelCatalog, ModelAssessmentResults or ModelPOAM). The error names each
// place that breaks the schema by its JSON pointer.
func Validate(model string, doc []byte) error {
	all, err := schemas()
	if err != nil {
		return err
	}
	sch := all[model]
	if sch == nil {
		return fmt.Errorf("oscal: no schema for model %q", model)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	err = sch.Validate(inst)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	return &SchemaError{Model: model, Problems: leafProblems(ve)}
}

// SchemaError lists where a document breaks its model's schema.
type SchemaError struct {
	Model    string
	Problems []string
}

func (e *SchemaError) Error() string {
	const max = 12
	p := e.Problems
	more := ""
	if len(p) > max {
		more = fmt.Sprintf("\n  … and %d more", len(p)-max)
		p = p[:max]
	}
	return fmt.Sprintf("not a valid OSCAL %s (schema %s):\n  %s%s", e.Model, Version, strings.Join(p, "\n  "), more)
}

// leafProblems flattens a validation error to its innermost causes, each
// as "/json/pointer: message", deduplicated and sorted.
func leafProblems(ve *jsonschema.ValidationError) []string {
	seen := map[string]bool{}
	pr := message.NewPrinter(language.English)
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			seen[loc+": "+e.ErrorKind.LocalizedString(pr)] = true
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// space is the name space of every UUID isogap derives.
var space = uuid.NewSHA1(uuid.NameSpaceURL, []byte(Namespace))

// UUID derives a stable UUID (version 5) from names: the same names give
// the same UUID in every export, so two exports of an unchanged assessment
// are equal and a changed one differs only where it changed.
func UUID(names ...string) string {
	return uuid.NewSHA1(space, []byte(strings.Join(names, "\x00"))).String()
}

// Timestamp formats a time as OSCAL's date-time-with-timezone.
func Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Metadata is the metadata every OSCAL document opens with.
type Metadata struct {
	Title        string  `json:"title"`
	Published    string  `json:"published,omitempty"`
	LastModified string  `json:"last-modified"`
	Version      string  `json:"version"`
	OSCALVersion string  `json:"oscal-version"`
	Props        []Prop  `json:"props,omitempty"`
	Links        []Link  `json:"links,omitempty"`
	Roles        []Role  `json:"roles,omitempty"`
	Parties      []Party `json:"parties,omitempty"`
	// ResponsibleParties give the roles to parties.
	ResponsibleParties []ResponsibleParty `json:"responsible-parties,omitempty"`
	Remarks            string             `json:"remarks,omitempty"`
}

// Prop is a name/value property; NS is empty for OSCAL's own names.
type Prop struct {
	Name    string `json:"name"`
	UUID    string `json:"uuid,omitempty"`
	NS      string `json:"ns,omitempty"`
	Value   string `json:"value"`
	Class   string `json:"class,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

// Link points at a resource or another document.
type Link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel,omitempty"`
	MediaType string `json:"media-type,omitempty"`
	Text      string `json:"text,omitempty"`
}

// Part is a piece of a control's text: a statement, guidance, a question.
type Part struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Class string `json:"class,omitempty"`
	Title string `json:"title,omitempty"`
	Props []Prop `json:"props,omitempty"`
	Prose string `json:"prose,omitempty"`
	Parts []Part `json:"parts,omitempty"`
	Links []Link `json:"links,omitempty"`
}
