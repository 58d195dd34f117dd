package app_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/interview"
	"github.com/isogap/isogap/internal/store"
)

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu    sync.Mutex
	mails []app.InterviewMail
}

func (m *mailbox) SendInterviewMail(_ context.Context, im app.InterviewMail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, im)
	return nil
}

// linkFixture: an assessment with an interview of HR, sent, on a clock
// the test moves.
type linkFixture struct {
	svc        *app.Service
	now        *time.Time
	aid, other string
	iid        int64
	token      string
	box        *mailbox
}

func newLinkFixture(t *testing.T, st store.Store) *linkFixture {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)
	f := &linkFixture{now: &now, box: &mailbox{}}
	f.svc = app.New(st, app.Config{Clock: func() time.Time { return *f.now }, Mailer: f.box})
	cli := app.System("cli")
	a, err := f.svc.CreateAssessment(ctx, cli, app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.svc.CreateAssessment(ctx, cli, app.NewAssessment{Org: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	f.aid, f.other = a.ID, o.ID
	iv, err := f.svc.CreateInterview(ctx, cli, f.aid, app.NewInterview{Name: "Jana Novak", Email: "jana@example.com", Department: "HR",
		Due: assess.NewDate(2027, 1, 31)})
	if err != nil {
		t.Fatal(err)
	}
	f.iid = iv.ID
	sent, err := f.svc.SendInterview(ctx, cli, f.aid, f.iid, "https://isogap.example/")
	if err != nil || !sent.Mailed {
		t.Fatalf("send: %+v %v", sent, err)
	}
	f.token = strings.TrimPrefix(sent.Link, "https://isogap.example"+app.InterviewLinkPath)
	if f.token == sent.Link || len(f.box.mails) != 1 || f.box.mails[0].Link != sent.Link || f.box.mails[0].Reminder {
		t.Fatalf("link %q, mails %+v", sent.Link, f.box.mails)
	}
	return f
}

func eachEngine(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) { st, _ := sqliteStore(t); fn(t, st) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresStore(t)) })
}

func wantKind(t *testing.T, what string, err error, k assess.Kind) {
	t.Helper()
	if assess.KindOf(err) != k || err == nil {
		t.Errorf("%s: %v, want %s", what, err, k)
	}
}

// A link opens its interview only: not another item, another interview,
// another assessment, any other use case, nor anything after revoke,
// expiry or submit; a stolen hash opens nothing.
func TestInterviewLinkAccess(t *testing.T) {
	eachEngine(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newLinkFixture(t, st)
		cli := app.System("cli")
		session, p, err := f.svc.InterviewSignIn(ctx, f.token, "")
		if err != nil || p.Interview == nil {
			t.Fatalf("sign in: %v", err)
		}
		view, err := f.svc.Interview(ctx, p, f.aid, f.iid)
		if err != nil || !view.ForInterviewee || len(view.Items) == 0 {
			t.Fatalf("own interview: %+v %v", view, err)
		}
		for _, it := range view.Items {
			if it.Current != nil || it.Suggestion.Reasons != nil {
				t.Errorf("%s: the interviewee sees the item's state or a suggestion", it.Ref)
			}
		}
		q := view.Items[0].Questions[0]
		if _, err := f.svc.AnswerQuestion(ctx, p, f.aid, f.iid, app.AnswerInput{QuestionID: q.ID, Kind: interview.Yes, Comment: "yes"}); err != nil {
			t.Fatal(err)
		}
		hist, _ := f.svc.History(ctx, cli, f.aid, app.HistoryQuery{Ref: view.Items[0].Ref})
		if n := len(hist); n == 0 || hist[n-1].Actor != "Jana Novak (interview)" || hist[n-1].Field != "interview" {
			t.Errorf("the answer's history: %+v", hist)
		}
		wantKind(t, "a question of another item", mustErr(f.svc.AnswerQuestion(ctx, p, f.aid, f.iid, app.AnswerInput{QuestionID: "4.1#1", Kind: interview.Yes})), assess.KindInvalid)
		wantKind(t, "another assessment", mustErr(f.svc.Interview(ctx, p, f.other, f.iid)), assess.KindNotFound)
		wantKind(t, "another interview", mustErr(f.svc.Interview(ctx, p, f.aid, f.iid+1)), assess.KindNotFound)
		wantKind(t, "an item", mustErr(f.svc.Item(ctx, p, f.aid, "A.6.1")), assess.KindUnauthenticated)
		wantKind(t, "the assessment", mustErr(f.svc.Assessment(ctx, p, f.aid)), assess.KindUnauthenticated)
		wantKind(t, "the interview list", mustErr(f.svc.Interviews(ctx, p, f.aid)), assess.KindUnauthenticated)
		wantKind(t, "an item edit", mustErr(f.svc.UpdateItem(ctx, p, f.aid, "A.6.1", 0, app.ItemPatch{Notes: ptr("x")})), assess.KindUnauthenticated)
		wantKind(t, "accepting", mustErr(f.svc.AcceptInterviewItem(ctx, p, f.aid, f.iid, app.AcceptInput{Ref: "A.6.1"})), assess.KindForbidden)
		wantKind(t, "revoking", mustErr(f.svc.RevokeInterview(ctx, p, f.aid, f.iid)), assess.KindForbidden)
		if _, err := f.svc.ResolveInterviewSession(ctx, session); err != nil {
			t.Errorf("resolve: %v", err)
		}

		// The hash a database holds opens nothing, as a link or a session.
		iv, _ := st.Interview(ctx, f.aid, f.iid)
		wantKind(t, "the stored hash as a link", mustErr3(f.svc.InterviewSignIn(ctx, iv.TokenHash, "")), assess.KindUnauthenticated)
		wantKind(t, "the stored hash as a session", mustErr(f.svc.ResolveInterviewSession(ctx, iv.SessionHash)), assess.KindUnauthenticated)

		// Another browser opening the link takes the interview over.
		_, p2, err := f.svc.InterviewSignIn(ctx, f.token, "")
		if err != nil {
			t.Fatal(err)
		}
		wantKind(t, "the first browser after a second sign-in", mustErr(f.svc.Interview(ctx, p, f.aid, f.iid)), assess.KindUnauthenticated)
		if _, err := f.svc.Interview(ctx, p2, f.aid, f.iid); err != nil {
			t.Errorf("second browser: %v", err)
		}
		// A reminder's new link replaces the old one; the session stays.
		if _, err := f.svc.RemindInterviews(ctx, cli, f.aid, "https://isogap.example"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "the link after a reminder", mustErr3(f.svc.InterviewSignIn(ctx, f.token, "")), assess.KindUnauthenticated)
		if _, err := f.svc.Interview(ctx, p2, f.aid, f.iid); err != nil {
			t.Errorf("the session after a reminder: %v", err)
		}
		if len(f.box.mails) != 2 || !f.box.mails[1].Reminder || f.box.mails[1].Answered != 1 {
			t.Errorf("reminder mail: %+v", f.box.mails)
		}

		// Expiry: the due date plus the grace period.
		*f.now = time.Date(2027, 2, 15, 0, 0, 0, 0, time.UTC)
		wantKind(t, "after expiry", mustErr(f.svc.Interview(ctx, p2, f.aid, f.iid)), assess.KindForbidden)
		*f.now = time.Date(2027, 2, 14, 23, 0, 0, 0, time.UTC)
		if _, err := f.svc.Interview(ctx, p2, f.aid, f.iid); err != nil {
			t.Errorf("within the grace period: %v", err)
		}
		if sum, _ := f.svc.Interviews(ctx, cli, f.aid); len(sum) != 1 || !sum[0].Overdue || sum[0].Answered != 1 {
			t.Errorf("list after the due date: %+v", sum)
		}
		// Revoke ends the session at once.
		if _, err := f.svc.RevokeInterview(ctx, cli, f.aid, f.iid); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "after revoke", mustErr(f.svc.Interview(ctx, p2, f.aid, f.iid)), assess.KindUnauthenticated)
		wantKind(t, "answering after revoke", mustErr(f.svc.AnswerQuestion(ctx, p2, f.aid, f.iid, app.AnswerInput{QuestionID: q.ID, Kind: interview.No, BaseRevision: 1})), assess.KindUnauthenticated)
	})
}

func mustErr[T any](_ T, err error) error { return err }

func mustErr3[A, B any](_ A, _ B, err error) error { return err }

// The whole flow: answer with evidence, a stale answer refused, submit,
// return a question, answer again, accept through the item's save rules
// (a score changed meanwhile is a conflict), and the export carries it.
func TestInterviewFlow(t *testing.T) {
	ctx := context.Background()
	st, _ := sqliteStore(t)
	f := newLinkFixture(t, st)
	cli := app.System("cli")
	_, p, err := f.svc.InterviewSignIn(ctx, f.token, "")
	if err != nil {
		t.Fatal(err)
	}
	view, err := f.svc.Interview(ctx, p, f.aid, f.iid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitInterview(ctx, p, f.aid, f.iid); err == nil || !strings.Contains(err.Error(), "not answered yet") {
		t.Errorf("submit with nothing answered: %v", err)
	}
	for _, it := range view.Items {
		for _, q := range it.Questions {
			if _, err := f.svc.AnswerQuestion(ctx, p, f.aid, f.iid, app.AnswerInput{QuestionID: q.ID, Kind: interview.Yes}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AddInterviewEvidence(ctx, p, f.aid, f.iid, q.ID, app.NewEvidence{FileName: "e.txt", Content: []byte(q.ID)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	first := view.Items[0]
	q0 := first.Questions[0].ID
	if _, err := f.svc.AddInterviewEvidence(ctx, p, f.aid, f.iid, q0, app.NewEvidence{FileName: "big.bin", Content: make([]byte, app.MaxEvidenceFile+1)}); assess.KindOf(err) != assess.KindInvalid {
		t.Errorf("a file over the limit: %v", err)
	}
	// The assessor, typing from paper, and the interviewee both answered revision 1.
	if _, err := f.svc.AnswerQuestion(ctx, cli, f.aid, f.iid, app.AnswerInput{QuestionID: q0, Kind: interview.Partly, Comment: "paper", BaseRevision: 1}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "a stale answer", mustErr(f.svc.AnswerQuestion(ctx, p, f.aid, f.iid, app.AnswerInput{QuestionID: q0, Kind: interview.No, BaseRevision: 1})), assess.KindConflict)
	if _, err := f.svc.AnswerQuestion(ctx, p, f.aid, f.iid, app.AnswerInput{QuestionID: q0, Kind: interview.Yes, BaseRevision: 2}); err != nil {
		t.Fatal(err)
	}
	sum, err := f.svc.SubmitInterview(ctx, p, f.aid, f.iid)
	if err != nil || sum.State != interview.Submitted || sum.Answered != sum.Total {
		t.Fatalf("submit: %+v %v", sum, err)
	}
	wantKind(t, "the interviewee after submit", mustErr(f.svc.Interview(ctx, p, f.aid, f.iid)), assess.KindForbidden)

	// Return a question; the interviewee sees the note and answers again.
	if _, err := f.svc.ReturnQuestions(ctx, cli, f.aid, f.iid, []app.ReturnInput{{QuestionID: q0, Note: "Which policy?"}}); err != nil {
		t.Fatal(err)
	}
	back, err := f.svc.Interview(ctx, p, f.aid, f.iid)
	if err != nil || !back.Items[0].Questions[0].Returned || back.Items[0].Questions[0].Notes[0].Text != "Which policy?" || back.Returned != 1 {
		t.Fatalf("returned question: %+v %v", back.Items[0].Questions[0], err)
	}
	if _, err := f.svc.AnswerQuestion(ctx, p, f.aid, f.iid, app.AnswerInput{QuestionID: q0, Kind: interview.Yes, Comment: "HR-01", BaseRevision: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitInterview(ctx, p, f.aid, f.iid); err != nil {
		t.Fatal(err)
	}

	// Review: every answer Yes with evidence suggests 5.
	review, err := f.svc.Interview(ctx, cli, f.aid, f.iid)
	if err != nil || review.ForInterviewee || review.Items[0].Suggestion.Score != 5 || review.Items[0].Current == nil {
		t.Fatalf("review: %+v %v", review.Items[0], err)
	}
	seen := review.Items[0].Current.Version
	// Someone scores the first item meanwhile: accepting on the old version is a conflict.
	if _, err := f.svc.UpdateItem(ctx, cli, f.aid, first.Ref, 0, app.ItemPatch{Score: ptr(assess.Score(2))}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AcceptInterviewItem(ctx, cli, f.aid, f.iid, app.AcceptInput{Ref: first.Ref, BaseVersion: seen, AttachEvidence: true})
	var ce *assess.ConflictError
	if !errors.As(err, &ce) || ce.Current.Score != 2 {
		t.Fatalf("accept over a newer score: %v, want a conflict showing 2", err)
	}
	if it, _ := f.svc.Item(ctx, cli, f.aid, first.Ref); it.Score != 2 || len(it.Evidence) != 0 {
		t.Errorf("a refused accept changed the item: %+v", it)
	}
	// A change to another field meanwhile does not stand in the way.
	cur, _ := f.svc.Item(ctx, cli, f.aid, first.Ref)
	if _, err := f.svc.UpdateItem(ctx, cli, f.aid, first.Ref, 0, app.ItemPatch{Notes: ptr("talked to HR")}); err != nil {
		t.Fatal(err)
	}
	it, err := f.svc.AcceptInterviewItem(ctx, cli, f.aid, f.iid, app.AcceptInput{Ref: first.Ref, BaseVersion: cur.Version, AttachEvidence: true})
	if err != nil || it.Score != 5 || it.Notes != "talked to HR" || len(it.Evidence) != len(first.Questions) {
		t.Fatalf("accept: %+v %v", it, err)
	}
	if !strings.Contains(it.Evidence[0].Text, "interview with Jana Novak") || it.Evidence[0].Kind != assess.EvidenceFile {
		t.Errorf("attached evidence: %+v", it.Evidence[0])
	}
	for _, item := range review.Items[1:] {
		if _, err := f.svc.AcceptInterviewItem(ctx, cli, f.aid, f.iid, app.AcceptInput{Ref: item.Ref, Score: 4}); err != nil {
			t.Fatal(err)
		}
	}
	if sums, _ := f.svc.Interviews(ctx, cli, f.aid); sums[0].State != interview.Reviewed || sums[0].Accepted != len(review.Items) {
		t.Errorf("after accepting every item: %+v", sums[0])
	}

	// The export carries the interview and its files; an import as new drops the link.
	var buf bytes.Buffer
	if err := f.svc.Export(ctx, cli, f.aid, app.DefaultFormats()[0], &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"interviews"`) {
		t.Fatal("the export has no interviews")
	}
	imp, err := f.svc.ImportJSON(ctx, cli, bytes.NewReader(buf.Bytes()), app.ImportOptions{AsNew: true})
	if err != nil {
		t.Fatal(err)
	}
	copied, err := st.Interview(ctx, imp.ID, f.iid)
	if err != nil || copied.TokenHash != "" || copied.SessionHash != "" || len(copied.Evidence) != countEvidence(review) {
		t.Errorf("imported interview: %+v %v", copied, err)
	}
	_, content, err := f.svc.InterviewEvidenceFile(ctx, cli, imp.ID, f.iid, copied.Evidence[0].ID)
	if err != nil || string(content) != copied.Evidence[0].QuestionID {
		t.Errorf("imported file: %q %v", content, err)
	}
}

func countEvidence(v app.InterviewView) int {
	n := 0
	for _, it := range v.Items {
		for _, q := range it.Questions {
			n += len(q.Evidence)
		}
	}
	return n
}

// A member with an account finds the interviews addressed to their own
// e-mail address, and nobody else's; a submitted one leaves the list.
func TestMyInterviews(t *testing.T) {
	eachEngine(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newLinkFixture(t, st)
		cli := app.System("cli")
		mk := func(login, email string) app.Principal {
			u, err := f.svc.CreateUser(ctx, cli, app.NewUser{Login: login, Name: login, Email: email, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.PutMember(ctx, cli, f.aid, app.MemberInput{Login: login, Role: "viewer"}); err != nil {
				t.Fatal(err)
			}
			return app.Principal{User: u}
		}
		jana, carl := mk("jana", "Jana@Example.com"), mk("carl", "carl@example.com")
		mine, err := f.svc.MyInterviews(ctx, jana, f.aid)
		if err != nil || len(mine) != 1 || mine[0].ID != f.iid || mine[0].Total == 0 {
			t.Fatalf("jana's interviews: %+v %v", mine, err)
		}
		if theirs, err := f.svc.MyInterviews(ctx, carl, f.aid); err != nil || len(theirs) != 0 {
			t.Errorf("carl sees %+v %v", theirs, err)
		}
		// What the list offers, the member may open and answer.
		view, err := f.svc.Interview(ctx, jana, f.aid, f.iid)
		if err != nil || !view.ForInterviewee {
			t.Fatalf("jana opens her interview: %v", err)
		}
		for _, it := range view.Items {
			for _, q := range it.Questions {
				if _, err := f.svc.AnswerQuestion(ctx, jana, f.aid, f.iid, app.AnswerInput{QuestionID: q.ID, Kind: interview.Yes, BaseRevision: q.Revision}); err != nil {
					t.Fatalf("answer %s: %v", q.ID, err)
				}
			}
		}
		if _, err := f.svc.SubmitInterview(ctx, jana, f.aid, f.iid); err != nil {
			t.Fatal(err)
		}
		if mine, err := f.svc.MyInterviews(ctx, jana, f.aid); err != nil || len(mine) != 0 {
			t.Errorf("after submitting, jana's list: %+v %v", mine, err)
		}
	})
}
