package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/interview"
)

// The interviewee's side: an invitation link signs its holder into one
// interview (its own cookie, apart from account sessions), and the same
// pages serve a member answering their interview in the web app, or an
// assessor typing in answers given on paper. One item per screen, phone
// first; every form works without the script.

const (
	// interviewCookie holds an interview session: it opens one interview.
	interviewCookie = "isogap_interview"
	// linkCookie holds a link's token for a few minutes while the person
	// confirms their e-mail address, so the token leaves the address bar.
	linkCookie = "isogap_interview_link"
	linkRoot   = "/interview"
)

// ivReq is one request on an interview's answer pages.
type ivReq struct {
	P    app.Principal
	AID  string
	IID  int64
	Root string
	// Link: signed in by an invitation link (not an account).
	Link bool
}

type ivHandler func(w http.ResponseWriter, r *http.Request, q *ivReq) error

func (s *Server) setInterviewCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: s.isTLS(r), SameSite: http.SameSiteLaxMode})
}

// viaLink runs fn for the holder of an interview session. Its pages are
// never sent as a referrer, and when the session no longer opens the
// interview they say why in plain words rather than asking to sign in.
func (s *Server) viaLink(fn ivHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		err := assess.Errorf(assess.KindUnauthenticated, "not signed in to an interview: open the link from your invitation")
		var p app.Principal
		if c, cerr := r.Cookie(interviewCookie); cerr == nil {
			p, err = s.svc.ResolveInterviewSession(r.Context(), c.Value)
		}
		if err == nil {
			g := p.Interview
			err = fn(w, r, &ivReq{P: p, AID: g.AssessmentID, IID: g.InterviewID, Root: linkRoot, Link: true})
		}
		if err != nil {
			s.linkFail(w, r, err)
		}
	}
}

// asMember runs fn for a signed-in account on the interview in the URL.
func (s *Server) asMember(fn ivHandler) http.HandlerFunc {
	return s.auth(func(w http.ResponseWriter, r *http.Request, p app.Principal) error {
		iid, err := interviewID(r)
		if err != nil {
			return err
		}
		aid := r.PathValue("id")
		return fn(w, r, &ivReq{P: p, AID: aid, IID: iid, Root: "/a/" + aid + "/interviews/" + strconv.FormatInt(iid, 10) + "/answer"})
	})
}

// linkFail answers an interview link's request that failed. A link or
// session that no longer opens the interview (withdrawn, expired, opened
// in another browser, sent in) gets a page saying so, and its cookie goes.
func (s *Server) linkFail(w http.ResponseWriter, r *http.Request, err error) {
	if what, ok := s.overCap(r, err); ok {
		s.tooLarge(w, r, what)
		return
	}
	kind := assess.KindOf(err)
	switch kind {
	case assess.KindUnauthenticated, assess.KindForbidden, assess.KindNotFound, assess.KindRateLimited:
	default:
		s.fail(w, r, err)
		return
	}
	if _, cerr := r.Cookie(interviewCookie); cerr == nil && kind == assess.KindUnauthenticated {
		// The session's interview no longer knows it: say every way
		// that happens, as the service cannot tell them apart.
		err = assess.Errorf(kind, "This interview is no longer open in this browser: it was opened in another browser since, "+
			"withdrawn by the assessor, or you signed out. Open the link from your invitation again; your answers so far are kept.")
	}
	if kind != assess.KindNotFound {
		s.setInterviewCookie(w, r, interviewCookie, "", linkRoot, -1)
	}
	if kind == assess.KindRateLimited {
		w.Header().Set("Retry-After", "900")
	}
	s.render(w, r, httpStatus(kind), "link", &linkPage{Base: Base{Title: "Interview", Home: linkRoot + "/"}, Message: err.Error()})
}

// openLink is the invitation link: it signs its holder in and sends the
// browser on to an address without the token.
func (s *Server) openLink(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.PathValue("token")
	session, _, err := s.svc.InterviewSignIn(r.Context(), token, "")
	if fe, ok := fieldErrors(err); ok && fe.For("email") != "" {
		s.setInterviewCookie(w, r, linkCookie, token, linkRoot+"/confirm", 15*60)
		http.Redirect(w, r, linkRoot+"/confirm", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.linkFail(w, r, err)
		return
	}
	s.setInterviewCookie(w, r, interviewCookie, session, linkRoot, 0)
	http.Redirect(w, r, linkRoot+"/", http.StatusSeeOther)
}

func (s *Server) confirmForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	if _, err := r.Cookie(linkCookie); err != nil {
		s.linkFail(w, r, assess.Errorf(assess.KindUnauthenticated, "open the link from your invitation again: this page only follows it"))
		return
	}
	s.render(w, r, http.StatusOK, "link", &linkPage{Base: Base{Title: "Confirm your e-mail address", Home: linkRoot + "/"}, Confirm: true})
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	c, err := r.Cookie(linkCookie)
	if err != nil {
		s.linkFail(w, r, assess.Errorf(assess.KindUnauthenticated, "open the link from your invitation again: this page only follows it"))
		return
	}
	email := r.PostFormValue("email")
	session, _, err := s.svc.InterviewSignIn(r.Context(), c.Value, email)
	if fe, ok := fieldErrors(err); ok {
		s.render(w, r, httpStatus(assess.KindInvalid), "link", &linkPage{Base: Base{Title: "Confirm your e-mail address", Home: linkRoot + "/"},
			Confirm: true, Email: email, Errors: fe})
		return
	}
	if err != nil {
		s.linkFail(w, r, err)
		return
	}
	s.setInterviewCookie(w, r, linkCookie, "", linkRoot+"/confirm", -1)
	s.setInterviewCookie(w, r, interviewCookie, session, linkRoot, 0)
	http.Redirect(w, r, linkRoot+"/", http.StatusSeeOther)
}

// answerBase is the layout's header of the answer pages.
func (q *ivReq) base(title string) Base {
	b := Base{Title: title, Home: q.Root + "/"}
	if !q.Link {
		u := q.P.User
		b.User = &u
	}
	return b
}

func (s *Server) loadInterview(r *http.Request, q *ivReq, screen string) (*answerPage, error) {
	iv, err := s.svc.Interview(r.Context(), q.P, q.AID, q.IID)
	if err != nil {
		return nil, err
	}
	pg := &answerPage{Base: q.base("Interview · " + iv.Org), IV: iv, Root: q.Root, Screen: screen, Kinds: interview.Kinds,
		MaxUpload: humanSize(s.cfg.MaxUpload)}
	for _, it := range iv.Items {
		for _, qu := range it.Questions {
			if qu.Answer == interview.Unanswered {
				pg.Unanswered = append(pg.Unanswered, questionLink{ID: qu.ID, Ref: it.Ref})
			}
			if pg.Resume == "" && (qu.Answer == interview.Unanswered || qu.Returned) {
				pg.Resume = it.Ref
			}
		}
	}
	if pg.Resume == "" && len(iv.Items) > 0 {
		pg.Resume = iv.Items[0].Ref
	}
	return pg, nil
}

func (s *Server) answerStart(w http.ResponseWriter, r *http.Request, q *ivReq) error {
	pg, err := s.loadInterview(r, q, "start")
	if err != nil {
		return err
	}
	for sc := assess.Score(1); sc <= 5; sc++ {
		pg.Levels = append(pg.Levels, scoreLevel{Score: sc, Label: sc.Label(), Meaning: sc.Meaning()})
	}
	s.render(w, r, http.StatusOK, "answer", pg)
	return nil
}

func (s *Server) answerEnd(w http.ResponseWriter, r *http.Request, q *ivReq) error {
	pg, err := s.loadInterview(r, q, "end")
	if err != nil {
		return err
	}
	if n := len(pg.IV.Items); n > 0 {
		pg.Prev = pg.IV.Items[n-1].Ref
	}
	s.render(w, r, http.StatusOK, "answer", pg)
	return nil
}

// itemScreen fills pg with item ref, or says it is not one of the interview's.
func itemScreen(pg *answerPage, ref string) error {
	i := slices.IndexFunc(pg.IV.Items, func(it app.InterviewItem) bool { return it.Ref == ref })
	if i < 0 {
		return assess.Errorf(assess.KindNotFound, "item %q is not part of this interview", ref)
	}
	pg.Screen, pg.Item, pg.N = "item", pg.IV.Items[i], i+1
	pg.Was, pg.WasComment = map[string]string{}, map[string]string{}
	for _, q := range pg.Item.Questions {
		pg.Was[q.ID], pg.WasComment[q.ID] = string(q.Answer), q.Comment
	}
	// The item's questions are copied: a page showing what was typed
	// must not change the view's.
	pg.Item.Questions = slices.Clone(pg.Item.Questions)
	if i > 0 {
		pg.Prev = pg.IV.Items[i-1].Ref
	}
	if i+1 < len(pg.IV.Items) {
		pg.Next = pg.IV.Items[i+1].Ref
	}
	return nil
}

func (s *Server) answerItem(w http.ResponseWriter, r *http.Request, q *ivReq) error {
	pg, err := s.loadInterview(r, q, "item")
	if err != nil {
		return err
	}
	if err := itemScreen(pg, r.PathValue("ref")); err != nil {
		return err
	}
	pg.Saved = r.URL.Query().Get("ok") == "saved"
	s.render(w, r, http.StatusOK, "answer", pg)
	return nil
}

// tried is an answer as the person typed it.
type tried struct {
	kind    interview.Kind
	comment string
}

// saveAnswers saves the answers of one item's screen that changed since
// it was opened, each against the revision it was opened at. The script
// sends the same form and gets the new revisions back as JSON.
func (s *Server) saveAnswers(w http.ResponseWriter, r *http.Request, q *ivReq) error {
	if err := r.ParseForm(); err != nil {
		return assess.Wrap(assess.KindInvalid, err, "form")
	}
	pg, err := s.loadInterview(r, q, "item")
	if err != nil {
		return err
	}
	if err := itemScreen(pg, r.PathValue("ref")); err != nil {
		return err
	}
	f := r.PostForm
	fe := formErrors{}
	conflicts := map[string]string{}
	kept := map[string]tried{}
	revisions := map[string]int{}
	for _, qu := range pg.Item.Questions {
		id := qu.ID
		if !f.Has("a_"+id) && !f.Has("c_"+id) {
			continue
		}
		t := tried{comment: strings.TrimSpace(f.Get("c_" + id))}
		if t.kind, err = interview.ParseKind(f.Get("a_" + id)); err != nil {
			fe.List = append(fe.List, assess.FieldError{Where: id, Problem: err.Error()})
			continue
		}
		if string(t.kind) == f.Get("was_"+id) && t.comment == strings.TrimSpace(f.Get("was_c_"+id)) {
			continue
		}
		if t.kind == interview.Unanswered {
			if t.comment != "" {
				kept[id] = t
				fe.List = append(fe.List, assess.FieldError{Where: id, Problem: "choose an answer to save your comment with"})
			}
			continue
		}
		rev, _ := strconv.Atoi(f.Get("rev_" + id))
		saved, err := s.svc.AnswerQuestion(r.Context(), q.P, q.AID, q.IID, app.AnswerInput{QuestionID: id, Kind: t.kind, Comment: t.comment, BaseRevision: rev})
		switch {
		case err == nil:
			revisions[id] = saved.Revision
		case assess.KindOf(err) == assess.KindConflict && strings.Contains(err.Error(), "answered meanwhile"):
			kept[id] = t
			conflicts[id] = err.Error() + ". Your answer is selected below: save again to keep it."
		default:
			if ferr, ok := fieldErrors(err); ok {
				kept[id] = t
				fe.List = append(fe.List, ferr.List...)
				continue
			}
			return err
		}
	}
	if isInline(r) && !fe.Any() && len(conflicts) == 0 {
		after, err := s.loadInterview(r, q, "item")
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		return json.NewEncoder(w).Encode(map[string]any{"revisions": revisions,
			"answered": after.IV.Answered, "total": after.IV.Total})
	}
	if fe.Any() || len(conflicts) > 0 {
		pg, err = s.loadInterview(r, q, "item")
		if err != nil {
			return err
		}
		if err := itemScreen(pg, r.PathValue("ref")); err != nil {
			return err
		}
		pg.Errors, pg.Conflicts = fe, conflicts
		for i, qu := range pg.Item.Questions {
			if t, ok := kept[qu.ID]; ok {
				pg.Item.Questions[i].Answer, pg.Item.Questions[i].Comment = t.kind, t.comment
			}
		}
		status := httpStatus(assess.KindInvalid)
		if len(conflicts) > 0 {
			status = httpStatus(assess.KindConflict)
		}
		s.render(w, r, status, "answer", pg)
		return nil
	}
	switch f.Get("go") {
	case "next":
		if pg.Next != "" {
			return redirect(w, r, q.Root+"/items/"+pg.Next)
		}
		return redirect(w, r, q.Root+"/end")
	case "prev":
		if pg.Prev != "" {
			return redirect(w, r, q.Root+"/items/"+pg.Prev)
		}
		return redirect(w, r, q.Root+"/")
	case "stop":
		return redirect(w, r, q.Root+"/?ok=ivpaused")
	}
	return redirect(w, r, q.Root+"/items/"+pg.Item.Ref+"?ok=saved")
}

func (s *Server) answerEvidence(w http.ResponseWriter, r *http.Request, q *ivReq) error {
	ref := r.PathValue("ref")
	in, err := s.readEvidence(r)
	if err == nil {
		_, err = s.svc.AddInterviewEvidence(r.Context(), q.P, q.AID, q.IID, r.FormValue("question"), in)
	}
	var mbe *http.MaxBytesError
	var fe formErrors
	switch {
	case errors.As(err, &mbe):
		fe.List = []assess.FieldError{{Where: "file", Problem: "the file is too large", Expected: "at most " + humanSize(s.cfg.MaxUpload)}}
	case err != nil:
		var ok bool
		if fe, ok = fieldErrors(err); !ok {
			return err
		}
	default:
		return redirect(w, r, q.Root+"/items/"+ref+"?ok=evidence#evidence")
	}
	pg, lerr := s.loadInterview(r, q, "item")
	if lerr != nil {
		return lerr
	}
	if err := itemScreen(pg, ref); err != nil {
		return err
	}
	pg.Errors = fe
	status := httpStatus(assess.KindInvalid)
	if mbe != nil {
		status = http.StatusRequestEntityTooLarge
	}
	s.render(w, r, status, "answer", pg)
	return nil
}

func (s *Server) answerEvidenceFile(w http.ResponseWriter, r *http.Request, q *ivReq) error {
	return s.interviewEvidenceFile(w, r, q.P, q.AID, q.IID)
}

func (s *Server) submitAnswers(w http.ResponseWriter, r *http.Request, q *ivReq) error {
	sum, err := s.svc.SubmitInterview(r.Context(), q.P, q.AID, q.IID)
	if assess.KindOf(err) == assess.KindInvalid {
		pg, lerr := s.loadInterview(r, q, "end")
		if lerr != nil {
			return lerr
		}
		pg.Errors = formErrors{List: []assess.FieldError{{Problem: err.Error()}}}
		s.render(w, r, httpStatus(assess.KindInvalid), "answer", pg)
		return nil
	}
	if err != nil {
		return err
	}
	if !q.Link {
		return redirect(w, r, "/a/"+q.AID+"/?ok=ivsubmitted")
	}
	// The session ends with the submission: the page says so itself.
	s.setInterviewCookie(w, r, interviewCookie, "", linkRoot, -1)
	s.render(w, r, http.StatusOK, "link", &linkPage{Base: Base{Title: "Thank you", Home: linkRoot + "/"},
		Message: "Thank you, " + orElse(sum.Name, "") + ": your " + strconv.Itoa(sum.Total) + " answers were sent in. The assessor will contact you if a question needs another look; it will then open again from your link."})
	return nil
}

func (s *Server) signOutInterview(w http.ResponseWriter, r *http.Request, q *ivReq) error {
	if err := s.svc.InterviewSignOut(r.Context(), q.P); err != nil {
		return err
	}
	s.setInterviewCookie(w, r, interviewCookie, "", linkRoot, -1)
	s.render(w, r, http.StatusOK, "link", &linkPage{Base: Base{Title: "Interview", Home: linkRoot + "/"},
		Message: "Your answers are saved. Open the link from your invitation to carry on."})
	return nil
}

// answeredCount counts the answered questions of an item.
func answeredCount(qs []app.InterviewQuestion) int {
	n := 0
	for _, q := range qs {
		if q.Answer != interview.Unanswered {
			n++
		}
	}
	return n
}
