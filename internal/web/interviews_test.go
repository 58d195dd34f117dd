package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/interview"
	"github.com/isogap/isogap/internal/report"
	"github.com/isogap/isogap/internal/web"
)

// ivSite is an assessment with its assessor, auditor, viewer, a member
// whose e-mail is the interviewee's, and an assessor of another
// assessment, on a clock the test moves.
type ivSite struct {
	*site
	now                                       *time.Time
	aid, other                                string
	assessor, auditor, viewer, jana, stranger *client
}

var packWriter = func(w io.Writer, in web.PackInput) error { return report.WriteInterviewPack(w, report.PackInput(in)) }

func newIVSite(t *testing.T, e engine, cfg web.Config) *ivSite {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)
	f := &ivSite{now: &now}
	cfg.InterviewPack = packWriter
	f.site = newSiteAt(t, e.open(t), cfg, func() time.Time { return *f.now })
	sys := app.System("setup")
	a, err := f.svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme Cloud"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Other Client"})
	if err != nil {
		t.Fatal(err)
	}
	f.aid, f.other = a.ID, o.ID
	var ann, otto, vera, bob assess.User
	f.assessor, ann = f.user("ann", false)
	f.auditor, otto = f.user("otto", false)
	f.viewer, vera = f.user("vera", false)
	f.stranger, bob = f.user("bob", false)
	jana, err := f.svc.CreateUser(ctx, sys, app.NewUser{Login: "jana", Name: "Jana Novak", Email: "jana@example.com", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	f.jana = f.clientFor(jana)
	for _, m := range []assess.Membership{
		{AssessmentID: a.ID, UserID: ann.ID, Role: assess.RoleAssessor},
		{AssessmentID: a.ID, UserID: otto.ID, Role: assess.RoleAuditor},
		{AssessmentID: a.ID, UserID: vera.ID, Role: assess.RoleViewer},
		{AssessmentID: a.ID, UserID: jana.ID, Role: assess.RoleViewer},
		{AssessmentID: o.ID, UserID: bob.ID, Role: assess.RoleAssessor},
	} {
		if err := f.st.PutMembership(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// create starts an interview through the web form and returns its page.
func (f *ivSite) create(fields url.Values) string {
	f.t.Helper()
	r := f.assessor.post("/a/"+f.aid+"/interviews", fields)
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "/interviews/") {
		f.t.Fatalf("create interview: %d %s", r.status, excerpt(r.body))
	}
	return strings.Split(r.header.Get("Location"), "?")[0]
}

var linkRE = regexp.MustCompile(`/interview/([A-Za-z0-9_-]{20,})`)

// send sends the interview at page and returns the link's token.
func (f *ivSite) send(page string) string {
	f.t.Helper()
	r := f.assessor.post(page+"/send", nil)
	m := linkRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		f.t.Fatalf("send: %d %s", r.status, excerpt(r.body))
	}
	if !strings.Contains(r.body, "not e-mailed") {
		f.t.Errorf("without a mailer the page must say the mail did not go: %s", excerpt(r.body))
	}
	return m[1]
}

// open follows an invitation link in a new browser and returns it signed
// in to the interview.
func (f *ivSite) open(token string) *client {
	f.t.Helper()
	c := f.anonymous()
	r := c.get("/interview/" + token)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/interview/" {
		f.t.Fatalf("open link: %d %q %s", r.status, r.header.Get("Location"), excerpt(r.body))
	}
	if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
		f.t.Errorf("link's Referrer-Policy: %q", got)
	}
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == "isogap_interview" {
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/interview" || ck.Value == "" || strings.Contains(ck.Value, token) {
				f.t.Errorf("interview cookie: %+v", ck)
			}
			c.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if c.cookie == nil {
		f.t.Fatalf("no interview cookie: %v", r.header)
	}
	return c
}

func (f *ivSite) view(page string) app.InterviewView {
	f.t.Helper()
	parts := strings.Split(page, "/")
	iv, err := f.svc.Interview(context.Background(), app.System("test"), f.aid, int64(atoi(f.t, parts[len(parts)-1])))
	if err != nil {
		f.t.Fatal(err)
	}
	return iv
}

func atoi(t testing.TB, s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// answerForm is an item screen's form with every question answered kind.
func answerForm(it app.InterviewItem, kind interview.Kind, comment, goTo string) url.Values {
	v := url.Values{"go": {goTo}}
	for _, q := range it.Questions {
		v.Set("rev_"+q.ID, itoa(int64(q.Revision)))
		v.Set("was_"+q.ID, string(q.Answer))
		v.Set("was_c_"+q.ID, q.Comment)
		v.Set("a_"+q.ID, string(kind))
		v.Set("c_"+q.ID, comment)
	}
	return v
}

func upload(c *client, path string, fields map[string]string, file string, content []byte) response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", file)
		fw.Write(content)
	}
	mw.Close()
	return c.do("POST", path, &buf, mw.FormDataContentType())
}

var hrForm = form("name", "Jana Novak", "email", "jana@example.com", "department", "HR", "due", "2027-01-31")

// TestInterviewLinkAccess: a link opens its own interview and nothing
// else, and stops opening it once revoked, expired or opened elsewhere; the
// stored hashes open nothing.
func TestInterviewLinkAccess(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newIVSite(t, e, web.Config{})
		page := f.create(hrForm)
		token := f.send(page)
		iv := f.view(page)
		if len(iv.Items) < 2 || iv.Department != "HR" {
			t.Fatalf("HR interview: %+v", iv.InterviewSummary)
		}
		mine, notMine := iv.Items[0].Ref, "4.1"
		jana := f.open(token)

		for path, want := range map[string]int{
			"/interview/":                             200,
			"/interview/items/" + mine:                200,
			"/interview/end":                          200,
			"/interview/items/" + notMine:             404,
			"/interview/items/..%2F..%2Fa%2F" + f.aid: 404,
			"/interview/evidence/1":                   404,
		} {
			if r := jana.get(path); r.status != want {
				t.Errorf("link holder GET %s: %d, want %d %s", path, r.status, want, excerpt(r.body))
			}
		}
		if r := jana.get("/interview/"); !strings.Contains(r.body, "Questions from Acme Cloud") || strings.Contains(r.body, "/a/"+f.aid) {
			t.Errorf("start page: %s", excerpt(r.body))
		}
		// The interview session is no account session: the assessment's
		// pages, other interviews' pages and other assessments send it to sign in.
		for _, path := range []string{"/a/" + f.aid + "/", "/a/" + f.aid + "/matrix", "/a/" + f.aid + "/items/" + mine, page,
			page + "/answer/", "/a/" + f.other + "/", "/a/" + f.aid + "/download/json"} {
			if r := jana.get(path); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
				t.Errorf("link holder GET %s: %d %q", path, r.status, r.header.Get("Location"))
			}
		}
		if r := jana.post("/a/"+f.aid+"/items/"+notMine, form("version", "1", "score", "5")); r.status != http.StatusUnauthorized {
			t.Errorf("link holder scoring an item: %d", r.status)
		}
		// Another item's question posted on this item's screen is ignored;
		// on its own screen it is not found; as evidence it is refused.
		other := iv.Items[1].Questions[0].ID
		if r := jana.post("/interview/items/"+mine, form("a_"+other, "yes", "was_"+other, "", "rev_"+other, "0")); r.status != http.StatusSeeOther {
			t.Errorf("stray answer: %d %s", r.status, excerpt(r.body))
		}
		if r := jana.post("/interview/items/"+notMine, form("a_4.1#1", "yes", "rev_4.1#1", "0")); r.status != http.StatusNotFound {
			t.Errorf("answer to another department's item: %d", r.status)
		}
		if r := upload(jana, "/interview/items/"+mine+"/evidence", map[string]string{"question": "4.1#1", "text": "x"}, "", nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("evidence for another item's question: %d %s", r.status, excerpt(r.body))
		}
		if got := f.view(page); got.Answered != 0 {
			t.Errorf("the stray answers were saved: %d answered", got.Answered)
		}

		// The stored hashes are useless as a link or a cookie.
		stored, err := f.st.Interview(context.Background(), f.aid, iv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r := f.anonymous().get("/interview/" + stored.TokenHash); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "does not work") {
			t.Errorf("the token's hash as a link: %d %s", r.status, excerpt(r.body))
		}
		thief := f.anonymous()
		thief.cookie = &http.Cookie{Name: "isogap_interview", Value: stored.SessionHash}
		if r := thief.get("/interview/"); r.status != http.StatusUnauthorized {
			t.Errorf("the session's hash as a cookie: %d", r.status)
		}
		if r := f.anonymous().get("/interview/"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "open the link") {
			t.Errorf("no cookie: %d %s", r.status, excerpt(r.body))
		}

		// Opened in a second browser: the first one is out.
		second := f.open(token)
		if r := jana.get("/interview/"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "another browser") {
			t.Errorf("first browser after a second sign-in: %d %s", r.status, excerpt(r.body))
		}
		if r := second.get("/interview/"); r.status != 200 {
			t.Errorf("second browser: %d", r.status)
		}

		// Revoked: the session and the link stop.
		if r := f.assessor.post(page+"/revoke", nil); r.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d %s", r.status, excerpt(r.body))
		}
		if r := second.get("/interview/items/" + mine); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "withdrawn") {
			t.Errorf("after revoke: %d %s", r.status, excerpt(r.body))
		}
		if r := f.anonymous().get("/interview/" + token); r.status != http.StatusUnauthorized {
			t.Errorf("link after revoke: %d", r.status)
		}

		// Expired: past the due date and the grace period.
		page2 := f.create(hrForm)
		late := f.open(f.send(page2))
		*f.now = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
		if r := late.get("/interview/"); r.status != http.StatusForbidden || !strings.Contains(r.body, "expired") {
			t.Errorf("after expiry: %d %s", r.status, excerpt(r.body))
		}
	})
}

// TestInterviewRoles: assessors manage interviews, auditors read them,
// the interviewee's account answers its own, others see nothing.
func TestInterviewRoles(t *testing.T) {
	f := newIVSite(t, engines[0], web.Config{})
	// Due today: overdue tomorrow, while the test's sessions still last.
	page := f.create(form("name", "Jana Novak", "email", "jana@example.com", "department", "HR", "due", "2027-01-10"))
	list := "/a/" + f.aid + "/interviews"
	for who, c := range map[string]*client{"assessor": f.assessor, "auditor": f.auditor} {
		if r := c.get(list); r.status != 200 || !strings.Contains(r.body, "Jana Novak") || !strings.Contains(r.body, "0/") {
			t.Errorf("%s lists: %d %s", who, r.status, excerpt(r.body))
		}
		if r := c.get(page); r.status != 200 || !strings.Contains(r.body, "Interview with Jana Novak") {
			t.Errorf("%s reviews: %d", who, r.status)
		}
	}
	if r := f.auditor.get(list); strings.Contains(r.body, "Start an interview") || strings.Contains(r.body, `id="remind"`) {
		t.Errorf("the auditor is offered the assessor's forms")
	}
	for what, path := range map[string]string{"send": page + "/send", "revoke": page + "/revoke", "create": list, "remind": list + "/remind"} {
		if r := f.auditor.post(path, hrForm); r.status != http.StatusForbidden {
			t.Errorf("auditor %s: %d", what, r.status)
		}
	}
	if r := f.assessor.post(list+"/remind", nil); r.status != 200 || !strings.Contains(r.body, "Nobody to remind") {
		t.Errorf("reminders with nothing sent: %d %s", r.status, excerpt(r.body))
	}
	if r := f.viewer.get(list); r.status != http.StatusForbidden {
		t.Errorf("viewer lists: %d", r.status)
	}
	if r := f.viewer.get(page); r.status != http.StatusForbidden {
		t.Errorf("viewer opens the interview: %d", r.status)
	}
	if r := f.stranger.get(list); r.status != http.StatusNotFound {
		t.Errorf("another assessment's assessor lists: %d", r.status)
	}
	// The member with the interviewee's address finds the interview on the
	// dashboard; nobody else does.
	if r := f.jana.get("/a/" + f.aid + "/"); !strings.Contains(r.body, `id="my-interviews"`) || !strings.Contains(r.body, page+"/answer/") {
		t.Errorf("the interviewee's dashboard does not lead to the interview: %s", excerpt(r.body))
	}
	if r := f.viewer.get("/a/" + f.aid + "/"); strings.Contains(r.body, `id="my-interviews"`) {
		t.Errorf("a viewer's dashboard offers someone else's interview")
	}
	// The member with the interviewee's address answers in the web app.
	if r := f.jana.get(page); r.status != http.StatusSeeOther || r.header.Get("Location") != page+"/answer/" {
		t.Errorf("interviewee's account on the review page: %d %q", r.status, r.header.Get("Location"))
	}
	iv := f.view(page)
	it := iv.Items[0]
	if r := f.jana.post(page+"/answer/items/"+it.Ref, answerForm(it, interview.Yes, "", "next")); r.status != http.StatusSeeOther {
		t.Errorf("interviewee's account answers: %d %s", r.status, excerpt(r.body))
	}
	if got := f.view(page); got.Answered != len(it.Questions) || got.Items[0].Questions[0].By != "Jana Novak" {
		t.Errorf("after the account's answers: %d answered, by %q", got.Answered, got.Items[0].Questions[0].By)
	}
	if r := f.viewer.post(page+"/answer/items/"+it.Ref, answerForm(it, interview.No, "", "next")); r.status != http.StatusForbidden {
		t.Errorf("a viewer answers: %d", r.status)
	}
	// Due date passed: flagged on the list and on the dashboard.
	*f.now = time.Date(2027, 1, 11, 8, 0, 0, 0, time.UTC)
	if r := f.assessor.get("/a/" + f.aid + "/"); !strings.Contains(r.body, `id="overdue-interviews"`) || !strings.Contains(r.body, "Jana Novak") {
		t.Errorf("dashboard without the overdue interview: %s", excerpt(r.body))
	}
	if r := f.viewer.get("/a/" + f.aid + "/"); strings.Contains(r.body, "overdue-interviews") {
		t.Errorf("a viewer's dashboard shows interviews")
	}
	if r := f.assessor.get(list); !strings.Contains(r.body, `id="overdue-count"`) {
		t.Errorf("the list does not flag the overdue interview")
	}
}

// TestInterviewSecureCookie: behind TLS the interview cookie is Secure.
func TestInterviewSecureCookie(t *testing.T) {
	f := newIVSite(t, engines[0], web.Config{SecureCookies: true})
	r := f.anonymous().get("/interview/" + f.send(f.create(hrForm)))
	cs := (&http.Response{Header: r.header}).Cookies()
	if len(cs) != 1 || !cs[0].Secure || !cs[0].HttpOnly {
		t.Errorf("cookies over TLS: %+v", cs)
	}
}

// TestInterviewConfirmEmail: a link that asks for the address drops the
// token from the address bar first, then opens only for the right one.
func TestInterviewConfirmEmail(t *testing.T) {
	f := newIVSite(t, engines[0], web.Config{})
	fields := form("name", "Jana Novak", "email", "jana@example.com", "department", "HR", "confirm_email", "on")
	token := f.send(f.create(fields))
	c := f.anonymous()
	r := c.get("/interview/" + token)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/interview/confirm" {
		t.Fatalf("link asking for the address: %d %q", r.status, r.header.Get("Location"))
	}
	cs := (&http.Response{Header: r.header}).Cookies()
	if len(cs) != 1 || cs[0].Name != "isogap_interview_link" || !cs[0].HttpOnly || cs[0].Path != "/interview/confirm" {
		t.Fatalf("link cookie: %+v", cs)
	}
	c.cookie = &http.Cookie{Name: cs[0].Name, Value: cs[0].Value}
	if r := c.get("/interview/confirm"); r.status != 200 || !strings.Contains(r.body, `type="email"`) {
		t.Errorf("confirm form: %d", r.status)
	}
	if r := c.post("/interview/confirm", form("email", "someone@example.com")); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not the address") {
		t.Errorf("wrong address: %d %s", r.status, excerpt(r.body))
	}
	r = c.post("/interview/confirm", form("email", "Jana@Example.com"))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/interview/" {
		t.Fatalf("right address: %d %s", r.status, excerpt(r.body))
	}
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == "isogap_interview" {
			c.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if r := c.get("/interview/"); r.status != 200 {
		t.Errorf("after confirming: %d", r.status)
	}
}

// TestInterviewAnswerAndReview: answers saved from the forms (without the
// script), a stale answer refused, submit refused while questions are
// open, evidence uploaded, then the review: the paper guide, an accept
// that meets a newer score, an accept, a return answered again.
func TestInterviewAnswerAndReview(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		f := newIVSite(t, e, web.Config{MaxUpload: 4 << 10})
		page := f.create(hrForm)
		c := f.open(f.send(page))
		iv := f.view(page)
		first, second := iv.Items[0], iv.Items[1]

		r := c.post("/interview/items/"+first.Ref, answerForm(first, interview.Yes, "Screening is done by the HR team", "next"))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/interview/items/"+second.Ref {
			t.Fatalf("save and continue: %d %q %s", r.status, r.header.Get("Location"), excerpt(r.body))
		}
		// The same screen sent again as it was first opened: each answer is
		// refused as stale, the page says so and keeps what was typed.
		r = c.post("/interview/items/"+first.Ref, answerForm(first, interview.No, "", "next"))
		if r.status != http.StatusConflict || !strings.Contains(r.body, "answered meanwhile") {
			t.Errorf("stale answer: %d %s", r.status, excerpt(r.body))
		}
		if got := f.view(page).Items[0].Questions[0].Answer; got != interview.Yes {
			t.Errorf("the stale answer overwrote: %s", got)
		}
		// The script's save: JSON with the new revisions.
		fresh := f.view(page).Items[0]
		inline := answerForm(fresh, interview.Partly, "Contractors are screened by the agency", "")
		c.header = http.Header{"X-Isogap-Inline": {"1"}}
		r = c.post("/interview/items/"+first.Ref, inline)
		c.header = nil
		if r.status != 200 || !strings.Contains(r.body, `"revisions"`) || !strings.Contains(r.body, `"`+first.Questions[0].ID+`":2`) {
			t.Errorf("inline save: %d %s", r.status, r.body)
		}
		// Evidence: a file within the cap, one over it.
		r = upload(c, "/interview/items/"+first.Ref+"/evidence", map[string]string{"question": first.Questions[0].ID, "text": "Screening checklist"}, "checklist.pdf", []byte("%PDF-1.4 checklist"))
		if r.status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", r.status, excerpt(r.body))
		}
		r = upload(c, "/interview/items/"+first.Ref+"/evidence", map[string]string{"question": first.Questions[0].ID}, "big.bin", bytes.Repeat([]byte("x"), 200<<10))
		if r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized upload: %d", r.status)
		}
		ev := f.view(page).Items[0].Questions[0].Evidence
		if len(ev) != 1 || ev[0].FileName != "checklist.pdf" {
			t.Fatalf("evidence: %+v", ev)
		}
		if r := c.get("/interview/evidence/" + itoa(ev[0].ID)); r.status != 200 || r.body != "%PDF-1.4 checklist" {
			t.Errorf("own file: %d", r.status)
		}
		// Submit refused while questions are open, with the list of them.
		r = c.post("/interview/submit", nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not answered yet") || !strings.Contains(r.body, second.Questions[0].ID) {
			t.Errorf("early submit: %d %s", r.status, excerpt(r.body))
		}
		for _, it := range f.view(page).Items[1:] {
			if r := c.post("/interview/items/"+it.Ref, answerForm(it, interview.Yes, "", "next")); r.status != http.StatusSeeOther {
				t.Fatalf("answer %s: %d %s", it.Ref, r.status, excerpt(r.body))
			}
		}
		if r := c.post("/interview/submit", nil); r.status != 200 || !strings.Contains(r.body, "Thank you") {
			t.Fatalf("submit: %d %s", r.status, excerpt(r.body))
		}
		if r := c.get("/interview/"); r.status != http.StatusForbidden || !strings.Contains(r.body, "sent in") {
			t.Errorf("after submit: %d %s", r.status, excerpt(r.body))
		}

		// The review.
		rv := f.assessor.get(page)
		if rv.status != 200 || !strings.Contains(rv.body, "Accept for "+second.Ref) || !strings.Contains(rv.body, "Screening checklist") {
			t.Fatalf("review: %d %s", rv.status, excerpt(rv.body))
		}
		for _, path := range []string{page + "/pack", "/a/" + f.aid + "/interviews/pack?department=HR"} {
			if r := f.auditor.get(path); r.status != 200 || !strings.HasPrefix(r.body, "%PDF") || r.header.Get("Content-Type") != "application/pdf" {
				t.Errorf("guide %s: %d %q", path, r.status, r.header.Get("Content-Type"))
			}
		}
		if r := f.auditor.get("/a/" + f.aid + "/interviews/pack?department=Nobody"); r.status != http.StatusNotFound {
			t.Errorf("guide of an unknown department: %d", r.status)
		}
		if r := f.auditor.get(page + "/evidence/" + itoa(ev[0].ID)); r.status != 200 {
			t.Errorf("auditor downloads the answer's file: %d", r.status)
		}
		if r := f.viewer.get(page + "/evidence/" + itoa(ev[0].ID)); r.status != http.StatusForbidden {
			t.Errorf("viewer downloads the answer's file: %d", r.status)
		}
		if r := f.auditor.post(page+"/accept", form("ref", second.Ref, "version", "1")); r.status != http.StatusForbidden {
			t.Errorf("auditor accepts: %d", r.status)
		}
		// The item changes after the assessor opened the review: accepting
		// shows the conflict and writes nothing.
		seen := f.view(page).Items[1].Current.Version
		three := assess.Score(3)
		if _, err := f.svc.UpdateItem(context.Background(), app.System("Lena Brandt"), f.aid, second.Ref, 0, app.ItemPatch{Score: &three}); err != nil {
			t.Fatal(err)
		}
		r = f.assessor.post(page+"/accept", form("ref", second.Ref, "version", itoa(int64(seen)), "attach", "on"))
		if r.status != http.StatusConflict || !strings.Contains(r.body, "Lena Brandt") || !strings.Contains(r.body, `class="conflict"`) {
			t.Errorf("accept over a newer score: %d %s", r.status, excerpt(r.body))
		}
		if it, _ := f.svc.Item(context.Background(), app.System("t"), f.aid, second.Ref); it.Score != 3 {
			t.Errorf("the conflicting accept wrote %d", it.Score)
		}
		now := f.view(page).Items[1]
		r = f.assessor.post(page+"/accept", form("ref", second.Ref, "version", itoa(int64(now.Current.Version)), "attach", "on"))
		if r.status != http.StatusSeeOther {
			t.Fatalf("accept: %d %s", r.status, excerpt(r.body))
		}
		if it, _ := f.svc.Item(context.Background(), app.System("t"), f.aid, second.Ref); int(it.Score) != now.Suggestion.Score || it.Score == 0 {
			t.Errorf("accepted score %d, suggestion %d", it.Score, now.Suggestion.Score)
		}
		// Returned with a note: the link opens again, the note is on the question.
		q := first.Questions[0].ID
		if r := f.assessor.post(page+"/return", form("question", q, "note", "Which agency, and is it contracted?")); r.status != http.StatusSeeOther {
			t.Fatalf("return: %d %s", r.status, excerpt(r.body))
		}
		c = f.open(f.send(page))
		if r := c.get("/interview/"); !strings.Contains(r.body, "returned to you") {
			t.Errorf("start page after a return: %s", excerpt(r.body))
		}
		if r := c.get("/interview/items/" + first.Ref); !strings.Contains(r.body, "Which agency, and is it contracted?") || !strings.Contains(r.body, "q returned") {
			t.Errorf("item after a return: %s", excerpt(r.body))
		}
		again := f.view(page).Items[0]
		if r := c.post("/interview/items/"+first.Ref, answerForm(again, interview.Yes, "Agency contract 2026-14", "next")); r.status != http.StatusSeeOther {
			t.Fatalf("answer again: %d %s", r.status, excerpt(r.body))
		}
		if r := c.post("/interview/submit", nil); r.status != 200 {
			t.Errorf("submit again: %d %s", r.status, excerpt(r.body))
		}
		if got := f.view(page); got.State != interview.Submitted || got.Returned != 0 {
			t.Errorf("after answering the returned question: %s, %d returned", got.State, got.Returned)
		}
	})
}
