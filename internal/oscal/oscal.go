// Package oscal writes and reads NIST OSCAL documents (JSON, OSCAL 1.2):
// the catalog an assessment uses, its assessment results and its plan of
// action and milestones; and any OSCAL catalog read back as an isogap
// catalog. Every document written is checked against NIST's published
// schemas, embedded here (schemas/, with their SHA-256 sums).
package oscal

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
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

// schemas loads each model's schema once, on first use.
var schemas = sync.OnceValues(func() (map[string]*schema, error) {
	out := map[string]*schema{}
	for model, file := range schemaFiles {
		data, err := schemaFS.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if out[model], err = loadSchema(data); err != nil {
			return nil, fmt.Errorf("the OSCAL %s schema: %w", model, err)
		}
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
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var inst any
	if err := dec.Decode(&inst); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("not JSON: more after the document, at byte %d", dec.InputOffset())
	}
	var problems []string
	sch.check(inst, "", "", &problems)
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	return &SchemaError{Model: model, Problems: slices.Compact(problems)}
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
