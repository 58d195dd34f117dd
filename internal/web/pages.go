package web

import (
	"html/template"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/compare"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
	"github.com/isogap/isogap/internal/soa"
)

// Base is what the layout needs; every page struct embeds it.
type Base struct {
	Title string
	// Home is where the header's name leads ("/" when empty): an
	// interviewee's link pages lead back to their interview.
	Home   string
	User   *assess.User
	Notice string
	Path   string
	// Set inside an assessment: its header, the principal's access and
	// the active tab.
	A   *assess.Assessment
	Acc app.Access
	Tab string
}

func (b *Base) base() *Base { return b }

// formErrors are the problems of a submitted form, by field.
type formErrors struct {
	List []assess.FieldError
}

// For returns the messages for a field ("" if none).
func (e formErrors) For(field string) string {
	var out string
	for _, f := range e.List {
		if f.Where == field {
			if out != "" {
				out += "; "
			}
			out += f.Problem
			if f.Expected != "" {
				out += " (expected " + f.Expected + ")"
			}
		}
	}
	return out
}

// Any reports whether there are problems.
func (e formErrors) Any() bool { return len(e.List) > 0 }

type errorPage struct {
	Base
	Status  int
	Kind    string
	Message string
}

type setupPage struct {
	Base
	Login, Name, Email string
	Errors             formErrors
}

type loginPage struct {
	Base
	Login, Next string
	Error       string
	// SSO are the enabled single sign-on providers' buttons; PasswordOff
	// hides the password form on a site that turned it off.
	SSO         []app.SSOButton
	PasswordOff bool
}

type portfolioPage struct {
	Base
	Entries     []app.PortfolioEntry // this page's
	MayCreate   bool
	Invitations int
	// Query filters by organisation; Total is how many match it, All how
	// many the principal may see, AuditReady how many of those match.
	Query             string
	Total, All, Ready int
	Page, Pages       int
	Prev, Next        string // links to the neighbouring pages ("" at the ends)
}

type invitationsPage struct {
	Base
	Invitations []app.Invitation
}

type scopePage struct {
	Base
	New        bool
	Form       assess.Assessment
	Exclusions []assess.Exclusion // the existing ones plus blank rows
	Errors     formErrors
	// For a new assessment: the catalogs to start from, the chosen one's
	// key, and whether p may start assessments (and so see the catalogs).
	Catalogs  []catalogChoice
	Catalog   string
	MayCreate bool
}

type stakeholdersPage struct {
	Base
	Rows        []assess.Stakeholder // the existing ones plus blank rows
	Departments []string
	// Uncovered are departments that own items but have no stakeholder.
	Uncovered []string
	Unowned   int
	Errors    formErrors
}

// matrixRow is one row of the matrix. The page has 123 of them, so what
// every row repeats is worked out once in Go (see rowHTML), not in the
// template.
type matrixRow struct {
	Item     assess.Item
	Cat      catalog.Item
	Status   assess.ItemStatus
	Editable bool
	Overdue  bool
	// Edit: editable and applicable, so the row has inputs.
	Edit bool
	// Ref, and Form (the id of the row's form). The row's links and its
	// form's action are relative to the matrix page.
	Ref, Form string
	Class     string
	Question  string
	More      int
	// ScoreOptions and PriorityOptions are the selects' options with the
	// item's value selected.
	ScoreOptions, PriorityOptions template.HTML
	// WasScore is the score the row was rendered with ("" if none).
	WasScore string
	// Return brings the row's form back to the filtered matrix.
	Return string
	Error  string
}

type option struct{ Value, Label string }

type matrixPage struct {
	Base
	Rows         []matrixRow
	Filter       matrixFilter
	Sections     []option
	Departments  []string
	Owners       []string
	Attributes   []option
	Shown, Total int
	Return       string
}

type scoreLevel struct {
	Score   assess.Score
	Label   string
	Meaning string
}

// fieldDiff is one field of a conflict: the stored value and the one the
// person tried to save. By names who saved the stored value since the
// person opened the form; Unchanged says nobody did.
type fieldDiff struct {
	Field, Theirs, Mine string
	By                  string
	Unchanged           bool
}

type conflictView struct {
	// Ref is the item's.
	Ref     string
	By      string
	At      string
	Version int
	Diffs   []fieldDiff
}

type itemPage struct {
	Base
	Cat     catalog.Item
	Form    assess.Item
	Stored  assess.Item
	Status  assess.ItemStatus
	Version int
	// WasInclusion is the stored inclusion reasons, sorted and joined, as
	// the form compares them.
	WasInclusion string
	// Editable: the principal may edit this item; Scoping: also its
	// applicability and department (assessors).
	Editable, Scoping bool
	CanDownload       bool
	Conflict          *conflictView
	Errors            formErrors
	EvidenceErrors    formErrors
	History           []assess.Change
	Departments       []string
	People            []string
	Levels            []scoreLevel
	MaxUpload         string
	Prev, Next        string
	Target            int
}

type actionRow struct {
	Ref, Title, Owner, Action string
	Priority                  assess.Priority
	Score                     assess.Score
	Due                       assess.Date
	Days                      int
}

type dashboardPage struct {
	Base
	R                               assess.Result
	ClausesSVG, ThemesSVG, DistSVG  template.HTML
	TimelineSVG                     template.HTML
	Blockers                        []assess.Blocker
	MoreBlockers                    int
	Flagged                         []string
	Overdue, Upcoming               []actionRow
	Timeline                        []assess.TimePoint
	NeedsStakeholders, NeedsScoring bool
	// Forecast is the road to certification; ReportURL the PDF report's
	// download when that format is offered.
	Forecast  plan.Forecast
	ReportURL string
	Reports   []downloadRow
	// Interviews are the overdue ones, for those who may list interviews.
	Interviews []app.InterviewSummary
	// Mine are the interviews waiting for the signed-in member's answers.
	Mine []app.InterviewSummary
	// Builtin is set for the ISO/IEC 27001 catalog, whose control groups
	// are Annex A's themes.
	Builtin bool
}

type soaPage struct {
	Base
	Statement soa.Statement
	Downloads []downloadRow
}

type historyPage struct {
	Base
	Changes []assess.Change
	Ref     string
	// Newer and Older link to the next page of changes each way (keyset
	// on the change id, the other parameters kept); empty at either end.
	Newer, Older string
	// Paged is true off the first page, which Newest links back to.
	Paged    bool
	Newest   string
	PageSize int
	// For the whole assessment: readiness over time, the snapshots
	// (newest first) and a comparison of two states.
	TimelineSVG template.HTML
	Snapshots   []app.SnapshotSummary
	CanSnapshot bool
	// SnapName and SnapErrors are a snapshot form that was not saved.
	SnapName   string
	SnapErrors formErrors
	// Choices are the states that can be compared: "ID", "ID@NAME".
	Choices      []option
	From, To     string
	Comparison   *comparisonView
	CompareError string
}

type changeCount struct {
	Change string
	N      int
}

// comparisonView is a comparison as the history page shows it.
type comparisonView struct {
	compare.Result
	FromLabel, ToLabel string
	Counts             []changeCount
	// Items are the changed items, or all of them with All.
	Items  []compare.Item
	All    bool
	AllURL string
}

// assumptionField is one assumption in the forecast's form.
type assumptionField struct {
	Key, Label, Unit, Description string
	// ID is the input's id, Field its name.
	ID, Field string
	// Value is in the field; Was is the stored value the form was opened
	// on; Default is isogap's.
	Value, Was, Default string
	// Set: stored for this assessment (otherwise isogap's default);
	// ResetTo says what resetting it returns to.
	Set     bool
	ResetTo string
	Error   string
}

type assumptionGroup struct {
	Name   string
	Fields []assumptionField
}

// capacityRow is one owner's or department's capacity and share of the work.
type capacityRow struct {
	assumptionField
	Resource plan.Resource
	// Working: they have actions in the plan.
	Working bool
}

type stepRow struct {
	Name          string
	Start, Finish assess.Date
	Weeks         float64
}

type forecastPage struct {
	Base
	F        plan.Forecast
	Steps    []stepRow
	Groups   []assumptionGroup
	Capacity []capacityRow
	// ByDepartment: capacity is per department, not per owner.
	ByDepartment                   bool
	RemediationCost, OperatingCost float64
	// Version is the stored assumptions' version the form is based on.
	Version   int
	UpdatedBy string
	UpdatedAt time.Time
	Editable  bool
	Errors    formErrors
	Conflict  *conflictView
	// Preview: the figures use the values tried (Tried), nothing is
	// saved; Saved is the forecast on the stored assumptions.
	Preview   bool
	Tried     []fieldDiff
	Saved     plan.Forecast
	Downloads []downloadRow
}

type roadmapPage struct {
	Base
	F plan.Forecast
	// By is whose capacity the schedule follows; Stored the assumption's.
	By, Stored                  string
	ByOwnerURL, ByDepartmentURL string
	Chart                       template.HTML
	Actions                     []plan.Action
	Filter                      roadmapFilter
	Phases, Resources           []string
	Shown, Total                int
	Downloads                   []downloadRow
}

type heatCell struct {
	Impact, Count int
	Level         string
}

type heatRow struct {
	Likelihood int
	Cells      []heatCell
}

type risksPage struct {
	Base
	Reg    risk.Register
	Chart  template.HTML
	Matrix []heatRow
	Risks  []risk.Risk
	// Filters: level, likelihood (L) and impact (I), 0 for any; Sort an order of Sorts.
	Level        string
	L, I         int
	Sort         string
	Sorts        []option
	Levels       []string
	Shown, Total int
	Downloads    []downloadRow
}

type downloadRow struct {
	Name, Label, Description, Ext string
	Allowed                       bool
}

type downloadsPage struct {
	Base
	Formats []downloadRow
}

type membersPage struct {
	Base
	Members     []assess.Membership
	Departments []string
	Form        app.MemberInput
	Errors      formErrors
}

type usersPage struct {
	Base
	Users []assess.User
	// Factors counts each account's second factors, by user id.
	Factors map[int64]int
	Form    app.NewUser
	Errors  formErrors
	// Created shows a generated password once.
	CreatedLogin, CreatedPassword string
}

type userPage struct {
	Base
	U assess.User
	// Factors is how many second factors the account has.
	Factors  int
	Errors   formErrors
	Security securityEvents
}

// securityEvents is a page of an account's security history.
type securityEvents struct {
	Events []assess.SecurityEvent
	// Older links to the page before, when there may be one.
	Older string
}

// sitePage is the administrators' page of the site's sign-in rules.
type sitePage struct {
	Base
	Settings app.SiteSettings
	Errors   formErrors
}

type accountPage struct {
	Base
	Memberships []assess.Membership
	Errors      formErrors
	// Tokens are the person's access tokens; NewToken is one just made,
	// with its secret, shown on this answer only.
	Tokens      []tokenRow
	NewToken    *app.CreatedToken
	TokenErrors formErrors
	TokenForm   tokenForm
	APIBase     string
	Security    securityEvents
	// SSO is the single sign-on part; SSOError a refused link, in words.
	SSO      ssoSection
	SSOError string
}

// tokenRow is an access token as the account page lists it.
type tokenRow struct {
	assess.APIToken
	Status string // "active", "expired" or "revoked"
}

// tokenForm is what the new-token form was sent with.
type tokenForm struct {
	Name     string
	Days     int
	ReadOnly bool
}
