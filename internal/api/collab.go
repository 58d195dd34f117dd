package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func (h *Handler) listSnapshots(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	aid := r.PathValue("id")
	if done, err := h.etag(w, r, p, aid); done || err != nil {
		return err
	}
	list, err := h.svc.Snapshots(r.Context(), p, aid)
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, Snapshots{Snapshots: nonNil(list)})
	return nil
}

func (h *Handler) createSnapshot(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.idempotent(w, r, p, func(body []byte) (int, any, error) {
		var in NewSnapshot
		if err := decodeBytes(body, &in); err != nil {
			return 0, nil, err
		}
		s, err := h.svc.CreateSnapshot(r.Context(), p, r.PathValue("id"), in.Name)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, SnapshotOut{Name: s.Name, CreatedAt: s.CreatedAt, CreatedBy: s.CreatedBy}, nil
	})
}

func (h *Handler) deleteSnapshot(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if err := h.svc.DeleteSnapshot(r.Context(), p, r.PathValue("id"), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// compare compares two states, each an assessment id ("ID") or one of its
// snapshots ("ID@NAME"), as the CLI's compare does.
func (h *Handler) compare(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	q := r.URL.Query()
	errs := &assess.FieldErrors{}
	for _, k := range []string{"a", "b"} {
		if q.Get(k) == "" {
			errs.Add(k, "", "missing", "an assessment id, or ID@SNAPSHOT for one of its snapshots")
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	res, err := h.svc.Compare(r.Context(), p, q.Get("a"), q.Get("b"))
	if err != nil {
		return err
	}
	res.Items = nonNil(res.Items)
	h.writeJSON(w, http.StatusOK, res)
	return nil
}

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	list, err := h.svc.Members(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, Members{Members: nonNil(list)})
	return nil
}

func (h *Handler) putMember(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	var in MemberPut
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := h.svc.PutMember(r.Context(), p, r.PathValue("id"), app.MemberInput{Login: r.PathValue("login"), Role: in.Role,
		Departments: in.Departments, Refs: in.Refs, Expires: in.Expires})
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, m)
	return nil
}

func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	aid, login := r.PathValue("id"), app.NormalizeLogin(r.PathValue("login"))
	list, err := h.svc.Members(r.Context(), p, aid)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(m assess.Membership) bool { return m.User.Login == login })
	if i < 0 {
		return assess.Errorf(assess.KindNotFound, "%q is no member of assessment %s", login, aid)
	}
	if err := h.svc.RemoveMember(r.Context(), p, aid, list[i].UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func interviewOut(s app.InterviewSummary) Interview {
	return Interview{ID: s.ID, Name: s.Name, Email: s.Email, Department: s.Department, Refs: nonNil(s.Refs), Due: s.Due.String(),
		State: string(s.State), ConfirmEmail: s.ConfirmEmail, Revision: s.Revision, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt,
		UpdatedAt: s.UpdatedAt, SentAt: stamp(s.SentAt), SubmittedAt: stamp(s.SubmittedAt), LinkExpires: stamp(s.LinkExpires),
		Answered: s.Answered, Total: s.Total, Overdue: s.Overdue, Returned: s.Returned, Accepted: s.Accepted}
}

func (h *Handler) listInterviews(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	list, err := h.svc.Interviews(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := Interviews{Interviews: []Interview{}}
	for _, s := range list {
		out.Interviews = append(out.Interviews, interviewOut(s))
	}
	h.writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) createInterview(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.idempotent(w, r, p, func(body []byte) (int, any, error) {
		var in NewInterview
		if err := decodeBytes(body, &in); err != nil {
			return 0, nil, err
		}
		due, err := parseDate("due", in.Due)
		if err != nil {
			return 0, nil, err
		}
		s, err := h.svc.CreateInterview(r.Context(), p, r.PathValue("id"), app.NewInterview{Name: in.Name, Email: in.Email,
			Department: in.Department, Refs: in.Refs, Due: due, ConfirmEmail: in.ConfirmEmail})
		if err != nil {
			return 0, nil, err
		}
		w.Header().Set("Location", Root+"/assessments/"+s.AssessmentID+"/interviews/"+itoa64(s.ID))
		return http.StatusCreated, interviewOut(s), nil
	})
}

func (h *Handler) getInterview(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	v, err := h.svc.Interview(r.Context(), p, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	out := InterviewDetail{Interview: interviewOut(v.InterviewSummary), Items: []InterviewItem{}}
	for _, it := range v.Items {
		oi := InterviewItem{Ref: it.Ref, Title: it.Title, Questions: []InterviewQuestion{}}
		for _, q := range it.Questions {
			oi.Questions = append(oi.Questions, InterviewQuestion{ID: q.ID, Text: q.Text, Answer: string(q.Answer), Comment: q.Comment})
		}
		out.Items = append(out.Items, oi)
	}
	h.writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) sendInterview(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	sent, err := h.svc.SendInterview(r.Context(), p, r.PathValue("id"), iid, h.baseURL(r))
	if err != nil {
		return err
	}
	out := SentInterview{Interview: interviewOut(sent.Interview), Link: sent.Link, Mailed: sent.Mailed}
	if sent.MailError != nil {
		out.MailError = sent.MailError.Error()
	}
	h.writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) revokeInterview(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	s, err := h.svc.RevokeInterview(r.Context(), p, r.PathValue("id"), iid)
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, interviewOut(s))
	return nil
}

// baseURL is the site's address for links: the configured one, or the one
// the request reached.
func (h *Handler) baseURL(r *http.Request) string {
	if h.cfg.BaseURL != "" {
		return strings.TrimRight(h.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
