package api

import (
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/plan"
)

// The bodies of the API, in and out, where the domain's own types do not
// fit as they are. Each is described in the OpenAPI document by its Go
// type (openapi.go), so a field added here is documented by itself.

// Me is who a token belongs to.
type Me struct {
	User  UserInfo   `json:"user"`
	Token *TokenInfo `json:"token"`
}

// UserInfo is an account as the API shows it.
type UserInfo struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Admin bool   `json:"admin"`
}

// TokenInfo is the token a request came with.
type TokenInfo struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	ReadOnly bool   `json:"read_only"`
}

// Page is one page of a list; Next is the cursor of the next page and
// NextURL its address, both empty on the last page.
type Page[T any] struct {
	Data    []T    `json:"data"`
	Next    string `json:"next_cursor,omitempty"`
	NextURL string `json:"next,omitempty"`
}

// AssessmentSummary is one line of the assessment list.
type AssessmentSummary struct {
	ID             string         `json:"id"`
	Org            string         `json:"org"`
	Lead           string         `json:"lead"`
	CatalogID      string         `json:"catalog_id"`
	CatalogVersion string         `json:"catalog_version"`
	TargetScore    int            `json:"target_score"`
	Version        int            `json:"version"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	Role           assess.Role    `json:"role"`
	Overall        assess.Figures `json:"overall"`
	AuditReady     bool           `json:"audit_ready"`
	Blockers       int            `json:"blockers"`
}

// NewAssessment is the body that creates an assessment against the
// built-in catalog.
type NewAssessment struct {
	Org          string               `json:"org"`
	Scope        string               `json:"scope,omitempty"`
	Boundaries   assess.Boundaries    `json:"boundaries,omitzero"`
	Interfaces   string               `json:"interfaces,omitempty"`
	Exclusions   []assess.Exclusion   `json:"exclusions,omitempty"`
	Stakeholders []assess.Stakeholder `json:"stakeholders,omitempty"`
	TargetScore  int                  `json:"target_score,omitempty"`
	Employees    int                  `json:"employees,omitempty"`
	Lead         string               `json:"lead,omitempty"`
}

// AssessmentPatch changes an assessment's header; fields left out stay as
// they are. Version is the version the change is based on.
type AssessmentPatch struct {
	Version      int                   `json:"version"`
	Org          *string               `json:"org,omitempty"`
	Scope        *string               `json:"scope,omitempty"`
	Boundaries   *assess.Boundaries    `json:"boundaries,omitempty"`
	Interfaces   *string               `json:"interfaces,omitempty"`
	Exclusions   *[]assess.Exclusion   `json:"exclusions,omitempty"`
	Stakeholders *[]assess.Stakeholder `json:"stakeholders,omitempty"`
	TargetScore  *int                  `json:"target_score,omitempty"`
	Employees    *int                  `json:"employees,omitempty"`
	Lead         *string               `json:"lead,omitempty"`
}

// ItemOut is an item with its place in the figures.
type ItemOut struct {
	assess.Item
	Status assess.ItemStatus `json:"status"`
}

// ItemPatch changes an item; fields left out stay as they are, and
// effort_days null removes the effort override. Version is the version
// the edit is based on: it still applies when nobody changed the fields
// it sets since, and is a 409 with both values otherwise (0: the current
// version, whatever it is).
type ItemPatch struct {
	Version       int       `json:"version"`
	Score         *int      `json:"score,omitempty"`
	Applicable    *bool     `json:"applicable,omitempty"`
	Justification *string   `json:"justification,omitempty"`
	Inclusion     *[]string `json:"inclusion,omitempty"`
	InclusionNote *string   `json:"inclusion_note,omitempty"`
	Department    *string   `json:"department,omitempty"`
	Owner         *string   `json:"owner,omitempty"`
	Priority      *string   `json:"priority,omitempty"`
	TargetDate    *string   `json:"target_date,omitempty"`
	Action        *string   `json:"action,omitempty"`
	EffortDays    *float64  `json:"effort_days,omitempty"`
	Notes         *string   `json:"notes,omitempty"`
}

// NewEvidence is a statement or a link as evidence (files come as
// multipart/form-data with the same fields and a "file" part).
type NewEvidence struct {
	Text string `json:"text,omitempty"`
	URL  string `json:"url,omitempty"`
	// Date is when the evidence was produced, YYYY-MM-DD.
	Date string `json:"date,omitempty"`
}

// EvidenceOut is evidence with the item it backs.
type EvidenceOut struct {
	Ref string `json:"ref"`
	assess.Evidence
}

// Readiness is the figures of an assessment: overall, by clause, by
// theme and by ISO/IEC 27002 attribute.
type Readiness struct {
	Target      int                      `json:"target"`
	Overall     assess.Figures           `json:"overall"`
	Clauses     assess.Figures           `json:"clauses"`
	Controls    assess.Figures           `json:"controls"`
	ByClause    []assess.Group           `json:"by_clause"`
	ByTheme     []assess.Group           `json:"by_theme"`
	ByAttribute []assess.AttributeGroups `json:"by_attribute"`
	Scores      assess.Distribution      `json:"distribution"`
	AuditReady  bool                     `json:"audit_ready"`
}

// Blockers is what stands between an assessment and audit-readiness.
type Blockers struct {
	AuditReady bool             `json:"audit_ready"`
	Blockers   []assess.Blocker `json:"blockers"`
}

// Forecast is the road to certification with every assumption in force.
type Forecast struct {
	Settings []plan.Setting `json:"settings"`
	Forecast plan.Forecast  `json:"forecast"`
}

// Roadmap is the remediation plan.
type Roadmap struct {
	Actions []plan.Action `json:"actions"`
	Phases  []plan.Step   `json:"phases"`
	Steps   []plan.Step   `json:"steps"`
}

// Snapshots lists an assessment's snapshots, oldest first.
type Snapshots struct {
	Snapshots []app.SnapshotSummary `json:"snapshots"`
}

// NewSnapshot names a snapshot to take.
type NewSnapshot struct {
	Name string `json:"name"`
}

// SnapshotOut is a snapshot just taken.
type SnapshotOut struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Members lists an assessment's members.
type Members struct {
	Members []assess.Membership `json:"members"`
}

// MemberPut gives a member (by login) a role.
type MemberPut struct {
	Role        string   `json:"role"`
	Departments []string `json:"departments,omitempty"`
	Refs        []string `json:"refs,omitempty"`
	// Expires ends an auditor's access, YYYY-MM-DD.
	Expires string `json:"expires,omitempty"`
}

// Interview is an interview of one stakeholder.
type Interview struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Department   string    `json:"department"`
	Refs         []string  `json:"refs"`
	Due          string    `json:"due"`
	State        string    `json:"state"`
	ConfirmEmail bool      `json:"confirm_email"`
	Revision     int       `json:"revision"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	SentAt       string    `json:"sent_at"`
	SubmittedAt  string    `json:"submitted_at"`
	LinkExpires  string    `json:"link_expires"`
	Answered     int       `json:"answered"`
	Total        int       `json:"total"`
	Overdue      bool      `json:"overdue"`
	Returned     int       `json:"returned"`
	Accepted     int       `json:"accepted"`
}

// Interviews lists an assessment's interviews.
type Interviews struct {
	Interviews []Interview `json:"interviews"`
}

// InterviewDetail is an interview with its items and answers.
type InterviewDetail struct {
	Interview
	Items []InterviewItem `json:"items"`
}

// InterviewItem is one item of an interview with its answers.
type InterviewItem struct {
	Ref       string              `json:"ref"`
	Title     string              `json:"title"`
	Questions []InterviewQuestion `json:"questions"`
}

// InterviewQuestion is one question and its answer so far.
type InterviewQuestion struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Answer  string `json:"answer"`
	Comment string `json:"comment"`
}

// NewInterview is the body that creates an interview.
type NewInterview struct {
	Name       string `json:"name"`
	Email      string `json:"email,omitempty"`
	Department string `json:"department,omitempty"`
	// Refs are the items to cover; empty takes the department's items.
	Refs []string `json:"refs,omitempty"`
	// Due is the date the answers are due, YYYY-MM-DD.
	Due          string `json:"due,omitempty"`
	ConfirmEmail bool   `json:"confirm_email,omitempty"`
}

// SentInterview is an interview just sent, with its new link (shown
// only here).
type SentInterview struct {
	Interview Interview `json:"interview"`
	Link      string    `json:"link"`
	Mailed    bool      `json:"mailed"`
	MailError string    `json:"mail_error,omitempty"`
}
