package web

import (
	"html/template"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/soa"
)

// Base is what the layout needs; every page struct embeds it.
type Base struct {
	Title  string
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
}

type portfolioPage struct {
	Base
	Entries []app.PortfolioEntry
}

type scopePage struct {
	Base
	New        bool
	Form       assess.Assessment
	Exclusions []assess.Exclusion // the existing ones plus blank rows
	Errors     formErrors
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
	// Ref, Href (the item page), Post (the row's form action) and Form (its id).
	Ref, Href, Post, Form string
	Class                 string
	Question              string
	More                  int
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
// person tried to save.
type fieldDiff struct {
	Field, Theirs, Mine string
}

type conflictView struct {
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
}

type soaPage struct {
	Base
	Statement soa.Statement
}

type historyPage struct {
	Base
	Changes []assess.Change
	Ref     string
	Limit   int
	More    bool
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
	Users  []assess.User
	Form   app.NewUser
	Errors formErrors
	// Created shows a generated password once.
	CreatedLogin, CreatedPassword string
}

type userPage struct {
	Base
	U      assess.User
	Errors formErrors
}

type accountPage struct {
	Base
	Memberships []assess.Membership
	Errors      formErrors
}
