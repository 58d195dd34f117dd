package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/interview"
	"github.com/isogap/isogap/internal/store"
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

// ivRole is what a principal may do with one interview.
type ivRole int

const (
	ivReader   ivRole = iota + 1 // auditors: read
	ivAnswerer                   // the interviewee (link or account): read its items, answer
	ivAssessor                   // everything, answering on paper's behalf included
)

// ivCtx is one interview opened for a principal inside a transaction.
type ivCtx struct {
	t    *Service
	iv   assess.Interview
	role ivRole
	acc  Access // for account principals
	cat  *catalog.Catalog
	a    assess.Assessment
}

// openInterview finds interview iid of aid and what p may do with it, on
// the store of the transaction it is asked in. An interview principal
// reaches its own interview only, while its session is the bound one, and
// only while the interview can be answered.
func (s *Service) openInterview(ctx context.Context, p Principal, aid string, iid int64) (ivCtx, error) {
	c := ivCtx{t: s}
	notFound := assess.Errorf(assess.KindNotFound, "interview %d of assessment %q not found", iid, aid)
	if g := p.Interview; g != nil {
		if g.AssessmentID != aid || g.InterviewID != iid {
			return c, notFound
		}
		iv, err := s.store.Interview(ctx, aid, iid)
		if assess.KindOf(err) == assess.KindNotFound {
			return c, notFound
		}
		if err != nil {
			return c, err
		}
		if err := s.checkGrant(iv, g.session); err != nil {
			return c, err
		}
		c.iv, c.role = iv, ivAnswerer
	} else {
		acc, err := s.access(ctx, s.store, p, aid)
		if err != nil {
			return c, err
		}
		iv, err := s.store.Interview(ctx, aid, iid)
		if err != nil {
			return c, err
		}
		c.iv, c.acc = iv, acc
		switch {
		case acc.CanEditAssessment():
			c.role = ivAssessor
		case acc.Role == assess.RoleAuditor:
			c.role = ivReader
		case iv.Email != "" && strings.EqualFold(strings.TrimSpace(acc.user.Email), iv.Email):
			c.role = ivAnswerer
		default:
			return c, forbidden("interview %d is %s's: only the assessors, the auditors and the interviewee see it", iid, orNone(iv.Name))
		}
	}
	var err error
	if c.a, err = s.store.GetAssessment(ctx, aid); err != nil {
		return c, err
	}
	c.cat, err = s.CatalogOf(ctx, c.a)
	return c, err
}

// checkGrant refuses an interview session that is no longer the bound one,
// has expired, or whose interview cannot be answered any more.
func (s *Service) checkGrant(iv assess.Interview, session string) error {
	if iv.SessionHash == "" || session == "" || TokenHash(session) != iv.SessionHash {
		return assess.Errorf(assess.KindUnauthenticated,
			"this interview was opened in another browser since, or withdrawn: open the link from your invitation again")
	}
	st := interview.State(iv.State)
	switch {
	case st == interview.Revoked:
		return forbidden("this interview was withdrawn by the assessor")
	case st == interview.Submitted || st == interview.Reviewed:
		return forbidden("your answers were sent in on %s: thank you. The assessor will contact you if a question needs another look",
			iv.SubmittedAt.Format("2 January 2006"))
	case !s.now().Before(iv.TokenExpires):
		return forbidden("this interview link expired on %s: ask the assessor for a new one", iv.TokenExpires.Format("2 January 2006"))
	}
	return nil
}

// interviewTx runs fn on interview iid in one transaction (holding the
// assessment's lock when write is set), once p is known to reach it.
func (s *Service) interviewTx(ctx context.Context, p Principal, aid string, iid int64, write bool, fn func(c ivCtx) error) error {
	if p.Interview == nil {
		if err := requireSignedIn(p); err != nil {
			return err
		}
	}
	run := func(st store.Store) error {
		if write {
			if err := requireWriter(p); err != nil {
				return err
			}
			if err := st.LockAssessment(ctx, aid); err != nil {
				if assess.KindOf(err) == assess.KindNotFound && p.Interview != nil {
					return assess.Errorf(assess.KindNotFound, "interview %d of assessment %q not found", iid, aid)
				}
				return err
			}
		}
		c, err := s.in(st).openInterview(ctx, p, aid, iid)
		if err != nil {
			return err
		}
		return fn(c)
	}
	if write {
		return s.store.InTx(ctx, run)
	}
	return s.store.ReadTx(ctx, run)
}

func (c ivCtx) need(r ivRole, what string) error {
	if c.role >= r {
		return nil
	}
	if r == ivAssessor {
		return forbidden("only the assessment's assessors can %s", what)
	}
	return forbidden("your role (auditor) reads interviews; it cannot %s", what)
}

// move applies an event to the interview's state, or says why it cannot.
func (c *ivCtx) move(ev interview.Event) error {
	next, err := interview.Next(interview.State(c.iv.State), ev)
	if err != nil {
		return assess.Errorf(assess.KindConflict, "interview %d: %v", c.iv.ID, err)
	}
	c.iv.State = string(next)
	return nil
}

// question finds a question of the interview's items.
func (c ivCtx) question(qid string) (catalog.Item, catalog.Question, error) {
	qid = strings.TrimSpace(qid)
	for _, ref := range c.iv.Refs {
		ci, ok := c.cat.Item(ref)
		if !ok {
			continue
		}
		for _, q := range ci.Questions {
			if q.ID == qid {
				return ci, q, nil
			}
		}
	}
	e := &assess.FieldErrors{}
	e.Add("question", assess.Shown(qid), "not a question of this interview", "a question id of its items, such as "+c.firstQuestion())
	return catalog.Item{}, catalog.Question{}, e
}

func (c ivCtx) firstQuestion() string {
	for _, ref := range c.iv.Refs {
		if ci, ok := c.cat.Item(ref); ok && len(ci.Questions) > 0 {
			return ci.Questions[0].ID
		}
	}
	return `"A.5.15#1"`
}

// answers returns the interview's answers to one catalog item, one per
// question, with whether each has evidence.
func answersTo(iv assess.Interview, ci catalog.Item) []interview.Answer {
	var given []interview.Answer
	withEvidence := map[string]bool{}
	for _, ev := range iv.Evidence {
		withEvidence[ev.QuestionID] = true
	}
	for _, a := range iv.Answers {
		if a.Ref == ci.Ref {
			given = append(given, interview.Answer{QuestionID: a.QuestionID, Kind: interview.Kind(a.Kind), Comment: a.Comment, Evidence: withEvidence[a.QuestionID]})
		}
	}
	return interview.Collect(ci, given)
}

// summary is an interview's header with its progress.
func (s *Service) summary(cat *catalog.Catalog, iv assess.Interview) InterviewSummary {
	sum := InterviewSummary{AssessmentID: iv.AssessmentID, ID: iv.ID, Name: iv.Name, Email: iv.Email, Department: iv.Department,
		Refs: iv.Refs, Due: iv.Due, State: interview.State(iv.State), ConfirmEmail: iv.ConfirmEmail, Revision: iv.Revision,
		CreatedBy: iv.CreatedBy, CreatedAt: iv.CreatedAt, UpdatedAt: iv.UpdatedAt, SentAt: iv.SentAt, SubmittedAt: iv.SubmittedAt,
		Accepted: len(iv.Decisions)}
	if iv.TokenHash != "" || iv.SessionHash != "" {
		sum.LinkExpires = iv.TokenExpires
	}
	for _, ref := range iv.Refs {
		ci, ok := cat.Item(ref)
		if !ok {
			continue
		}
		for _, q := range questionsOf(iv, ci) {
			sum.Total++
			if q.Answer != interview.Unanswered {
				sum.Answered++
			}
			if q.Returned {
				sum.Returned++
			}
		}
	}
	sum.Overdue = !iv.Due.IsZero() && iv.Due.Before(assess.DateOf(s.now())) && sum.State.Answerable()
	return sum
}

// questionsOf lines up an item's questions with the interview's answers,
// evidence and notes.
func questionsOf(iv assess.Interview, ci catalog.Item) []InterviewQuestion {
	out := make([]InterviewQuestion, len(ci.Questions))
	for i, q := range ci.Questions {
		iq := InterviewQuestion{ID: q.ID, Text: q.Text}
		for _, a := range iv.Answers {
			if a.QuestionID == q.ID {
				iq.Answer, iq.Comment, iq.By, iq.At, iq.Revision = interview.Kind(a.Kind), a.Comment, a.By, a.At, a.Revision
			}
		}
		for _, ev := range iv.Evidence {
			if ev.QuestionID == q.ID {
				iq.Evidence = append(iq.Evidence, ev)
			}
		}
		for _, n := range iv.Notes {
			if n.QuestionID == q.ID {
				iq.Notes = append(iq.Notes, n)
			}
		}
		if n := len(iq.Notes); n > 0 && !iq.Notes[n-1].At.Before(iq.At) {
			iq.Returned = true
		}
		out[i] = iq
	}
	return out
}

// CreateInterview starts an interview (state draft) for p, an assessor.
func (s *Service) CreateInterview(ctx context.Context, p Principal, aid string, in NewInterview) (InterviewSummary, error) {
	var out InterviewSummary
	err := s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		if err := need(acc.CanEditAssessment(), "only the assessment's assessors can start interviews"); err != nil {
			return err
		}
		cat, items, err := t.catalogAndItems(ctx, aid)
		if err != nil {
			return err
		}
		iv := assess.Interview{AssessmentID: aid, State: string(interview.Draft), CreatedBy: p.Name(),
			Due: in.Due, ConfirmEmail: in.ConfirmEmail}
		errs := &assess.FieldErrors{Context: "interview"}
		t.setPerson(errs, &iv, in.Name, in.Email, in.Department)
		refs := in.Refs
		if len(refs) == 0 {
			for _, it := range items {
				if iv.Department != "" && strings.EqualFold(strings.TrimSpace(it.Department), iv.Department) {
					refs = append(refs, it.Ref)
				}
			}
		}
		iv.Refs = interviewRefs(errs, cat, items, refs, in.AddRefs, in.RemoveRefs)
		if !in.Due.IsZero() && in.Due.Before(assess.DateOf(t.now())) {
			errs.Add("due", in.Due.String(), "the due date has passed", "today or a later date")
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if iv, err = t.store.CreateInterview(ctx, iv); err != nil {
			return err
		}
		out = t.summary(cat, iv)
		return nil
	})
	return out, err
}

// setPerson checks and sets who is interviewed.
func (s *Service) setPerson(errs *assess.FieldErrors, iv *assess.Interview, name, email, dept string) {
	iv.Name, iv.Email, iv.Department = strings.TrimSpace(name), strings.TrimSpace(email), strings.TrimSpace(dept)
	if assess.CheckShort(errs, "name", iv.Name) && iv.Name == "" {
		errs.Add("name", "", "the interviewee's name is required", `a name such as "Jana Novak"`)
	}
	if assess.CheckShort(errs, "email", iv.Email) {
		if a, err := mail.ParseAddress(iv.Email); err != nil || a.Address != iv.Email {
			errs.Add("email", assess.Shown(iv.Email), "not an e-mail address", "name@example.com")
		}
	}
	assess.CheckShort(errs, "department", iv.Department)
}

// interviewRefs resolves, adds and removes refs and returns them in
// catalog order; an empty result is an error.
func interviewRefs(errs *assess.FieldErrors, cat *catalog.Catalog, items []assess.Item, refs, add, remove []string) []string {
	want := map[string]bool{}
	resolve := func(list []string, on bool) {
		for _, r := range list {
			if strings.TrimSpace(r) == "" {
				continue
			}
			ref, ok := cat.LookupRef(r)
			if !ok {
				errs.Add("refs", assess.Shown(r), "unknown ref", `a ref of catalog `+cat.ID+` such as "7.2" or "A.6.3"`)
				continue
			}
			want[ref] = on
		}
	}
	resolve(refs, true)
	resolve(add, true)
	resolve(remove, false)
	var out []string
	for _, it := range items {
		if want[it.Ref] {
			out = append(out, it.Ref)
		}
	}
	if len(out) == 0 && len(errs.List) == 0 {
		errs.Add("refs", "", "the interview covers no items", "a department with items, or refs such as 7.2, A.6.3")
	}
	return out
}

func (s *Service) catalogAndItems(ctx context.Context, aid string) (*catalog.Catalog, []assess.Item, error) {
	a, err := s.store.GetAssessment(ctx, aid)
	if err != nil {
		return nil, nil, err
	}
	cat, err := s.CatalogOf(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	items, err := s.store.ListItems(ctx, aid)
	return cat, items, err
}

// Interviews lists an assessment's interviews with their progress, for
// assessors and auditors.
func (s *Service) Interviews(ctx context.Context, p Principal, aid string) ([]InterviewSummary, error) {
	var out []InterviewSummary
	err := s.reading(ctx, p, aid, func(t *Service, acc Access) error {
		if err := need(acc.CanEditAssessment() || acc.Role == assess.RoleAuditor, "interviews are listed for the assessors and auditors"); err != nil {
			return err
		}
		a, err := t.store.GetAssessment(ctx, aid)
		if err != nil {
			return err
		}
		cat, err := t.CatalogOf(ctx, a)
		if err != nil {
			return err
		}
		ivs, err := t.store.Interviews(ctx, aid)
		for _, iv := range ivs {
			out = append(out, t.summary(cat, iv))
		}
		return err
	})
	return out, err
}

// MyInterviews lists the interviews of assessment aid addressed to the
// signed-in member's own e-mail address that can still be answered: how a
// stakeholder with an account finds the questions waiting for them. Other
// people's interviews stay out of sight, whatever the member's role.
func (s *Service) MyInterviews(ctx context.Context, p Principal, aid string) ([]InterviewSummary, error) {
	var out []InterviewSummary
	err := s.reading(ctx, p, aid, func(t *Service, acc Access) error {
		email := strings.TrimSpace(acc.user.Email)
		if email == "" {
			return nil
		}
		ivs, err := t.store.Interviews(ctx, aid)
		if err != nil {
			return err
		}
		var cat *catalog.Catalog
		for _, iv := range ivs {
			if !strings.EqualFold(iv.Email, email) || !interview.State(iv.State).Answerable() {
				continue
			}
			if cat == nil {
				a, err := t.store.GetAssessment(ctx, aid)
				if err != nil {
					return err
				}
				if cat, err = t.CatalogOf(ctx, a); err != nil {
					return err
				}
			}
			out = append(out, t.summary(cat, iv))
		}
		return nil
	})
	return out, err
}

// Interview returns one interview with its items, answers, evidence and
// suggested scores: the interviewee's page (for its interview principal or
// the member with its e-mail address) and the assessor's review (with each
// item's current state).
func (s *Service) Interview(ctx context.Context, p Principal, aid string, iid int64) (InterviewView, error) {
	var out InterviewView
	err := s.interviewTx(ctx, p, aid, iid, false, func(c ivCtx) error {
		out = InterviewView{InterviewSummary: c.t.summary(c.cat, c.iv), Org: c.a.Org, ForInterviewee: c.role == ivAnswerer}
		for _, ref := range c.iv.Refs {
			ci, ok := c.cat.Item(ref)
			if !ok {
				continue
			}
			item := InterviewItem{Ref: ci.Ref, Title: ci.Title, Summary: ci.Summary, EvidenceHints: ci.Evidence, Questions: questionsOf(c.iv, ci)}
			if !out.ForInterviewee {
				item.Suggestion = interview.Suggest(answersTo(c.iv, ci))
				cur, err := c.t.store.GetItem(ctx, aid, ref)
				if err != nil {
					return err
				}
				item.Current = &cur
				for _, d := range c.iv.Decisions {
					if d.Ref == ref {
						item.Decision = &d
					}
				}
			}
			out.Items = append(out.Items, item)
		}
		return nil
	})
	return out, err
}

// UpdateInterview changes an interview not yet submitted, for an assessor,
// if its revision is still baseRevision (0: the current one).
func (s *Service) UpdateInterview(ctx context.Context, p Principal, aid string, iid int64, baseRevision int, patch InterviewPatch) (InterviewSummary, error) {
	var out InterviewSummary
	err := s.interviewTx(ctx, p, aid, iid, true, func(c ivCtx) error {
		if err := c.need(ivAssessor, "change interviews"); err != nil {
			return err
		}
		if st := interview.State(c.iv.State); !st.Answerable() {
			return assess.Errorf(assess.KindConflict, "interview %d is %s: only an interview not yet submitted changes", iid, strings.ToLower(st.Label()))
		}
		iv := c.iv
		errs := &assess.FieldErrors{Context: "interview"}
		c.t.setPerson(errs, &iv, deref(patch.Name, iv.Name), deref(patch.Email, iv.Email), deref(patch.Department, iv.Department))
		if patch.Due != nil {
			iv.Due = *patch.Due
			if !iv.Due.IsZero() && iv.Due.Before(assess.DateOf(c.t.now())) {
				errs.Add("due", iv.Due.String(), "the due date has passed", "today or a later date")
			}
			if iv.TokenHash != "" || iv.SessionHash != "" {
				iv.TokenExpires = c.t.linkExpiry(iv.Due)
			}
		}
		if patch.ConfirmEmail != nil {
			iv.ConfirmEmail = *patch.ConfirmEmail
		}
		items, err := c.t.store.ListItems(ctx, aid)
		if err != nil {
			return err
		}
		iv.Refs = interviewRefs(errs, c.cat, items, iv.Refs, patch.AddRefs, patch.RemoveRefs)
		if err := errs.Err(); err != nil {
			return err
		}
		iv, err = c.t.store.UpdateInterview(ctx, iv, baseRevision)
		out = c.t.summary(c.cat, iv)
		return err
	})
	return out, err
}

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// linkExpiry is when a link for an interview due on due stops working:
// the end of the due day plus the grace period.
func (s *Service) linkExpiry(due assess.Date) time.Time {
	if due.IsZero() {
		due = assess.DateOf(s.now()).AddDays(DefaultInterviewDays)
	}
	return due.AddDays(1).Time().Add(s.grace)
}

// newToken returns a random token for a link or a session.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// issueLink gives the interview a new link token (the old one stops
// working) and returns the link.
func (c *ivCtx) issueLink(baseURL string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	c.iv.TokenHash = TokenHash(token)
	c.iv.TokenExpires = c.t.linkExpiry(c.iv.Due)
	c.iv.SentAt = c.t.now()
	return strings.TrimRight(baseURL, "/") + InterviewLinkPath + token, nil
}

func checkBaseURL(baseURL string) error {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		e := &assess.FieldErrors{}
		e.Add("base URL", assess.Shown(baseURL), "the links need the site's address", "the address people open isogap at, such as https://isogap.example.com")
		return e
	}
	return nil
}

// SendInterview makes a new invitation link (the previous one stops
// working) and mails it through the Mailer. baseURL is the site's address
// ("https://isogap.example.com"). A draft becomes sent; an interview under
// way keeps its state (a resend).
func (s *Service) SendInterview(ctx context.Context, p Principal, aid string, iid int64, baseURL string) (SentInterview, error) {
	if err := checkBaseURL(baseURL); err != nil {
		return SentInterview{}, err
	}
	var out SentInterview
	var m InterviewMail
	err := s.interviewTx(ctx, p, aid, iid, true, func(c ivCtx) error {
		if err := c.need(ivAssessor, "send interviews"); err != nil {
			return err
		}
		ev := interview.Send
		if st := interview.State(c.iv.State); st != interview.Draft {
			ev = interview.Remind
		}
		if err := c.move(ev); err != nil {
			return err
		}
		var err error
		out, m, err = c.send(ctx, p, baseURL, ev == interview.Remind && c.iv.State == string(interview.InProgress))
		return err
	})
	if err != nil {
		return out, err
	}
	s.mail(ctx, &out, m)
	return out, nil
}

// send issues a new link, stores the interview and prepares its mail.
func (c *ivCtx) send(ctx context.Context, p Principal, baseURL string, reminder bool) (SentInterview, InterviewMail, error) {
	if c.iv.Email == "" {
		return SentInterview{}, InterviewMail{}, assess.Errorf(assess.KindInvalid, "interview %d has no e-mail address to send to", c.iv.ID)
	}
	link, err := c.issueLink(baseURL)
	if err != nil {
		return SentInterview{}, InterviewMail{}, err
	}
	iv, err := c.t.store.UpdateInterview(ctx, c.iv, 0)
	if err != nil {
		return SentInterview{}, InterviewMail{}, err
	}
	sum := c.t.summary(c.cat, iv)
	m := InterviewMail{Reminder: reminder, Org: c.a.Org, Name: iv.Name, Email: iv.Email, Department: iv.Department,
		Assessor: c.a.Lead, Link: link, Items: len(iv.Refs), Questions: sum.Total, Answered: sum.Answered, Today: c.t.now()}
	if !iv.Due.IsZero() {
		m.Due = iv.Due.Time()
	}
	if !p.System && p.User.Name != "" {
		m.Assessor = p.User.Name
	}
	return SentInterview{Interview: sum, Link: link}, m, nil
}

// mail hands a mail to the Mailer, after the transaction: a transaction
// may run again, a mail cannot be taken back.
func (s *Service) mail(ctx context.Context, out *SentInterview, m InterviewMail) {
	if s.mailer == nil {
		out.MailError = errors.New("no mailer is configured: pass the link on yourself")
		return
	}
	if err := s.mailer.SendInterviewMail(ctx, m); err != nil {
		out.MailError = err
		return
	}
	out.Mailed = true
}

// RemindInterviews sends a reminder with a new link to every interview of
// the assessment that was sent and not submitted.
func (s *Service) RemindInterviews(ctx context.Context, p Principal, aid, baseURL string) ([]SentInterview, error) {
	if err := checkBaseURL(baseURL); err != nil {
		return nil, err
	}
	var out []SentInterview
	var mails []InterviewMail
	err := s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		out, mails = nil, nil
		if err := need(acc.CanEditAssessment(), "only the assessment's assessors can send reminders"); err != nil {
			return err
		}
		ivs, err := t.store.Interviews(ctx, aid)
		if err != nil {
			return err
		}
		for _, iv := range ivs {
			st := interview.State(iv.State)
			if st != interview.Sent && st != interview.InProgress {
				continue
			}
			c, err := t.openInterview(ctx, p, aid, iv.ID)
			if err != nil {
				return err
			}
			if err := c.move(interview.Remind); err != nil {
				return err
			}
			sent, m, err := c.send(ctx, p, baseURL, true)
			if err != nil {
				return err
			}
			out, mails = append(out, sent), append(mails, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		s.mail(ctx, &out[i], mails[i])
	}
	return out, nil
}

// RevokeInterview withdraws an interview: its link and sessions stop at once.
func (s *Service) RevokeInterview(ctx context.Context, p Principal, aid string, iid int64) (InterviewSummary, error) {
	var out InterviewSummary
	err := s.interviewTx(ctx, p, aid, iid, true, func(c ivCtx) error {
		if err := c.need(ivAssessor, "revoke interviews"); err != nil {
			return err
		}
		if err := c.move(interview.Revoke); err != nil {
			return err
		}
		c.iv.TokenHash, c.iv.SessionHash, c.iv.TokenExpires = "", "", time.Time{}
		iv, err := c.t.store.UpdateInterview(ctx, c.iv, 0)
		out = c.t.summary(c.cat, iv)
		return err
	})
	return out, err
}

// canAnswer checks p may answer the interview now.
func (c ivCtx) canAnswer() error {
	if err := c.need(ivAnswerer, "answer interviews"); err != nil {
		return err
	}
	if _, err := interview.Next(interview.State(c.iv.State), interview.SaveAnswer); err != nil {
		return assess.Errorf(assess.KindConflict, "interview %d: %v", c.iv.ID, err)
	}
	return nil
}

// AnswerQuestion saves one answer (progress is kept on every answer) and
// records it in the item's history under the answering person's name.
func (s *Service) AnswerQuestion(ctx context.Context, p Principal, aid string, iid int64, in AnswerInput) (InterviewQuestion, error) {
	var out InterviewQuestion
	err := s.interviewTx(ctx, p, aid, iid, true, func(c ivCtx) error {
		if err := c.canAnswer(); err != nil {
			return err
		}
		ci, q, err := c.question(in.QuestionID)
		if err != nil {
			return err
		}
		errs := &assess.FieldErrors{Context: q.ID}
		if in.Kind == interview.Unanswered || !in.Kind.Valid() {
			errs.Add("answer", assess.Shown(string(in.Kind)), "choose an answer", "Yes, Partly, No, Don't know or Not applicable")
		}
		comment := strings.TrimSpace(in.Comment)
		assess.CheckLong(errs, "comment", comment)
		if err := errs.Err(); err != nil {
			return err
		}
		a := assess.InterviewAnswer{QuestionID: q.ID, Ref: ci.Ref, Kind: string(in.Kind), Comment: comment, By: p.Name()}
		if _, err := c.t.store.PutInterviewAnswer(ctx, aid, iid, a, in.BaseRevision); err != nil {
			return err
		}
		before := c.iv.State
		if err := c.move(interview.SaveAnswer); err != nil {
			return err
		}
		iv, err := c.t.store.Interview(ctx, aid, iid)
		if err != nil {
			return err
		}
		if c.iv.State != before {
			iv.State = c.iv.State
			if iv, err = c.t.store.UpdateInterview(ctx, iv, 0); err != nil {
				return err
			}
		}
		for _, iq := range questionsOf(iv, ci) {
			if iq.ID == q.ID {
				out = iq
			}
		}
		return nil
	})
	return out, err
}

// AddInterviewEvidence attaches evidence (text, link or file, with the
// same limits and checks as item evidence) to one question's answer.
func (s *Service) AddInterviewEvidence(ctx context.Context, p Principal, aid string, iid int64, questionID string, in NewEvidence) (assess.InterviewEvidence, error) {
	var out assess.InterviewEvidence
	err := s.interviewTx(ctx, p, aid, iid, true, func(c ivCtx) error {
		if err := c.canAnswer(); err != nil {
			return err
		}
		_, q, err := c.question(questionID)
		if err != nil {
			return err
		}
		ev, err := buildEvidence(p.Name(), in)
		if err != nil {
			return err
		}
		var content []byte
		if ev.Kind == assess.EvidenceFile {
			content = in.Content
		}
		out, err = c.t.store.AddInterviewEvidence(ctx, aid, iid, assess.InterviewEvidence{QuestionID: q.ID, Evidence: ev}, content)
		return err
	})
	return out, err
}

// InterviewEvidenceFile returns a file given with an answer, to those who
// may read the interview.
func (s *Service) InterviewEvidenceFile(ctx context.Context, p Principal, aid string, iid, evidenceID int64) (assess.InterviewEvidence, []byte, error) {
	var ev assess.InterviewEvidence
	var content []byte
	err := s.interviewTx(ctx, p, aid, iid, false, func(c ivCtx) error {
		var err error
		if ev, content, err = c.t.store.InterviewEvidenceContent(ctx, aid, iid, evidenceID); err != nil {
			return err
		}
		if ev.Kind != assess.EvidenceFile {
			return assess.Errorf(assess.KindNotFound, "evidence %d has no file", evidenceID)
		}
		return nil
	})
	return ev, content, err
}

// SubmitInterview hands the answers in; every question needs an answer.
func (s *Service) SubmitInterview(ctx context.Context, p Principal, aid string, iid int64) (InterviewSummary, error) {
	var out InterviewSummary
	err := s.interviewTx(ctx, p, aid, iid, true, func(c ivCtx) error {
		if err := c.need(ivAnswerer, "submit interviews"); err != nil {
			return err
		}
		var missing []string
		for _, ref := range c.iv.Refs {
			if ci, ok := c.cat.Item(ref); ok {
				for _, q := range questionsOf(c.iv, ci) {
					if q.Answer == interview.Unanswered {
						missing = append(missing, q.ID)
					}
				}
			}
		}
		if len(missing) > 0 {
			if len(missing) > 10 {
				missing = append(missing[:10], "…")
			}
			return assess.Errorf(assess.KindInvalid, "interview %d: %d questions are not answered yet (%s): answer each (Don't know is an answer) before sending them in",
				iid, len(missing), strings.Join(missing, ", "))
		}
		if err := c.move(interview.Submit); err != nil {
			return err
		}
		c.iv.SubmittedAt = c.t.now()
		iv, err := c.t.store.UpdateInterview(ctx, c.iv, 0)
		out = c.t.summary(c.cat, iv)
		return err
	})
	return out, err
}

// AcceptInterviewItem writes an item's score from a submitted interview
// (and copies the answers' evidence to it) through the same save path as
// every item edit: versions, field conflicts, history. Once every item is
// accepted the interview is reviewed.
func (s *Service) AcceptInterviewItem(ctx context.Context, p Principal, aid string, iid int64, in AcceptInput) (assess.Item, error) {
	var out assess.Item
	err := s.interviewTx(ctx, p, aid, iid, true, func(c ivCtx) error {
		if err := c.need(ivAssessor, "accept interview answers"); err != nil {
			return err
		}
		if st := interview.State(c.iv.State); st != interview.Submitted {
			return assess.Errorf(assess.KindConflict, "interview %d is %s: answers are accepted once the interviewee has sent them in",
				iid, strings.ToLower(st.Label()))
		}
		ref, ok := c.cat.LookupRef(in.Ref)
		if !ok || !slices.Contains(c.iv.Refs, ref) {
			e := &assess.FieldErrors{}
			e.Add("ref", assess.Shown(in.Ref), "not an item of this interview", strings.Join(c.iv.Refs, ", "))
			return e
		}
		ci, _ := c.cat.Item(ref)
		score := in.Score
		if score == assess.Unassessed {
			sg := interview.Suggest(answersTo(c.iv, ci))
			if sg.Score == 0 {
				return assess.Errorf(assess.KindInvalid, "%s: isogap suggests no score (%s): give the score yourself", ref, strings.Join(sg.Reasons, " "))
			}
			score = assess.Score(sg.Score)
		}
		at, err := c.t.editable(ctx, c.acc, ref)
		if err != nil {
			return err
		}
		if out, err = c.t.edit(ctx, p, c.acc, at, in.BaseVersion, ItemPatch{Score: &score}); err != nil {
			return err
		}
		decided := slices.ContainsFunc(c.iv.Decisions, func(d assess.InterviewDecision) bool { return d.Ref == ref })
		if in.AttachEvidence && !decided {
			if err := c.attachEvidence(ctx, p, ci); err != nil {
				return err
			}
			if out, err = c.t.store.GetItem(ctx, aid, ref); err != nil {
				return err
			}
		}
		c.iv.Decisions = slices.DeleteFunc(c.iv.Decisions, func(d assess.InterviewDecision) bool { return d.Ref == ref })
		c.iv.Decisions = append(c.iv.Decisions, assess.InterviewDecision{Ref: ref, Score: score, By: p.Name(), At: c.t.now()})
		if len(c.iv.Decisions) == len(c.iv.Refs) {
			if err := c.move(interview.Review); err != nil {
				return err
			}
		}
		_, err = c.t.store.UpdateInterview(ctx, c.iv, 0)
		return err
	})
	if isSaveConflict(err) {
		s.obs.SaveConflict()
	}
	return out, err
}

// attachEvidence copies the evidence given with an item's answers to the
// item, each entry saying whose interview and which question it came from.
func (c ivCtx) attachEvidence(ctx context.Context, p Principal, ci catalog.Item) error {
	for _, ev := range c.iv.Evidence {
		if ref, _, _ := strings.Cut(ev.QuestionID, "#"); ref != ci.Ref {
			continue
		}
		in := NewEvidence{Text: strings.TrimSpace(ev.Text + " (interview with " + orNone(c.iv.Name) + ", " + ev.QuestionID + ")"),
			URL: ev.URL, Date: ev.Date}
		if ev.Kind == assess.EvidenceFile {
			_, content, err := c.t.store.InterviewEvidenceContent(ctx, c.iv.AssessmentID, c.iv.ID, ev.ID)
			if err != nil {
				return err
			}
			in.FileName, in.ContentType, in.Content = ev.FileName, ev.ContentType, content
		}
		if _, err := c.t.addEvidence(ctx, p.Name(), c.iv.AssessmentID, ci.Ref, in); err != nil {
			return err
		}
	}
	return nil
}

// ReturnQuestions sends questions of a submitted interview back to the
// interviewee with a note each; the interview is in progress again and
// the same link (or session) opens it.
func (s *Service) ReturnQuestions(ctx context.Context, p Principal, aid string, iid int64, notes []ReturnInput) (InterviewSummary, error) {
	var out InterviewSummary
	err := s.interviewTx(ctx, p, aid, iid, true, func(c ivCtx) error {
		if err := c.need(ivAssessor, "return questions"); err != nil {
			return err
		}
		if len(notes) == 0 {
			return assess.Errorf(assess.KindInvalid, "name at least one question to return, with a note")
		}
		if err := c.move(interview.Return); err != nil {
			return err
		}
		for i, n := range notes {
			_, q, err := c.question(n.QuestionID)
			if err != nil {
				return err
			}
			errs := &assess.FieldErrors{Context: fmt.Sprintf("note %d (%s)", i+1, q.ID)}
			text := strings.TrimSpace(n.Note)
			if assess.CheckLong(errs, "note", text) && text == "" {
				errs.Add("note", "", "say what to look at again", "a note for the interviewee")
			}
			if err := errs.Err(); err != nil {
				return err
			}
			if err := c.t.store.AddInterviewNote(ctx, aid, iid, assess.InterviewNote{QuestionID: q.ID, Text: text, By: p.Name()}); err != nil {
				return err
			}
		}
		iv, err := c.t.store.Interview(ctx, aid, iid)
		if err != nil {
			return err
		}
		iv.State = c.iv.State
		iv, err = c.t.store.UpdateInterview(ctx, iv, 0)
		out = c.t.summary(c.cat, iv)
		return err
	})
	return out, err
}

// loginKeyInterview counts wrong e-mail confirmations of one interview.
const loginKeyInterview = "interview:"

// InterviewSignIn opens an invitation link: it returns a new session token
// (for a cookie) and the interview principal. The session is bound to the
// interview; a later sign-in with the link (another browser) replaces it.
// When the interview asks for it, email must be the interviewee's address.
func (s *Service) InterviewSignIn(ctx context.Context, linkToken, email string) (string, Principal, error) {
	invalid := assess.Errorf(assess.KindUnauthenticated,
		"this interview link does not work: it was withdrawn, replaced by a newer one, or mistyped; ask the assessor for a new one")
	if strings.TrimSpace(linkToken) == "" {
		return "", Principal{}, invalid
	}
	found, err := s.store.InterviewByToken(ctx, TokenHash(linkToken))
	if assess.KindOf(err) == assess.KindNotFound {
		return "", Principal{}, invalid
	}
	if err != nil {
		return "", Principal{}, err
	}
	var session string
	var p Principal
	var wrongEmail bool
	key := fmt.Sprintf("%s%s/%d", loginKeyInterview, found.AssessmentID, found.ID)
	err = s.store.InTx(ctx, func(st store.Store) error {
		wrongEmail = false
		if err := st.LockAssessment(ctx, found.AssessmentID); err != nil {
			return invalid
		}
		iv, err := st.Interview(ctx, found.AssessmentID, found.ID)
		if err != nil || iv.TokenHash != TokenHash(linkToken) {
			return invalid
		}
		now := s.now()
		if n, err := st.LoginFailures(ctx, key, now.Add(-LoginWindow)); err != nil {
			return err
		} else if n >= MaxFailuresPair {
			return retryAfter(LoginWindow, errTooManyAttempts, "for this interview", int(LoginWindow.Minutes()))
		}
		if iv.ConfirmEmail {
			switch {
			case strings.TrimSpace(email) == "":
				e := &assess.FieldErrors{}
				e.Add("email", "", "confirm your e-mail address", "the address the invitation was sent to")
				return e
			case !strings.EqualFold(strings.TrimSpace(email), iv.Email):
				wrongEmail = true
				e := &assess.FieldErrors{}
				e.Add("email", assess.Shown(email), "this is not the address the invitation was sent to", "the address the invitation was sent to")
				return e
			}
		}
		if session, err = newToken(); err != nil {
			return err
		}
		iv.SessionHash = TokenHash(session)
		if err := s.checkGrant(iv, session); err != nil {
			return err
		}
		if _, err := st.UpdateInterview(ctx, iv, 0); err != nil {
			return err
		}
		p = Principal{Interview: &InterviewGrant{AssessmentID: iv.AssessmentID, InterviewID: iv.ID, Name: iv.Name, Email: iv.Email, session: session}}
		return st.ClearLoginFailures(ctx, key)
	})
	if wrongEmail {
		if ferr := s.store.RecordLoginFailure(ctx, key, s.now()); ferr != nil {
			return "", Principal{}, errors.Join(err, ferr)
		}
	}
	if err != nil {
		return "", Principal{}, err
	}
	return session, p, nil
}

// ResolveInterviewSession finds the interview principal of a session token.
func (s *Service) ResolveInterviewSession(ctx context.Context, session string) (Principal, error) {
	gone := assess.Errorf(assess.KindUnauthenticated, "not signed in to an interview: open the link from your invitation")
	if session == "" {
		return Principal{}, gone
	}
	iv, err := s.store.InterviewBySession(ctx, TokenHash(session))
	if assess.KindOf(err) == assess.KindNotFound {
		return Principal{}, gone
	}
	if err != nil {
		return Principal{}, err
	}
	if err := s.checkGrant(iv, session); err != nil {
		return Principal{}, err
	}
	return Principal{Interview: &InterviewGrant{AssessmentID: iv.AssessmentID, InterviewID: iv.ID, Name: iv.Name, Email: iv.Email, session: session}}, nil
}

// InterviewSignOut ends an interview principal's session.
func (s *Service) InterviewSignOut(ctx context.Context, p Principal) error {
	g := p.Interview
	if g == nil {
		return assess.Errorf(assess.KindUnauthenticated, "not signed in to an interview")
	}
	return s.store.InTx(ctx, func(st store.Store) error {
		if err := st.LockAssessment(ctx, g.AssessmentID); err != nil {
			return err
		}
		iv, err := st.Interview(ctx, g.AssessmentID, g.InterviewID)
		if err != nil || iv.SessionHash != TokenHash(g.session) {
			return err
		}
		iv.SessionHash = ""
		_, err = st.UpdateInterview(ctx, iv, 0)
		return err
	})
}
