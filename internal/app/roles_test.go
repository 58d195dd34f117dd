package app_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/interview"
	"github.com/isogap/isogap/internal/store"
)

// who asks, in the role table.
const (
	rAdmin       = "site admin"
	rCLI         = "command line"
	rAssessor    = "assessor"
	rContributor = "contributor (HR)"
	rViewer      = "viewer"
	rAuditor     = "auditor"
	rExpired     = "expired auditor"
	rStranger    = "stranger"
	rNobody      = "nobody"
	// The assessor's personal access tokens (the REST API).
	rToken    = "assessor's token"
	rReadOnly = "assessor's read-only token"
)

// tokenRoles act as the assessor through a token: they get the assessor's
// outcome, except where a use case's row says otherwise (tokenWant), and a
// read-only token is refused every use case that writes.
var tokenRoles = []string{rToken, rReadOnly}

// writes lists the use cases that change something: a read-only token is
// refused each. TestWritesAreListed keeps the list complete by the verbs
// use cases are named with.
var writes = map[string]bool{
	"UpdateItem": true, "UpdateItem outside HR": true, "SaveItem": true, "SaveItem outside HR": true, "AddEvidence": true,
	"RemoveEvidence": true, "ImportSheets": true, "UpdateAssessment": true, "AssignOwners": true, "SetPlan": true,
	"CreateSnapshot": true, "DeleteSnapshot": true, "PutMember": true, "PutMember new member": true, "RemoveMember": true,
	"CreateInterview": true, "UpdateInterview": true, "SendInterview": true, "RemindInterviews": true, "RevokeInterview": true,
	"AnswerQuestion": true, "AddInterviewEvidence": true, "SubmitInterview": true, "AcceptInterviewItem": true,
	"ReturnQuestions": true, "DeleteAssessment": true, "AcceptInvitation": true, "DeclineInvitation": true,
	"CreateAssessment": true, "ImportJSON": true, "ImportCatalog": true, "CreateUser": true, "UpdateUser": true, "SetUserPassword": true, "UpdateSiteSettings": true,
	"SaveSSOProvider": true, "RemoveSSOProvider": true,
	"ResetFactors":         true,
	"MayCreateAssessments": true, // a read-only token may not create, so it is told no
}

var everyone = []string{rAdmin, rCLI, rAssessor, rContributor, rViewer, rAuditor, rExpired, rStranger, rNobody}

// outcome is the error kind a role gets (0: allowed).
type outcome map[string]assess.Kind

const ok = assess.Kind(0)

// The policy's groups, written out from the rules, not from the code.
func members(contributor, viewer, auditor assess.Kind) outcome {
	return outcome{rAdmin: ok, rCLI: ok, rAssessor: ok, rContributor: contributor, rViewer: viewer, rAuditor: auditor,
		rExpired: assess.KindForbidden, rStranger: assess.KindNotFound, rNobody: assess.KindUnauthenticated}
}

var (
	anyMember    = members(ok, ok, ok)
	assessorOnly = members(assess.KindForbidden, assess.KindForbidden, assess.KindForbidden)
	editors      = members(ok, assess.KindForbidden, assess.KindForbidden)
	notViewers   = members(ok, assess.KindForbidden, ok)
	signedIn     = outcome{rAdmin: ok, rCLI: ok, rAssessor: ok, rContributor: ok, rViewer: ok, rAuditor: ok, rExpired: ok, rStranger: ok, rNobody: assess.KindUnauthenticated}
	adminOnly    = outcome{rAdmin: ok, rCLI: ok, rAssessor: assess.KindForbidden, rContributor: assess.KindForbidden, rViewer: assess.KindForbidden,
		rAuditor: assess.KindForbidden, rExpired: assess.KindForbidden, rStranger: assess.KindForbidden, rNobody: assess.KindForbidden}
	cliOnly = outcome{rAdmin: assess.KindForbidden, rCLI: ok, rAssessor: assess.KindForbidden, rContributor: assess.KindForbidden, rViewer: assess.KindForbidden,
		rAuditor: assess.KindForbidden, rExpired: assess.KindForbidden, rStranger: assess.KindForbidden, rNobody: assess.KindForbidden}
	// Starting assessments: administrators and the accounts they allowed
	// (of the fixture's people, only the assessor).
	creators = outcome{rAdmin: ok, rCLI: ok, rAssessor: ok, rContributor: assess.KindForbidden, rViewer: assess.KindForbidden,
		rAuditor: assess.KindForbidden, rExpired: assess.KindForbidden, rStranger: assess.KindForbidden, rNobody: assess.KindUnauthenticated}
	// Answering an invitation: the account invited; the assessor who
	// invited is a member already, so has no invitation to answer.
	invitees = outcome{rAdmin: ok, rCLI: assess.KindUnauthenticated, rAssessor: assess.KindNotFound, rContributor: ok, rViewer: ok, rAuditor: ok,
		rExpired: ok, rStranger: ok, rNobody: assess.KindUnauthenticated}
	// Interviews are read by the assessors and the auditors.
	interviewReaders = members(assess.KindForbidden, assess.KindForbidden, ok)
	accountHolders   = outcome{rAdmin: ok, rCLI: assess.KindUnauthenticated, rAssessor: ok, rContributor: ok, rViewer: ok, rAuditor: ok, rExpired: ok,
		rStranger: ok, rNobody: assess.KindUnauthenticated}
)

// Second factors and sessions are a signed-in person's own: the command
// line has none; what the table asks for is not there (NotFound) or not
// valid (Invalid).
var (
	nobodyYet = outcome{rAdmin: assess.KindUnauthenticated, rCLI: assess.KindUnauthenticated, rAssessor: assess.KindUnauthenticated,
		rContributor: assess.KindUnauthenticated, rViewer: assess.KindUnauthenticated, rAuditor: assess.KindUnauthenticated,
		rExpired: assess.KindUnauthenticated, rStranger: assess.KindUnauthenticated, rNobody: assess.KindUnauthenticated}
	ownNotFound = own(assess.KindNotFound)
	ownInvalid  = own(assess.KindInvalid)
)

func own(k assess.Kind) outcome {
	return outcome{rAdmin: k, rCLI: assess.KindUnauthenticated, rAssessor: k, rContributor: k, rViewer: k, rAuditor: k, rExpired: k,
		rStranger: k, rNobody: assess.KindUnauthenticated}
}

// The assessor has no invitation to answer; a read-only token is refused first.
var invitationTokens = map[string]assess.Kind{rToken: assess.KindNotFound, rReadOnly: assess.KindForbidden}

// A use case named with a verb that changes things is in writes, or says
// what tokens get in its row (or is the command line's alone).
func TestWritesAreListed(t *testing.T) {
	verbs := []string{"Update", "Save", "Add", "Remove", "Import", "Assign", "Set", "Create", "Delete", "Put", "Send", "Remind",
		"Revoke", "Answer", "Submit", "Accept", "Return", "Decline", "Ensure", "Copy"}
	for _, uc := range roleTable() {
		for _, v := range verbs {
			if strings.HasPrefix(uc.name, v) && !writes[uc.name] && uc.tokenWant == nil && uc.want[rAssessor] != assess.KindForbidden {
				t.Errorf("%s looks like a write: list it in writes (a read-only token must be refused it) or give its row a tokenWant", uc.name)
			}
		}
	}
	for name := range writes {
		if !slices.ContainsFunc(roleTable(), func(uc useCase) bool { return uc.name == name }) {
			t.Errorf("writes lists %q, which the role table has no row for", name)
		}
	}
}

func bothTokens(k assess.Kind) map[string]assess.Kind {
	return map[string]assess.Kind{rToken: k, rReadOnly: k}
}

var (
	// Tokens: an account makes and lists its own; the command line must
	// name the account.
	tokenMakers = outcome{rAdmin: ok, rCLI: assess.KindInvalid, rAssessor: ok, rContributor: ok, rViewer: ok, rAuditor: ok, rExpired: ok,
		rStranger: ok, rNobody: assess.KindUnauthenticated}
	tokenRevokers = outcome{rAdmin: assess.KindNotFound, rCLI: assess.KindInvalid, rAssessor: assess.KindNotFound, rContributor: assess.KindNotFound,
		rViewer: assess.KindNotFound, rAuditor: assess.KindNotFound, rExpired: assess.KindNotFound, rStranger: assess.KindNotFound, rNobody: assess.KindUnauthenticated}
	// Idempotency keys belong to accounts.
	accountKeys = outcome{rAdmin: ok, rCLI: assess.KindForbidden, rAssessor: ok, rContributor: ok, rViewer: ok, rAuditor: ok, rExpired: ok,
		rStranger: ok, rNobody: assess.KindUnauthenticated}
	// Only the command line makes a token for someone else.
	cliOnlyOthers = outcome{rAdmin: ok, rCLI: ok, rAssessor: assess.KindForbidden, rContributor: assess.KindForbidden, rViewer: assess.KindForbidden,
		rAuditor: assess.KindForbidden, rExpired: assess.KindForbidden, rStranger: assess.KindForbidden, rNobody: assess.KindUnauthenticated}
	// Administrators see and revoke anyone's tokens.
	adminsRevoke = outcome{rAdmin: assess.KindNotFound, rCLI: assess.KindNotFound, rAssessor: assess.KindForbidden, rContributor: assess.KindForbidden, rViewer: assess.KindForbidden,
		rAuditor: assess.KindForbidden, rExpired: assess.KindForbidden, rStranger: assess.KindForbidden, rNobody: assess.KindUnauthenticated}
	adminsOthers = outcome{rAdmin: ok, rCLI: ok, rAssessor: assess.KindForbidden, rContributor: assess.KindForbidden, rViewer: assess.KindForbidden,
		rAuditor: assess.KindForbidden, rExpired: assess.KindForbidden, rStranger: assess.KindForbidden, rNobody: assess.KindUnauthenticated}
)

// ssoLinkers: people signed in with their own account link and unlink
// identities (allowed gets k); the command line has no account.
func ssoLinkers(k assess.Kind) outcome {
	o := outcome{rCLI: assess.KindUnauthenticated, rNobody: assess.KindUnauthenticated}
	for _, r := range []string{rAdmin, rAssessor, rContributor, rViewer, rAuditor, rExpired, rStranger} {
		o[r] = k
	}
	return o
}

// wantOf is the outcome a use case gives a role.
func (uc useCase) wantOf(r string) assess.Kind {
	if !slices.Contains(tokenRoles, r) {
		return uc.want[r]
	}
	if k, set := uc.tokenWant[r]; set {
		return k
	}
	k := uc.want[rAssessor]
	if r == rReadOnly && writes[uc.name] && k == ok {
		return assess.KindForbidden
	}
	return k
}

// roleFixture is one assessment with a member of every role, built afresh
// for each role so that what one role may change never shows in another's row.
type roleFixture struct {
	svc       *app.Service
	st        store.Store
	aid       string
	other     string // an assessment nobody but the administrators can see
	people    map[string]app.Principal
	spare     int64 // a member any assessor may remove
	fileID    int64 // file evidence on an HR item
	textID    int64 // text evidence on an HR item
	hrRef     string
	otherRef  string // an item outside HR
	newLogins int
	tb        *testing.T
	ivFile    int64 // a file given with an answer, in every interview(…)
}

// interview makes, as the command line, an interview of the HR items in
// the given state, with an answer and a file to A.6.1#1.
func (f *roleFixture) interview(state interview.State) int64 {
	f.tb.Helper()
	ctx := context.Background()
	cli := f.people[rCLI]
	iv, err := f.svc.CreateInterview(ctx, cli, f.aid, app.NewInterview{Name: "Jana Novak", Email: "jana@example.com", Refs: []string{"A.6.1"}})
	if err != nil {
		f.tb.Fatal(err)
	}
	if state == interview.Draft {
		return iv.ID
	}
	if _, err := f.svc.SendInterview(ctx, cli, f.aid, iv.ID, "https://isogap.example"); err != nil {
		f.tb.Fatal(err)
	}
	if state == interview.Sent {
		return iv.ID
	}
	view, err := f.svc.Interview(ctx, cli, f.aid, iv.ID)
	if err != nil {
		f.tb.Fatal(err)
	}
	for _, q := range view.Items[0].Questions {
		if _, err := f.svc.AnswerQuestion(ctx, cli, f.aid, iv.ID, app.AnswerInput{QuestionID: q.ID, Kind: interview.Yes}); err != nil {
			f.tb.Fatal(err)
		}
	}
	ev, err := f.svc.AddInterviewEvidence(ctx, cli, f.aid, iv.ID, "A.6.1#1", app.NewEvidence{FileName: "screening.pdf", Content: []byte("%PDF-1.4 s")})
	if err != nil {
		f.tb.Fatal(err)
	}
	f.ivFile = ev.ID
	if state == interview.InProgress {
		return iv.ID
	}
	if _, err := f.svc.SubmitInterview(ctx, cli, f.aid, iv.ID); err != nil {
		f.tb.Fatal(err)
	}
	return iv.ID
}

func (f *roleFixture) t() *testing.T { return f.tb }

func newRoleFixture(t *testing.T, st store.Store) *roleFixture {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := app.New(st, app.Config{Clock: func() time.Time { return now }})
	cli := app.System("cli")
	f := &roleFixture{svc: svc, st: st, people: map[string]app.Principal{rCLI: cli}, hrRef: "A.6.1", otherRef: "4.1"}
	user := func(login string, admin bool) app.Principal {
		u, err := svc.CreateUser(ctx, cli, app.NewUser{Login: login, Name: login + " Example", Password: "long enough password", Admin: admin})
		if err != nil {
			t.Fatal(err)
		}
		return app.Principal{User: u}
	}
	f.people[rAdmin] = user("admin", true)
	for _, r := range []string{rAssessor, rContributor, rViewer, rAuditor, rExpired, rStranger} {
		f.people[r] = user(string(rune('a'+len(f.people)))+"-user", false)
	}
	// The administrator allows the assessor to start assessments.
	allowed := f.people[rAssessor].User
	allowed.CreatesAssessments = true
	if _, err := svc.UpdateUser(ctx, cli, allowed); err != nil {
		t.Fatal(err)
	}
	f.people[rAssessor] = app.Principal{User: allowed}
	for r, ro := range map[string]bool{rToken: false, rReadOnly: true} {
		tok, err := svc.CreateToken(ctx, f.people[rAssessor], app.NewToken{Name: r, Expires: now.AddDate(0, 1, 0), ReadOnly: ro})
		if err != nil {
			t.Fatal(err)
		}
		if f.people[r], err = svc.ResolveToken(ctx, tok.Secret); err != nil {
			t.Fatal(err)
		}
	}
	a, err := svc.CreateAssessment(ctx, f.people[rAssessor], app.NewAssessment{Org: "Acme", Scope: "Head office and its systems"})
	if err != nil {
		t.Fatal(err)
	}
	f.aid = a.ID
	o, err := svc.CreateAssessment(ctx, cli, app.NewAssessment{Org: "Other client"})
	if err != nil {
		t.Fatal(err)
	}
	f.other = o.ID
	put := func(p app.Principal, role, expires string, depts ...string) {
		if _, err := svc.PutMember(ctx, cli, f.aid, app.MemberInput{Login: p.User.Login, Role: role, Expires: expires, Departments: depts}); err != nil {
			t.Fatal(err)
		}
	}
	put(f.people[rContributor], "contributor", "", "HR")
	put(f.people[rViewer], "viewer", "")
	put(f.people[rAuditor], "auditor", "2027-06-30")
	user("outsider", false) // an account in no assessment
	spare := user("spare", false)
	put(spare, "viewer", "")
	f.spare = spare.User.ID
	// An auditor whose access ended: written below the service, which
	// refuses an end date in the past.
	if err := st.PutMembership(ctx, assess.Membership{AssessmentID: f.aid, UserID: f.people[rExpired].User.ID, Role: assess.RoleAuditor,
		Expires: assess.NewDate(2027, 1, 31)}); err != nil {
		t.Fatal(err)
	}
	ev, err := svc.AddEvidence(ctx, cli, f.aid, f.hrRef, app.NewEvidence{FileName: "policy.pdf", Content: []byte("%PDF-1.4 policy")})
	if err != nil {
		t.Fatal(err)
	}
	f.fileID = ev.ID
	if ev, err = svc.AddEvidence(ctx, cli, f.aid, f.hrRef, app.NewEvidence{Text: "screening records"}); err != nil {
		t.Fatal(err)
	}
	f.textID = ev.ID
	if _, err := svc.CreateSnapshot(ctx, cli, f.aid, "keep"); err != nil {
		t.Fatal(err)
	}
	return f
}

// invitation has the fixture's assessor invite p to a fresh assessment of
// theirs, and returns its id.
func (f *roleFixture) invitation(p app.Principal) string {
	ctx := context.Background()
	assessor := f.people[rAssessor]
	a, err := f.svc.CreateAssessment(ctx, assessor, app.NewAssessment{Org: "Invitation"})
	if err != nil {
		f.tb.Fatal(err)
	}
	if p.User.ID != 0 {
		m, err := f.svc.PutMember(ctx, assessor, a.ID, app.MemberInput{Login: p.User.Login, Role: "assessor"})
		if err != nil || p.User.ID != assessor.User.ID && !m.Pending {
			f.tb.Fatalf("inviting %s: %+v, %v", p.User.Login, m, err)
		}
	}
	return a.ID
}

// viaSession is p as the web app sees them through a session of their own
// (passkeys keep their ceremony on it); other principals as they are.
func (f *roleFixture) viaSession(p app.Principal) app.Principal {
	if p.User.ID == 0 || p.Token != nil || p.System {
		return p
	}
	ctx := context.Background()
	tok, err := f.svc.StartSession(ctx, p, time.Hour)
	if err != nil {
		f.tb.Fatal(err)
	}
	got, err := f.svc.ResolveSession(ctx, tok, time.Hour)
	if err != nil {
		f.tb.Fatal(err)
	}
	return got
}

// useCase calls one use case as p and returns its error.
type useCase struct {
	name string // the app.Service method it calls
	want outcome
	// tokenWant is the outcome of the token roles where it is not the
	// assessor's (a read-only token is refused writes anyway).
	tokenWant map[string]assess.Kind
	call      func(f *roleFixture, p app.Principal) error
	unread    bool // it needs no assessment fixture of its own
}

func roleTable() []useCase {
	ctx := context.Background()
	score := assess.Score(3)
	return []useCase{
		{name: "Access", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Access(ctx, p, f.aid); return err }},
		{name: "Revision", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, _, err := f.svc.Revision(ctx, p, f.aid); return err }},
		{name: "View", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, _, err := f.svc.View(ctx, p, f.aid); return err }},
		{name: "Assessment", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Assessment(ctx, p, f.aid); return err }},
		{name: "Item", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Item(ctx, p, f.aid, "a.5.15"); return err }},
		{name: "History", want: anyMember, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.History(ctx, p, f.aid, app.HistoryQuery{})
			return err
		}},
		{name: "Members", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Members(ctx, p, f.aid); return err }},
		{name: "Results", want: anyMember, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.Results(ctx, p, f.aid, map[string]string{"day_rate": "900"}, app.AllResults)
			return err
		}},
		{name: "ResultsOf", want: anyMember, call: func(f *roleFixture, p app.Principal) error {
			v, _, err := f.svc.View(ctx, f.people[rCLI], f.aid) // a view someone else loaded
			if err != nil {
				return err
			}
			_, err = f.svc.ResultsOf(ctx, p, v, nil, app.ResultParts{})
			return err
		}},
		{name: "PlanSettings", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.PlanSettings(ctx, p, f.aid); return err }},
		{name: "Snapshots", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Snapshots(ctx, p, f.aid); return err }},
		{name: "Compare", want: anyMember, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.Compare(ctx, p, f.aid+"@keep", f.aid)
			return err
		}},
		{name: "Export", want: notViewers, call: func(f *roleFixture, p app.Principal) error {
			json := app.DefaultFormats()[0] // carries the evidence files
			return f.svc.Export(ctx, p, f.aid, json, &bytes.Buffer{})
		}},
		{name: "EvidenceFile", want: notViewers, call: func(f *roleFixture, p app.Principal) error {
			_, _, err := f.svc.EvidenceFile(ctx, p, f.aid, f.fileID)
			return err
		}},
		{name: "UpdateItem", want: editors, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.UpdateItem(ctx, p, f.aid, f.hrRef, 0, app.ItemPatch{Score: &score}, app.NewEvidence{Text: "checked"})
			return err
		}},
		{name: "UpdateItem outside HR", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.UpdateItem(ctx, p, f.aid, f.otherRef, 0, app.ItemPatch{Score: &score})
			return err
		}},
		{name: "SaveItem", want: editors, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SaveItem(ctx, p, f.aid, f.hrRef, 0, app.ItemPatch{Score: &score})
			return err
		}},
		{name: "SaveItem outside HR", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SaveItem(ctx, p, f.aid, f.otherRef, 0, app.ItemPatch{Score: &score})
			return err
		}},
		{name: "AddEvidence", want: editors, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.AddEvidence(ctx, p, f.aid, f.hrRef, app.NewEvidence{URL: "https://intranet.example/hr"})
			return err
		}},
		{name: "RemoveEvidence", want: editors, call: func(f *roleFixture, p app.Principal) error {
			return f.svc.RemoveEvidence(ctx, p, f.aid, f.textID)
		}},
		{name: "ImportSheets", want: editors, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.ImportSheets(ctx, p, f.aid, nil, app.SheetImportOptions{})
			return err
		}},
		{name: "UpdateAssessment", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			a, err := f.svc.Assessment(ctx, f.people[rCLI], f.aid)
			if err != nil {
				return err
			}
			a.Scope = "All of it"
			_, err = f.svc.UpdateAssessment(ctx, p, a, a.Version)
			return err
		}},
		{name: "AssignOwners", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.AssignOwners(ctx, p, f.aid); return err }},
		{name: "SetPlan", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SetPlan(ctx, p, f.aid, app.PlanEdit{Set: map[string]string{"day_rate": "700"}, BaseVersion: -1})
			return err
		}},
		{name: "CreateSnapshot", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.CreateSnapshot(ctx, p, f.aid, "q1")
			return err
		}},
		{name: "DeleteSnapshot", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error { return f.svc.DeleteSnapshot(ctx, p, f.aid, "keep") }},
		{name: "PutMember", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.PutMember(ctx, p, f.aid, app.MemberInput{Login: "spare", Role: "contributor", Departments: []string{"IT Operations"}})
			return err
		}},
		{name: "PutMember new member", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.PutMember(ctx, p, f.aid, app.MemberInput{Login: "outsider", Role: "viewer"})
			return err
		}},
		{name: "RemoveMember", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error { return f.svc.RemoveMember(ctx, p, f.aid, f.spare) }},
		{name: "CreateInterview", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.CreateInterview(ctx, p, f.aid, app.NewInterview{Name: "Jana Novak", Email: "jana@example.com", Department: "HR"})
			return err
		}},
		{name: "Interviews", want: interviewReaders, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Interviews(ctx, p, f.aid); return err }},
		{name: "MyInterviews", want: anyMember, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.MyInterviews(ctx, p, f.aid); return err }},
		{name: "Interview", want: interviewReaders, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.Interview(ctx, p, f.aid, f.interview(interview.InProgress))
			return err
		}},
		{name: "InterviewEvidenceFile", want: interviewReaders, call: func(f *roleFixture, p app.Principal) error {
			iid := f.interview(interview.InProgress)
			_, _, err := f.svc.InterviewEvidenceFile(ctx, p, f.aid, iid, f.ivFile)
			return err
		}},
		{name: "UpdateInterview", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.UpdateInterview(ctx, p, f.aid, f.interview(interview.Sent), 0, app.InterviewPatch{AddRefs: []string{"A.5.15"}})
			return err
		}},
		{name: "SendInterview", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SendInterview(ctx, p, f.aid, f.interview(interview.Draft), "https://isogap.example")
			return err
		}},
		{name: "RemindInterviews", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			f.interview(interview.Sent)
			_, err := f.svc.RemindInterviews(ctx, p, f.aid, "https://isogap.example")
			return err
		}},
		{name: "RevokeInterview", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.RevokeInterview(ctx, p, f.aid, f.interview(interview.Sent))
			return err
		}},
		{name: "AnswerQuestion", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.AnswerQuestion(ctx, p, f.aid, f.interview(interview.Sent), app.AnswerInput{QuestionID: "A.6.1#1", Kind: interview.Yes})
			return err
		}},
		{name: "AddInterviewEvidence", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.AddInterviewEvidence(ctx, p, f.aid, f.interview(interview.Sent), "A.6.1#1", app.NewEvidence{Text: "records"})
			return err
		}},
		{name: "SubmitInterview", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SubmitInterview(ctx, p, f.aid, f.interview(interview.InProgress))
			return err
		}},
		{name: "AcceptInterviewItem", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.AcceptInterviewItem(ctx, p, f.aid, f.interview(interview.Submitted), app.AcceptInput{Ref: "A.6.1"})
			return err
		}},
		{name: "ReturnQuestions", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.ReturnQuestions(ctx, p, f.aid, f.interview(interview.Submitted), []app.ReturnInput{{QuestionID: "A.6.1#1", Note: "which roles?"}})
			return err
		}},
		{name: "InterviewSignOut", want: outcome{rAdmin: assess.KindUnauthenticated, rCLI: assess.KindUnauthenticated, rAssessor: assess.KindUnauthenticated,
			rContributor: assess.KindUnauthenticated, rViewer: assess.KindUnauthenticated, rAuditor: assess.KindUnauthenticated,
			rExpired: assess.KindUnauthenticated, rStranger: assess.KindUnauthenticated, rNobody: assess.KindUnauthenticated},
			call: func(f *roleFixture, p app.Principal) error { return f.svc.InterviewSignOut(ctx, p) }},
		{name: "DeleteAssessment", want: assessorOnly, call: func(f *roleFixture, p app.Principal) error { return f.svc.DeleteAssessment(ctx, p, f.aid) }},
		// Not tied to the fixture's assessment.
		{name: "Portfolio", want: signedIn, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Portfolio(ctx, p); return err }},
		// The scope is given for an assessment p sees in the portfolio, and
		// only then.
		{name: "PortfolioScopes", want: signedIn, call: func(f *roleFixture, p app.Principal) error {
			e := []app.PortfolioEntry{{Summary: app.Summary{Assessment: app.Header{ID: f.aid}}}}
			if err := f.svc.PortfolioScopes(ctx, p, e); err != nil {
				return err
			}
			list, err := f.svc.Portfolio(ctx, p)
			if err != nil {
				return err
			}
			sees := slices.ContainsFunc(list, func(x app.PortfolioEntry) bool { return x.Assessment.ID == f.aid })
			if sees != (e[0].Assessment.Scope != "") {
				return fmt.Errorf("scope %q, and the assessment is in the portfolio: %v", e[0].Assessment.Scope, sees)
			}
			return nil
		}},
		{name: "MayCreateAssessments", want: creators, call: func(f *roleFixture, p app.Principal) error {
			may, err := f.svc.MayCreateAssessments(ctx, p)
			if err == nil && !may {
				return assess.Errorf(assess.KindForbidden, "may not")
			}
			return err
		}},
		{name: "Invitations", want: accountHolders, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.Invitations(ctx, p)
			return err
		}},
		{name: "AcceptInvitation", want: invitees, tokenWant: invitationTokens, call: func(f *roleFixture, p app.Principal) error {
			return f.svc.AcceptInvitation(ctx, p, f.invitation(p))
		}},
		{name: "DeclineInvitation", want: invitees, tokenWant: invitationTokens, call: func(f *roleFixture, p app.Principal) error {
			return f.svc.DeclineInvitation(ctx, p, f.invitation(p))
		}},
		{name: "Catalogs", want: signedIn, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Catalogs(ctx, p); return err }},
		{name: "ImportCatalog", want: creators, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.ImportCatalog(ctx, p, []byte(customCatalog))
			return err
		}},
		{name: "StoredCatalog", want: creators, tokenWant: map[string]assess.Kind{rToken: ok, rReadOnly: assess.KindForbidden}, // for starting assessments, which a read-only token may not
			call: func(f *roleFixture, p app.Principal) error {
				if _, err := f.svc.ImportCatalog(ctx, f.people[rCLI], []byte(customCatalog)); err != nil {
					return err
				}
				_, _, err := f.svc.StoredCatalog(ctx, p, "acme-baseline", "")
				return err
			}},
		{name: "CreateAssessment", want: creators, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.CreateAssessment(ctx, p, app.NewAssessment{Org: "Mine"})
			return err
		}},
		{name: "ImportJSON", want: creators, call: func(f *roleFixture, p app.Principal) error {
			var buf bytes.Buffer
			if err := f.svc.Export(ctx, f.people[rCLI], f.other, app.DefaultFormats()[0], &buf); err != nil {
				return err
			}
			_, err := f.svc.ImportJSON(ctx, p, &buf, app.ImportOptions{AsNew: true})
			return err
		}},
		{name: "Users", want: adminOnly, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Users(ctx, p); return err }},
		{name: "UserByLogin", want: adminOnly, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.UserByLogin(ctx, p, "spare"); return err }},
		{name: "CreateUser", want: adminOnly, call: func(f *roleFixture, p app.Principal) error {
			f.newLogins++
			_, err := f.svc.CreateUser(ctx, p, app.NewUser{Login: "new-" + string(rune('a'+f.newLogins)), Name: "New", Password: "long enough password"})
			return err
		}},
		{name: "UpdateUser", want: adminOnly, call: func(f *roleFixture, p app.Principal) error {
			u, err := f.svc.UserByLogin(ctx, f.people[rCLI], "spare")
			if err != nil {
				return err
			}
			u.Name = "Spare Renamed"
			_, err = f.svc.UpdateUser(ctx, p, u)
			return err
		}},
		{name: "SetUserPassword", want: adminOnly, call: func(f *roleFixture, p app.Principal) error {
			return f.svc.SetUserPassword(ctx, p, "spare", "another long password")
		}},
		{name: "ChangePassword", want: accountHolders, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			return f.svc.ChangePassword(ctx, p, "long enough password", "a new long password")
		}},
		{name: "Memberships", want: accountHolders, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.Memberships(ctx, p); return err }},
		{name: "StartSession", want: accountHolders, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.StartSession(ctx, p, time.Hour)
			return err
		}},
		{name: "CreateDemo", want: cliOnly, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.CreateDemo(ctx, p); return err }},
		{name: "CreateDemoClients", want: cliOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.CreateDemoClients(ctx, p, 1, 1, nil)
			return err
		}},
		{name: "EnsureDemo", want: cliOnly, call: func(f *roleFixture, p app.Principal) error { _, _, err := f.svc.EnsureDemo(ctx, p); return err }},
		{name: "EnsureDemoUser", want: cliOnly, call: func(f *roleFixture, p app.Principal) error {
			_, _, err := f.svc.EnsureDemoUser(ctx, p, f.other)
			return err
		}},
		{name: "CopyTo", want: cliOnly, call: func(f *roleFixture, p app.Principal) error {
			dst, _ := sqliteStore(f.t())
			_, err := f.svc.CopyTo(ctx, p, app.New(dst, app.Config{}), nil)
			return err
		}},
		{name: "CreateToken", want: tokenMakers, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.CreateToken(ctx, p, app.NewToken{Name: "ci", Expires: f.svc.Now().AddDate(0, 0, 90)})
			return err
		}},
		{name: "CreateToken for another account", want: cliOnlyOthers, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.CreateToken(ctx, p, app.NewToken{Name: "ci", Expires: f.svc.Now().AddDate(0, 0, 90), User: "admin"})
			return err
		}},
		{name: "Tokens", want: tokenMakers, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.Tokens(ctx, p)
			return err
		}},
		{name: "RevokeToken", want: tokenRevokers, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			return f.svc.RevokeToken(ctx, p, 1<<40)
		}},
		{name: "UserTokens", want: adminsOthers, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.UserTokens(ctx, p, "admin")
			return err
		}},
		{name: "RevokeUserToken", want: adminsRevoke, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			return f.svc.RevokeUserToken(ctx, p, "admin", 1<<40)
		}},
		{name: "UpdateSiteSettings", want: adminOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.UpdateSiteSettings(ctx, p, app.SiteSettings{PasswordSignIn: true, Require2FA: app.Require2FAAdmins})
			return err
		}},
		{name: "SecurityEvents", want: tokenMakers, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SecurityEvents(ctx, p, "", 0)
			return err
		}},
		{name: "SaveSSOProvider", want: adminOnly, call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SaveSSOProvider(ctx, p, assess.SSOProvider{Name: "corp", DisplayName: "Corp", Issuer: "https://id.example.com", ClientID: "isogap"}, true)
			return err
		}},
		{name: "SSOProviders", want: adminOnly, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.SSOProviders(ctx, p); return err }},
		{name: "SSOProvider", want: adminOnly, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.SSOProvider(ctx, p, "corp"); return err }},
		{name: "RemoveSSOProvider", want: adminOnly, call: func(f *roleFixture, p app.Principal) error { return f.svc.RemoveSSOProvider(ctx, p, "corp") }},
		// Linking needs an enabled provider; none is, so the allowed are told so.
		{name: "StartLinkSSO", want: ssoLinkers(assess.KindNotFound), tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.StartLinkSSO(ctx, p, "corp", "http://127.0.0.1/sso/callback")
			return err
		}},
		{name: "Identities", want: ssoLinkers(ok), tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.Identities(ctx, p)
			return err
		}},
		{name: "UnlinkIdentity", want: ssoLinkers(assess.KindInvalid), tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			return f.svc.UnlinkIdentity(ctx, p, "corp", "not the password")
		}},
		// The key is the account's: the create it wraps checks the rest.
		{name: "Idempotent", want: accountKeys, call: func(f *roleFixture, p app.Principal) error {
			_, _, err := f.svc.Idempotent(ctx, p, "k", []byte("POST /x"), func() (app.Answer, error) { return app.Answer{Status: 201}, nil })
			return err
		}},
		{name: "SignIn", want: accountHolders, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SignIn(ctx, p, app.SessionMeta{}, time.Hour)
			return err
		}},
		// The second step is for a half-way sign-in only (ResolveStep),
		// which no role of the table is.
		{name: "SecondStep", want: nobodyYet, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.SecondStep(ctx, p, "000000", app.SessionMeta{}, time.Hour)
			return err
		}},
		{name: "FinishEnrolment", want: nobodyYet, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.FinishEnrolment(ctx, p, app.SessionMeta{}, time.Hour)
			return err
		}},
		{name: "StepFactorKinds", want: nobodyYet, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.StepFactorKinds(ctx, p)
			return err
		}},
		{name: "BeginPasskeyStep", want: nobodyYet, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.BeginPasskeyStep(ctx, p, "http://localhost")
			return err
		}},
		{name: "FinishPasskeyStep", want: nobodyYet, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.FinishPasskeyStep(ctx, p, "http://localhost", []byte("{}"), app.SessionMeta{}, time.Hour)
			return err
		}},
		{name: "Sessions", want: accountHolders, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.Sessions(ctx, p)
			return err
		}},
		{name: "RevokeSession", want: ownNotFound, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			return f.svc.RevokeSession(ctx, p, "0123456789abcdef")
		}},
		{name: "SignOutEverywhere", want: accountHolders, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			return f.svc.SignOutEverywhere(ctx, f.viaSession(p), "")
		}},
		{name: "MyFactors", want: accountHolders, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.MyFactors(ctx, p)
			return err
		}},
		{name: "BeginTOTP", want: accountHolders, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.BeginTOTP(ctx, p)
			return err
		}},
		{name: "ConfirmTOTP", want: ownNotFound, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.ConfirmTOTP(ctx, p, 1<<40, "", "000000")
			return err
		}},
		{name: "BeginPasskey", want: accountHolders, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.BeginPasskey(ctx, f.viaSession(p), "http://localhost")
			return err
		}},
		{name: "FinishPasskey", want: ownInvalid, tokenWant: bothTokens(assess.KindForbidden), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.FinishPasskey(ctx, f.viaSession(p), "http://localhost", "", []byte("{}"))
			return err
		}},
		{name: "RemoveFactor", want: ownNotFound, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			return f.svc.RemoveFactor(ctx, p, 1<<40, "long enough password")
		}},
		{name: "RegenerateRecoveryCodes", want: ownInvalid, tokenWant: bothTokens(assess.KindUnauthenticated), call: func(f *roleFixture, p app.Principal) error {
			_, err := f.svc.RegenerateRecoveryCodes(ctx, p, "long enough password")
			return err
		}},
		{name: "ResetFactors", want: adminOnly, call: func(f *roleFixture, p app.Principal) error { return f.svc.ResetFactors(ctx, p, "spare") }},
		{name: "FactorCounts", want: adminOnly, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.FactorCounts(ctx, p); return err }},
		{name: "TakeInventory", want: cliOnly, call: func(f *roleFixture, p app.Principal) error { _, err := f.svc.TakeInventory(ctx, p); return err }},
	}
}

// Every use case, called as every role, on both engines, gets exactly
// what the policy says; and the table names every use case app.Service has.
func TestRoleTable(t *testing.T) {
	table := roleTable()
	called := map[string]bool{}
	for _, uc := range table {
		called[firstWord(uc.name)] = true
		for _, r := range everyone {
			if _, ok := uc.want[r]; !ok {
				t.Fatalf("%s: no outcome for %s", uc.name, r)
			}
		}
	}
	for m := range reflect.TypeFor[*app.Service]().Methods() {
		if _, free := principalFree[m.Name]; !free && !called[m.Name] {
			t.Errorf("the role table does not call %s: add a row", m.Name)
		}
	}
	for _, eng := range []struct {
		name string
		open func(t *testing.T) store.Store
	}{{"sqlite", func(t *testing.T) store.Store { st, _ := sqliteStore(t); return st }}, {"postgres", postgresStore}} {
		t.Run(eng.name, func(t *testing.T) {
			for _, r := range append(slices.Clone(everyone), tokenRoles...) {
				t.Run(r, func(t *testing.T) {
					t.Parallel() // each role has a fixture and a database of its own
					f := newRoleFixture(t, eng.open(t))
					f.tb = t
					p := f.people[r] // the zero Principal for nobody
					for _, uc := range table {
						err := uc.call(f, p)
						if want := uc.wantOf(r); (err == nil) != (want == ok) || (err != nil && assess.KindOf(err) != want) {
							t.Errorf("%s as %s: %s, want %s", uc.name, r, outcomeOf(err), kindName(want))
						}
					}
				})
			}
		})
	}
}

// kindName names an expected outcome (ok is allowed).
func kindName(k assess.Kind) string {
	if k == ok {
		return "allowed"
	}
	return k.String()
}

func outcomeOf(err error) string {
	if err == nil {
		return "allowed"
	}
	return assess.KindOf(err).String() + ": " + err.Error()
}

func firstWord(s string) string {
	for i, c := range s {
		if c == ' ' {
			return s[:i]
		}
	}
	return s
}
