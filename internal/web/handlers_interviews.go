package web

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/interview"
)

// The assessor's side of interviews: the list with its create form,
// sending, reminders, revoking, the paper guide and the review. Every
// rule (who may, in which state) is the service's; these handlers only
// read forms and show outcomes.

func interviewID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	if err != nil || id <= 0 {
		return 0, assess.Errorf(assess.KindNotFound, "no interview %q", r.PathValue("iid"))
	}
	return id, nil
}

// baseURL is the site's address for invitation links: Config.BaseURL, or
// the address this request reached.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if s.isTLS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) interviews(w http.ResponseWriter, r *http.Request, c *actx) error {
	return s.renderInterviews(w, r, c, http.StatusOK, &interviewsPage{})
}

func (s *Server) renderInterviews(w http.ResponseWriter, r *http.Request, c *actx, status int, pg *interviewsPage) error {
	list, err := s.svc.Interviews(r.Context(), c.P, c.View.Assessment.ID)
	if err != nil {
		return err
	}
	notice := pg.Notice
	pg.Base, pg.Interviews = c.base("Interviews", "interviews"), list
	pg.Notice = notice
	pg.Manage, pg.Pack = c.Acc.CanEditAssessment(), s.cfg.InterviewPack != nil
	pg.People = c.View.Assessment.Stakeholders
	for _, iv := range list {
		if iv.Overdue {
			pg.Overdue++
		}
	}
	depts := map[string]bool{}
	for _, it := range c.View.Items {
		depts[it.Department] = true
	}
	for _, d := range c.View.Catalog.Departments {
		if depts[d] {
			pg.Departments = append(pg.Departments, d)
		}
	}
	s.render(w, r, status, "interviews", pg)
	return nil
}

// refList reads refs typed with commas, semicolons or spaces between them.
func refList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

func (s *Server) createInterview(w http.ResponseWriter, r *http.Request, c *actx) error {
	f := interviewForm{Person: r.PostFormValue("person"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Department: r.PostFormValue("department"), Add: r.PostFormValue("add"), Remove: r.PostFormValue("remove"),
		Due: r.PostFormValue("due"), ConfirmEmail: r.PostFormValue("confirm_email") == "on"}
	in := app.NewInterview{Name: f.Name, Email: f.Email, Department: f.Department, AddRefs: refList(f.Add), RemoveRefs: refList(f.Remove),
		ConfirmEmail: f.ConfirmEmail}
	// A stakeholder picked from the list fills what was left empty.
	if i, err := strconv.Atoi(f.Person); err == nil && i >= 0 && i < len(c.View.Assessment.Stakeholders) {
		sh := c.View.Assessment.Stakeholders[i]
		in.Name, in.Email = orElse(in.Name, sh.Name), orElse(in.Email, sh.Email)
		in.Department = orElse(in.Department, sh.Department)
	}
	var err error
	if in.Due, err = assess.ParseDate(f.Due); err != nil && strings.TrimSpace(f.Due) != "" {
		fe := &assess.FieldErrors{Context: "interview"}
		fe.Add("due", f.Due, "not a date", "YYYY-MM-DD")
		err = fe
	} else {
		var iv app.InterviewSummary
		iv, err = s.svc.CreateInterview(r.Context(), c.P, c.View.Assessment.ID, in)
		if err == nil {
			return redirect(w, r, "/a/"+c.View.Assessment.ID+"/interviews/"+strconv.FormatInt(iv.ID, 10)+"?ok=ivcreated")
		}
	}
	if fe, ok := fieldErrors(err); ok {
		return s.renderInterviews(w, r, c, httpStatus(assess.KindInvalid), &interviewsPage{Form: f, Errors: fe})
	}
	return err
}

// orElse returns a, or b when a is blank.
func orElse(a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return a
}

func (s *Server) sendInterview(w http.ResponseWriter, r *http.Request, c *actx) error {
	iid, err := interviewID(r)
	if err != nil {
		return err
	}
	sent, err := s.svc.SendInterview(r.Context(), c.P, c.View.Assessment.ID, iid, s.baseURL(r))
	if err != nil {
		return err
	}
	// Rendered, not redirected: the link must not travel in a URL.
	return s.renderInterviews(w, r, c, http.StatusOK, &interviewsPage{Sent: []app.SentInterview{sent}})
}

func (s *Server) remindInterviews(w http.ResponseWriter, r *http.Request, c *actx) error {
	sent, err := s.svc.RemindInterviews(r.Context(), c.P, c.View.Assessment.ID, s.baseURL(r))
	if err != nil {
		return err
	}
	pg := &interviewsPage{Sent: sent}
	if len(sent) == 0 {
		pg.Notice = "Nobody to remind: no interview is sent and waiting for answers."
	}
	return s.renderInterviews(w, r, c, http.StatusOK, pg)
}

func (s *Server) revokeInterview(w http.ResponseWriter, r *http.Request, c *actx) error {
	iid, err := interviewID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.RevokeInterview(r.Context(), c.P, c.View.Assessment.ID, iid); err != nil {
		return err
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/interviews?ok=ivrevoked")
}

// interviewPack writes the paper guide of one interview (with iid) or of
// a department (?department=).
func (s *Server) interviewPack(w http.ResponseWriter, r *http.Request, c *actx) error {
	if s.cfg.InterviewPack == nil {
		return assess.Errorf(assess.KindNotFound, "this site prints no interview guides")
	}
	v := c.View
	in := PackInput{Catalog: v.Catalog, Assessment: v.Assessment, Assessor: v.Assessment.Lead, Date: s.svc.Now()}
	name := fileSlug(v.Assessment.Org) + "-interview-"
	if r.PathValue("iid") != "" {
		iid, err := interviewID(r)
		if err != nil {
			return err
		}
		iv, err := s.svc.Interview(r.Context(), c.P, v.Assessment.ID, iid)
		if err != nil {
			return err
		}
		in.Interviewee = assess.Stakeholder{Name: iv.Name, Email: iv.Email, Department: iv.Department}
		in.Department, in.Due = iv.Department, iv.Due
		for _, ref := range iv.Refs {
			if it, ok := v.Item(ref); ok {
				in.Items = append(in.Items, it)
			}
		}
		name += fileSlug(orElse(iv.Name, iv.Department))
	} else {
		in.Department = strings.TrimSpace(r.URL.Query().Get("department"))
		for _, it := range v.Items {
			if in.Department != "" && strings.EqualFold(strings.TrimSpace(it.Department), in.Department) {
				in.Items = append(in.Items, it)
			}
		}
		if len(in.Items) == 0 {
			return assess.Errorf(assess.KindNotFound, "department %q: no item of the assessment has this department", in.Department)
		}
		name += fileSlug(in.Department)
	}
	var buf bytes.Buffer
	if err := s.cfg.InterviewPack(&buf, in); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", attachment(name+".pdf"))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, c *actx) error {
	return s.renderReview(w, r, c, http.StatusOK, &reviewPage{})
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, c *actx, status int, pg *reviewPage) error {
	iid, err := interviewID(r)
	if err != nil {
		return err
	}
	aid := c.View.Assessment.ID
	iv, err := s.svc.Interview(r.Context(), c.P, aid, iid)
	if err != nil {
		return err
	}
	root := "/a/" + aid + "/interviews/" + strconv.FormatInt(iid, 10)
	if iv.ForInterviewee {
		// A member answering their own interview in the web app.
		return redirect(w, r, root+"/answer/")
	}
	pg.Base, pg.IV = c.base("Interview with "+orElse(iv.Name, iv.Email), "interviews"), iv
	pg.Manage, pg.Pack = c.Acc.CanEditAssessment(), s.cfg.InterviewPack != nil
	pg.CanAccept = pg.Manage && iv.State == interview.Submitted
	if pg.Manage && iv.State.Answerable() {
		pg.Answer = root + "/answer/"
	}
	for _, it := range iv.Items {
		ci, _ := c.View.Catalog.Item(it.Ref)
		pg.Items = append(pg.Items, reviewItem{InterviewItem: it, Cat: ci, Suggested: it.Suggestion.Score})
	}
	s.render(w, r, status, "review", pg)
	return nil
}

func (s *Server) acceptInterviewItem(w http.ResponseWriter, r *http.Request, c *actx) error {
	iid, err := interviewID(r)
	if err != nil {
		return err
	}
	in := app.AcceptInput{Ref: r.PostFormValue("ref"), AttachEvidence: r.PostFormValue("attach") == "on"}
	fe := &assess.FieldErrors{Context: in.Ref}
	if sc := strings.TrimSpace(r.PostFormValue("score")); sc != "" {
		if in.Score, err = assess.ParseScore(sc); err != nil || !in.Score.Assessed() {
			fe.Add("score", sc, "not a score", "1 to 5, or the suggestion")
		}
	}
	if in.BaseVersion, err = formVersion(r.PostForm); err != nil {
		return err
	}
	err = fe.Err()
	if err == nil {
		_, err = s.svc.AcceptInterviewItem(r.Context(), c.P, c.View.Assessment.ID, iid, in)
	}
	var ce *assess.ConflictError
	if errors.As(err, &ce) {
		cv := conflictOf(ce)
		return s.renderReview(w, r, c, httpStatus(assess.KindConflict), &reviewPage{Conflict: &cv})
	}
	if fe, ok := fieldErrors(err); ok {
		return s.renderReview(w, r, c, httpStatus(assess.KindInvalid), &reviewPage{Errors: fe})
	}
	if assess.KindOf(err) == assess.KindInvalid {
		return s.renderReview(w, r, c, httpStatus(assess.KindInvalid), &reviewPage{Errors: formErrors{List: []assess.FieldError{{Where: in.Ref, Problem: err.Error()}}}})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/interviews/"+strconv.FormatInt(iid, 10)+"?ok=ivaccepted#i-"+in.Ref)
}

func (s *Server) returnQuestion(w http.ResponseWriter, r *http.Request, c *actx) error {
	iid, err := interviewID(r)
	if err != nil {
		return err
	}
	qid := r.PostFormValue("question")
	_, err = s.svc.ReturnQuestions(r.Context(), c.P, c.View.Assessment.ID, iid, []app.ReturnInput{{QuestionID: qid, Note: r.PostFormValue("note")}})
	if fe, ok := fieldErrors(err); ok {
		return s.renderReview(w, r, c, httpStatus(assess.KindInvalid), &reviewPage{Errors: fe})
	}
	if err != nil {
		return err
	}
	ref, _, _ := strings.Cut(qid, "#")
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/interviews/"+strconv.FormatInt(iid, 10)+"?ok=ivreturned#i-"+ref)
}

// interviewEvidenceFile sends a file given with an answer to whoever may
// read the interview: the assessors and auditors, and the interviewee.
func (s *Server) interviewEvidenceFile(w http.ResponseWriter, r *http.Request, p app.Principal, aid string, iid int64) error {
	id, err := strconv.ParseInt(r.PathValue("eid"), 10, 64)
	if err != nil {
		return assess.Errorf(assess.KindNotFound, "no evidence %q", r.PathValue("eid"))
	}
	ev, content, err := s.svc.InterviewEvidenceFile(r.Context(), p, aid, iid, id)
	if err != nil {
		return err
	}
	return sendEvidence(w, ev.Evidence, content)
}

// interviewSummaries are the overdue interviews the dashboard flags, for
// those who may list interviews (nobody else hears of them).
func (s *Server) overdueInterviews(r *http.Request, c *actx) ([]app.InterviewSummary, error) {
	if !c.Acc.CanEditAssessment() && c.Acc.Role != assess.RoleAuditor {
		return nil, nil
	}
	list, err := s.svc.Interviews(r.Context(), c.P, c.View.Assessment.ID)
	return slices.DeleteFunc(list, func(iv app.InterviewSummary) bool { return !iv.Overdue }), err
}
