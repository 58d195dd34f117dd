// Package assess is isogap's domain: assessments, their items, evidence and
// history, the scoring rules and the readiness figures every surface shows.
// It imports only the standard library and the catalog.
package assess

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// DefaultTarget is the score every item must reach to be audit-ready unless
// the assessment says otherwise.
const DefaultTarget = 4

// Assessment is one organisation's gap assessment against a catalog.
type Assessment struct {
	ID             string        `json:"id"`
	Org            string        `json:"org"`
	Scope          string        `json:"scope"`
	Boundaries     Boundaries    `json:"boundaries"`
	Interfaces     string        `json:"interfaces"`
	Exclusions     []Exclusion   `json:"exclusions"`
	Stakeholders   []Stakeholder `json:"stakeholders"`
	TargetScore    int           `json:"target_score"`
	Employees      int           `json:"employees"`
	Lead           string        `json:"lead"`
	CatalogID      string        `json:"catalog_id"`
	CatalogVersion string        `json:"catalog_version"`
	Version        int           `json:"version"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// Boundaries say what the ISMS covers.
type Boundaries struct {
	Units     []string `json:"units"`
	Locations []string `json:"locations"`
	Services  []string `json:"services"`
	Systems   []string `json:"systems"`
}

// Exclusion is something left out of the ISMS scope, with the reason.
type Exclusion struct {
	What          string `json:"what"`
	Justification string `json:"justification"`
}

// Stakeholder is a person who answers for items of their department.
type Stakeholder struct {
	Name       string `json:"name"`
	Department string `json:"department"`
	Email      string `json:"email"`
}

// Score is an item's 1–5 maturity index; 0 means not assessed yet.
type Score int

const Unassessed Score = 0

// Valid reports whether s is unassessed or 1–5.
func (s Score) Valid() bool { return s >= 0 && s <= 5 }

// Assessed reports whether the item has a score.
func (s Score) Assessed() bool { return s >= 1 && s <= 5 }

var statusLabels = [...]string{"Not Assessed", "Not Started", "Planning Only", "Partially Implemented", "Mostly Done", "Fully Implemented & Evidenced"}

var statusMeanings = [...]string{
	"No score recorded yet.",
	"No framework, policy, or technical control exists for this item.",
	"Discussions have occurred, but no active implementation has begun.",
	"Controls are active in some areas but lack consistency or documentation.",
	"Minor gaps remain; policies exist but need optimization.",
	"Control is highly mature, operating consistently, and fully backed by evidence.",
}

// StatusNotApplicable is the status of an excluded control.
const StatusNotApplicable = "Not Applicable"

// Label is the implementation status of a score.
func (s Score) Label() string {
	if !s.Valid() {
		return "Invalid"
	}
	return statusLabels[s]
}

// Meaning explains a score level in a sentence.
func (s Score) Meaning() string {
	if !s.Valid() {
		return ""
	}
	return statusMeanings[s]
}

// ParseScore reads a score as people write it: "3", "3.0", " 3 ",
// "3 - Partially Implemented", "Partially Implemented"; "" is unassessed.
func ParseScore(s string) (Score, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Unassessed, nil
	}
	for i, l := range statusLabels {
		if i > 0 && strings.EqualFold(t, l) {
			return Score(i), nil
		}
	}
	lead := t
	if i := strings.IndexAny(t, " -–:"); i > 0 {
		lead = t[:i]
	}
	f, err := strconv.ParseFloat(lead, 64)
	if err != nil || f != float64(int(f)) || f < 1 || f > 5 {
		return 0, fmt.Errorf("want a whole number from 1 to 5, optionally followed by its status (\"3 - Partially Implemented\")")
	}
	return Score(int(f)), nil
}

// Priority of closing a gap.
type Priority string

const (
	PriorityCritical Priority = "Critical"
	PriorityHigh     Priority = "High"
	PriorityMedium   Priority = "Medium"
	PriorityLow      Priority = "Low"
)

// Priorities lists the priorities from most to least urgent.
var Priorities = []Priority{PriorityCritical, PriorityHigh, PriorityMedium, PriorityLow}

// ParsePriority accepts any case; "" means unset.
func ParsePriority(s string) (Priority, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", nil
	}
	for _, p := range Priorities {
		if strings.EqualFold(t, string(p)) {
			return p, nil
		}
	}
	return "", fmt.Errorf("want one of Critical, High, Medium, Low")
}

// Rank orders priorities: Critical 0 … Low 3, unset 4.
func (p Priority) Rank() int {
	for i, q := range Priorities {
		if p == q {
			return i
		}
	}
	return len(Priorities)
}

// Date is a calendar day without time of day; the zero Date is "no date".
type Date struct{ t time.Time }

// NewDate builds a Date.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf takes the calendar day of a time, in its own location.
func DateOf(t time.Time) Date { return NewDate(t.Date()) }

// ParseDate reads YYYY-MM-DD; "" is the zero Date.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("want a date as YYYY-MM-DD")
	}
	return Date{t}, nil
}

func (d Date) IsZero() bool       { return d.t.IsZero() }
func (d Date) Time() time.Time    { return d.t }
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format("2006-01-02")
}

func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("date %q: %w", s, err)
	}
	*d = v
	return nil
}

// Inclusion reasons for the Statement of Applicability.
const (
	ReasonRisk     = "risk-assessment"
	ReasonLegal    = "legal-contractual"
	ReasonBusiness = "business-requirement"
	ReasonPractice = "best-practice"
)

// InclusionReasons lists the SoA reason codes with their labels.
var InclusionReasons = []struct{ Code, Label string }{
	{ReasonRisk, "Risk assessment"},
	{ReasonLegal, "Legal or contractual"},
	{ReasonBusiness, "Business requirement"},
	{ReasonPractice, "Best practice"},
}

// ParseReason accepts a code or its label, any case.
func ParseReason(s string) (string, bool) {
	t := strings.TrimSpace(s)
	for _, r := range InclusionReasons {
		if strings.EqualFold(t, r.Code) || strings.EqualFold(t, r.Label) {
			return r.Code, true
		}
	}
	return "", false
}

// ReasonLabel returns the display label of a reason code.
func ReasonLabel(code string) string {
	for _, r := range InclusionReasons {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

// Item is the assessment of one catalog item.
type Item struct {
	Ref        string `json:"ref"`
	Score      Score  `json:"score"`
	Applicable bool   `json:"applicable"`
	// Justification explains an exclusion (required when not applicable).
	Justification string `json:"justification"`
	// Inclusion holds SoA reason codes for an applicable control.
	Inclusion     []string   `json:"inclusion"`
	InclusionNote string     `json:"inclusion_note"`
	Department    string     `json:"department"`
	Owner         string     `json:"owner"`
	Priority      Priority   `json:"priority"`
	TargetDate    Date       `json:"target_date"`
	Action        string     `json:"action"`
	EffortDays    *float64   `json:"effort_days"`
	Notes         string     `json:"notes"`
	Evidence      []Evidence `json:"evidence"`
	Version       int        `json:"version"`
	UpdatedAt     time.Time  `json:"updated_at"`
	UpdatedBy     string     `json:"updated_by"`
}

// HasEvidence reports whether any evidence backs the item.
func (it Item) HasEvidence() bool { return len(it.Evidence) > 0 }

// EffectiveScore applies the evidence rule: a 5 without evidence counts as 4.
func (it Item) EffectiveScore() Score {
	if it.Score == 5 && !it.HasEvidence() {
		return 4
	}
	return it.Score
}

// Unevidenced5 reports a 5 that has no evidence.
func (it Item) Unevidenced5() bool { return it.Score == 5 && !it.HasEvidence() }

// EvidenceKind says what an evidence entry holds.
type EvidenceKind string

const (
	EvidenceText EvidenceKind = "text"
	EvidenceLink EvidenceKind = "link"
	EvidenceFile EvidenceKind = "file"
)

// Evidence backs an item's score: a statement, a link or an uploaded file.
type Evidence struct {
	ID          int64        `json:"id"`
	Kind        EvidenceKind `json:"kind"`
	Text        string       `json:"text"`
	URL         string       `json:"url,omitempty"`
	FileName    string       `json:"file_name,omitempty"`
	ContentType string       `json:"content_type,omitempty"`
	Size        int64        `json:"size,omitempty"`
	SHA256      string       `json:"sha256,omitempty"`
	Date        Date         `json:"date"`
	AddedBy     string       `json:"added_by"`
	AddedAt     time.Time    `json:"added_at"`
}

// Summary is a one-line description of the evidence.
func (e Evidence) Summary() string {
	switch e.Kind {
	case EvidenceLink:
		if e.Text != "" {
			return e.Text + " <" + e.URL + ">"
		}
		return e.URL
	case EvidenceFile:
		if e.Text != "" {
			return e.Text + " [" + e.FileName + "]"
		}
		return "[" + e.FileName + "]"
	}
	return e.Text
}

// Change is one entry of the history: a field of an item (or of the
// assessment when Ref is empty) changed from Old to New.
type Change struct {
	ID           int64     `json:"id"`
	AssessmentID string    `json:"assessment_id"`
	Ref          string    `json:"ref,omitempty"`
	Field        string    `json:"field"`
	Old          string    `json:"old"`
	New          string    `json:"new"`
	Actor        string    `json:"actor"`
	At           time.Time `json:"at"`
	Version      int       `json:"version"`
}

// Stamp is a time as isogap records it: UTC, to the microsecond, the
// precision both engines keep. Clocks are injected (app.Config, the store's
// options); nothing in the domain reads the wall clock.
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// NewID returns a fresh random assessment id: 12 lower-case letters and digits.
func NewID() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Record is a complete assessment: what an export holds and a copy moves.
type Record struct {
	Assessment Assessment `json:"assessment"`
	Items      []Item     `json:"items"`
	History    []Change   `json:"history"`
	// Files holds the content of file evidence, by evidence id.
	Files map[int64][]byte `json:"files,omitempty"`
	// Plan holds the forecast assumptions people set; nil when none were.
	Plan      *PlanSettings `json:"plan,omitempty"`
	Snapshots []Snapshot    `json:"snapshots,omitempty"`
	// Interviews with their answers, notes, evidence and decisions; the
	// content of their file evidence is in Files too.
	Interviews []Interview `json:"interviews,omitempty"`
}

// PlanSettings are the assumptions set for one assessment, as key → text
// (see package plan for the keys), with the version that guards edits.
type PlanSettings struct {
	AssessmentID string            `json:"assessment_id"`
	Values       map[string]string `json:"values"`
	Version      int               `json:"version"`
	UpdatedAt    time.Time         `json:"updated_at"`
	UpdatedBy    string            `json:"updated_by"`
}

// Snapshot is an assessment's header and items as they were at a moment,
// kept under a name (a baseline to compare with later).
type Snapshot struct {
	AssessmentID string     `json:"assessment_id"`
	Name         string     `json:"name"`
	CreatedAt    time.Time  `json:"created_at"`
	CreatedBy    string     `json:"created_by"`
	Assessment   Assessment `json:"assessment"`
	Items        []Item     `json:"items"`
}

// DiffRecords reports the first difference between two records, ignoring the
// databases' own history row ids; nil when they hold the same data.
func DiffRecords(a, b Record) error {
	if !reflect.DeepEqual(a.Assessment, b.Assessment) {
		return fmt.Errorf("assessment %s differs:\n%+v\n%+v", a.Assessment.ID, a.Assessment, b.Assessment)
	}
	if len(a.Items) != len(b.Items) {
		return fmt.Errorf("assessment %s: %d items vs %d", a.Assessment.ID, len(a.Items), len(b.Items))
	}
	for i := range a.Items {
		if !reflect.DeepEqual(a.Items[i], b.Items[i]) {
			return fmt.Errorf("assessment %s: item %s differs:\n%+v\n%+v", a.Assessment.ID, a.Items[i].Ref, a.Items[i], b.Items[i])
		}
	}
	if len(a.History) != len(b.History) {
		return fmt.Errorf("assessment %s: %d history entries vs %d", a.Assessment.ID, len(a.History), len(b.History))
	}
	for i := range a.History {
		x, y := a.History[i], b.History[i]
		x.ID, y.ID = 0, 0
		if x != y {
			return fmt.Errorf("assessment %s: history entry %d differs:\n%+v\n%+v", a.Assessment.ID, i, x, y)
		}
	}
	if len(a.Files) != len(b.Files) {
		return fmt.Errorf("assessment %s: %d files vs %d", a.Assessment.ID, len(a.Files), len(b.Files))
	}
	for id, content := range a.Files {
		if !bytes.Equal(content, b.Files[id]) {
			return fmt.Errorf("assessment %s: file of evidence %d differs", a.Assessment.ID, id)
		}
	}
	if !reflect.DeepEqual(a.Plan, b.Plan) {
		return fmt.Errorf("assessment %s: plan settings differ:\n%+v\n%+v", a.Assessment.ID, a.Plan, b.Plan)
	}
	if len(a.Snapshots) != len(b.Snapshots) {
		return fmt.Errorf("assessment %s: %d snapshots vs %d", a.Assessment.ID, len(a.Snapshots), len(b.Snapshots))
	}
	for i := range a.Snapshots {
		if !reflect.DeepEqual(a.Snapshots[i], b.Snapshots[i]) {
			return fmt.Errorf("assessment %s: snapshot %q differs", a.Assessment.ID, a.Snapshots[i].Name)
		}
	}
	if len(a.Interviews) != len(b.Interviews) {
		return fmt.Errorf("assessment %s: %d interviews vs %d", a.Assessment.ID, len(a.Interviews), len(b.Interviews))
	}
	for i := range a.Interviews {
		if !reflect.DeepEqual(a.Interviews[i], b.Interviews[i]) {
			return fmt.Errorf("assessment %s: interview %d differs:\n%+v\n%+v", a.Assessment.ID, a.Interviews[i].ID, a.Interviews[i], b.Interviews[i])
		}
	}
	return nil
}
