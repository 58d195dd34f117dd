package web

import (
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/interview"
)

// PackInput is what the web app asks an interview guide (PDF) to be
// written from. Its fields are those of report.PackInput, in the same
// order, so the wiring converts one into the other; the web app does not
// import the report package itself.
type PackInput struct {
	Catalog     *catalog.Catalog
	Assessment  assess.Assessment
	Interviewee assess.Stakeholder
	Department  string
	Due         assess.Date
	Items       []assess.Item
	Assessor    string
	Date        time.Time
}

// interviewsPage lists an assessment's interviews, with the form that
// starts one.
type interviewsPage struct {
	Base
	Interviews []app.InterviewSummary
	Overdue    int
	// Manage: the principal is an assessor (auditors read).
	Manage bool
	// Pack: the web app can print interview guides.
	Pack bool
	Form interviewForm
	// People are the assessment's stakeholders to pick from; Departments
	// those with items.
	People      []assess.Stakeholder
	Departments []string
	Errors      formErrors
	// Sent is the outcome of a send or a reminder: the links are shown
	// only here, never in a URL.
	Sent []app.SentInterview
}

// interviewForm is the create form as typed.
type interviewForm struct {
	Person, Name, Email, Department string
	Add, Remove, Due                string
	ConfirmEmail                    bool
}

// reviewPage is one interview for the assessor: per item the current
// score beside the answers and the suggested score.
type reviewPage struct {
	Base
	IV     app.InterviewView
	Manage bool
	Pack   bool
	// CanAccept: the interview is submitted, so answers can be accepted
	// and questions returned.
	CanAccept bool
	Items     []reviewItem
	Errors    formErrors
	Conflict  *conflictView
	// Answer is where the assessor types in answers given on paper.
	Answer string
}

type reviewItem struct {
	app.InterviewItem
	Cat catalog.Item
	// Suggested is the suggestion's score, 0 for none.
	Suggested int
}

// answerPage is one screen of the interviewee's interview: the start, one
// item, or the closing step with the submit button.
type answerPage struct {
	Base
	IV app.InterviewView
	// Root is where this interview's pages live: "/interview" for a link,
	// the assessment's interview page for a signed-in member.
	Root string
	// Screen is "start", "item" or "end".
	Screen string
	Levels []scoreLevel
	Kinds  []interview.Kind
	// Item is the item of an "item" screen, N its number (from 1).
	Item       app.InterviewItem
	N          int
	Prev, Next string
	// Unanswered lists the questions without an answer (end screen);
	// Resume is the first item with a question to answer.
	Unanswered []questionLink
	Resume     string
	Errors     formErrors
	// Conflicts are the questions answered meanwhile elsewhere: the page
	// shows the stored answer; the person's is in Tried.
	Conflicts map[string]string
	// Was and WasComment are the stored answers the screen was opened
	// with, by question: only answers that differ from them are saved.
	Was, WasComment map[string]string
	MaxUpload       string
	Saved           bool
}

// linkPage is a page of the link flow outside an interview: the e-mail
// confirmation, or why the link does not open.
type linkPage struct {
	Base
	Confirm bool
	Email   string
	Errors  formErrors
	Message string
}

// questionLink names a question and the item screen it is on.
type questionLink struct{ ID, Ref string }
