package app

import (
	"context"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/interview"
)

// Interviews: each stakeholder answers the questions of their own items,
// by an invitation link, in the web app, or on paper typed in by the
// assessor; isogap suggests a score per item and the assessor accepts,
// adjusts or returns the answers.
//
// Who may do what:
//   - assessors (and site administrators, and the CLI) create, change,
//     send, remind, revoke, review, accept and return; they may also type
//     in answers given on paper and submit for the person;
//   - auditors read interviews;
//   - a member whose account has the interviewee's e-mail address reads
//     and answers that interview in the web app;
//   - an interview principal (Principal.Interview, from InterviewSignIn)
//     reads and answers its own interview and nothing else, while its
//     link is live: not after revoke, expiry or submit, and only from the
//     browser session the link last opened.

// InterviewLinkPath is the path of an invitation link under the site's
// address: the link is BaseURL + InterviewLinkPath + token. The web app
// routes GET InterviewLinkPath+"{token}" to InterviewSignIn.
const InterviewLinkPath = "/interview/"

// DefaultInterviewGrace is how long a link stays usable after the due date
// when the Config does not say.
const DefaultInterviewGrace = 14 * 24 * time.Hour

// DefaultInterviewDays is how long a link lasts (before the grace) when
// the interview has no due date.
const DefaultInterviewDays = 30

// InterviewGrant is an interview principal: the holder of one interview's
// link, signed in to that interview only. Only InterviewSignIn and
// ResolveInterviewSession make one; every use case checks it again against
// the stored interview (state, expiry, bound session) in its transaction.
type InterviewGrant struct {
	AssessmentID string
	InterviewID  int64
	Name, Email  string
	// session is the browser session's token; its hash must still be the
	// one bound to the interview.
	session string
}

// Mailer sends the interview e-mails. The CLI wires it to package mail
// (SMTP, or printing the mail when no server is configured); without one,
// SendInterview and RemindInterviews only return the links.
type Mailer interface {
	SendInterviewMail(ctx context.Context, m InterviewMail) error
}

// InterviewMail is what an invitation or a reminder says.
type InterviewMail struct {
	// Reminder: the interview is under way; say how far the person got.
	Reminder   bool
	Org        string
	Name       string // the interviewee; may be empty
	Email      string
	Department string
	Assessor   string // who sends it
	Link       string
	Due        time.Time // zero: no due date
	Items      int
	Questions  int
	Answered   int
	Today      time.Time // the service's today (reminders say whether it is late)
}

// NewInterview is what creating an interview takes.
type NewInterview struct {
	Name, Email, Department string
	// Refs are the items to cover; empty takes the items whose department
	// is Department. AddRefs and RemoveRefs then change that list.
	Refs, AddRefs, RemoveRefs []string
	Due                       assess.Date
	// ConfirmEmail makes the link ask for the e-mail address on first use.
	ConfirmEmail bool
}

// InterviewPatch changes an interview that is not submitted yet; nil
// fields stay as they are.
type InterviewPatch struct {
	Name, Email, Department *string
	Due                     *assess.Date
	AddRefs, RemoveRefs     []string
	ConfirmEmail            *bool
}

// InterviewSummary is an interview's header with its progress.
type InterviewSummary struct {
	AssessmentID string
	ID           int64
	Name, Email  string
	Department   string
	Refs         []string
	Due          assess.Date
	State        interview.State
	ConfirmEmail bool
	// Revision grows with every change; UpdateInterview checks it.
	Revision    int
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SentAt      time.Time
	SubmittedAt time.Time
	// LinkExpires is when the current link and its sessions end; zero
	// when there is no live link (never sent, or revoked).
	LinkExpires time.Time
	// Answered of Total questions; Overdue: past the due date and not
	// yet submitted; Returned questions wait for a new answer; Accepted
	// items have a decision.
	Answered, Total int
	Overdue         bool
	Returned        int
	Accepted        int
}

// InterviewView is one interview with its items and answers: the page the
// interviewee answers on, and the assessor's review.
type InterviewView struct {
	InterviewSummary
	Org string
	// ForInterviewee: the view of the person answering; Current is nil.
	ForInterviewee bool
	Items          []InterviewItem
}

// InterviewItem is one item of an interview.
type InterviewItem struct {
	Ref, Title, Summary string
	// EvidenceHints is the typical evidence to bring, from the catalog.
	EvidenceHints []string
	Questions     []InterviewQuestion
	// Suggestion is interview.Suggest on the answers, with its reasons.
	Suggestion interview.Suggestion
	// Current is the item as it stands in the assessment (its score,
	// version and evidence); nil in the interviewee's view.
	Current *assess.Item
	// Decision is the assessor's, once the item was accepted.
	Decision *assess.InterviewDecision
}

// InterviewQuestion is one question with its answer.
type InterviewQuestion struct {
	ID, Text string
	Answer   interview.Kind
	Comment  string
	By       string
	At       time.Time
	// Revision of the answer: send it back with AnswerInput.BaseRevision.
	Revision int
	Evidence []assess.InterviewEvidence
	// Notes are the assessor's, oldest first; Returned: the last note is
	// newer than the answer, so the interviewee should answer again.
	Notes    []assess.InterviewNote
	Returned bool
}

// AnswerInput is one saved answer.
type AnswerInput struct {
	QuestionID string
	Kind       interview.Kind
	Comment    string
	// BaseRevision is the answer's revision the person saw (0: it was not
	// answered); an answer changed since is a conflict.
	BaseRevision int
}

// SentInterview is the outcome of sending one invitation or reminder.
type SentInterview struct {
	Interview InterviewSummary
	// Link is the new invitation link (its token is shown only here).
	Link string
	// Mailed: the Mailer took the mail; MailError says why not.
	Mailed    bool
	MailError error
}

// AcceptInput is the assessor's decision on one item of a submitted
// interview.
type AcceptInput struct {
	Ref string
	// Score to write; 0 takes the suggestion.
	Score assess.Score
	// BaseVersion is the item's version the assessor reviewed (0: the
	// current one); the score is written through the item's own save
	// rules, so a score changed meanwhile is a conflict.
	BaseVersion int
	// AttachEvidence copies the answers' evidence to the item.
	AttachEvidence bool
}

// ReturnInput sends one question back to the interviewee with a note.
type ReturnInput struct {
	QuestionID string
	Note       string
}

// errPending marks a use case whose body is still to come.
var errPending = assess.Errorf(assess.KindInternal, "interviews: not implemented yet")

// CreateInterview starts an interview (state draft) for p, an assessor.
func (s *Service) CreateInterview(ctx context.Context, p Principal, aid string, in NewInterview) (InterviewSummary, error) {
	return InterviewSummary{}, errPending
}

// Interviews lists an assessment's interviews with their progress, for
// assessors and auditors.
func (s *Service) Interviews(ctx context.Context, p Principal, aid string) ([]InterviewSummary, error) {
	return nil, errPending
}

// Interview returns one interview with its items, answers, evidence and
// suggested scores: the interviewee's page (for its interview principal or
// the member with its e-mail address) and the assessor's review (with each
// item's current state).
func (s *Service) Interview(ctx context.Context, p Principal, aid string, iid int64) (InterviewView, error) {
	return InterviewView{}, errPending
}

// UpdateInterview changes an interview not yet submitted, for an assessor,
// if its revision is still baseRevision (0: the current one).
func (s *Service) UpdateInterview(ctx context.Context, p Principal, aid string, iid int64, baseRevision int, patch InterviewPatch) (InterviewSummary, error) {
	return InterviewSummary{}, errPending
}

// SendInterview makes a new invitation link (the previous one stops
// working) and mails it through the Mailer. baseURL is the site's address
// ("https://isogap.example.com"). A draft becomes sent; an interview under
// way keeps its state (a resend).
func (s *Service) SendInterview(ctx context.Context, p Principal, aid string, iid int64, baseURL string) (SentInterview, error) {
	return SentInterview{}, errPending
}

// RemindInterviews sends a reminder with a new link to every interview of
// the assessment that was sent and not submitted.
func (s *Service) RemindInterviews(ctx context.Context, p Principal, aid, baseURL string) ([]SentInterview, error) {
	return nil, errPending
}

// RevokeInterview withdraws an interview: its link and sessions stop at once.
func (s *Service) RevokeInterview(ctx context.Context, p Principal, aid string, iid int64) (InterviewSummary, error) {
	return InterviewSummary{}, errPending
}

// AnswerQuestion saves one answer (progress is kept on every answer) and
// records it in the item's history under the answering person's name.
func (s *Service) AnswerQuestion(ctx context.Context, p Principal, aid string, iid int64, in AnswerInput) (InterviewQuestion, error) {
	return InterviewQuestion{}, errPending
}

// AddInterviewEvidence attaches evidence (text, link or file, with the
// same limits and checks as item evidence) to one question's answer.
func (s *Service) AddInterviewEvidence(ctx context.Context, p Principal, aid string, iid int64, questionID string, in NewEvidence) (assess.InterviewEvidence, error) {
	return assess.InterviewEvidence{}, errPending
}

// InterviewEvidenceFile returns a file given with an answer, to those who
// may read the interview.
func (s *Service) InterviewEvidenceFile(ctx context.Context, p Principal, aid string, iid, evidenceID int64) (assess.InterviewEvidence, []byte, error) {
	return assess.InterviewEvidence{}, nil, errPending
}

// SubmitInterview hands the answers in; every question needs an answer.
func (s *Service) SubmitInterview(ctx context.Context, p Principal, aid string, iid int64) (InterviewSummary, error) {
	return InterviewSummary{}, errPending
}

// AcceptInterviewItem writes an item's score from a submitted interview
// (and copies the answers' evidence to it) through the same save path as
// every item edit: versions, field conflicts, history. Once every item is
// accepted the interview is reviewed.
func (s *Service) AcceptInterviewItem(ctx context.Context, p Principal, aid string, iid int64, in AcceptInput) (assess.Item, error) {
	return assess.Item{}, errPending
}

// ReturnQuestions sends questions of a submitted interview back to the
// interviewee with a note each; the interview is in progress again and
// the same link (or session) opens it.
func (s *Service) ReturnQuestions(ctx context.Context, p Principal, aid string, iid int64, notes []ReturnInput) (InterviewSummary, error) {
	return InterviewSummary{}, errPending
}

// InterviewSignIn opens an invitation link: it returns a new session token
// (for a cookie) and the interview principal. The session is bound to the
// interview; a later sign-in with the link (another browser) replaces it.
// When the interview asks for it, email must be the interviewee's address.
func (s *Service) InterviewSignIn(ctx context.Context, linkToken, email string) (string, Principal, error) {
	return "", Principal{}, errPending
}

// ResolveInterviewSession finds the interview principal of a session token.
func (s *Service) ResolveInterviewSession(ctx context.Context, session string) (Principal, error) {
	return Principal{}, errPending
}

// InterviewSignOut ends an interview principal's session.
func (s *Service) InterviewSignOut(ctx context.Context, p Principal) error {
	return errPending
}
