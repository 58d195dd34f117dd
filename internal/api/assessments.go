package api

import (
	"net/http"
	"strings"

	"github.com/isogap/isogap/internal/app"
)

func (h *Handler) me(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	u := p.User
	h.writeJSON(w, http.StatusOK, Me{User: UserInfo{ID: u.ID, Login: u.Login, Name: u.Name, Email: u.Email, Admin: u.Admin}, Token: tokenOf(p)})
	return nil
}

func (h *Handler) listAssessments(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	list, err := h.svc.Portfolio(r.Context(), p)
	if err != nil {
		return err
	}
	out := make([]AssessmentSummary, len(list))
	for i, e := range list {
		a := e.Assessment
		out[i] = AssessmentSummary{ID: a.ID, Org: a.Org, Lead: a.Lead, CatalogID: a.CatalogID, CatalogVersion: a.CatalogVersion,
			TargetScore: a.TargetScore, Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Role: e.Role,
			Overall: e.Overall, AuditReady: e.AuditReady, Blockers: e.Blockers}
	}
	// The portfolio's own order: organisation, then creation, then id.
	pg, err := paginate(w, r, out, func(s AssessmentSummary) string {
		return strings.ToLower(s.Org) + "\x00" + s.CreatedAt.UTC().Format("2006-01-02T15:04:05.000000") + "\x00" + s.ID
	})
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, pg)
	return nil
}

func (h *Handler) createAssessment(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.idempotent(w, r, p, func(body []byte) (int, any, error) {
		var in NewAssessment
		if err := decodeBytes(body, &in); err != nil {
			return 0, nil, err
		}
		a, err := h.svc.CreateAssessment(r.Context(), p, app.NewAssessment{Org: in.Org, Scope: in.Scope, Boundaries: in.Boundaries,
			Interfaces: in.Interfaces, Exclusions: in.Exclusions, Stakeholders: in.Stakeholders, TargetScore: in.TargetScore,
			Employees: in.Employees, Lead: in.Lead})
		if err != nil {
			return 0, nil, err
		}
		w.Header().Set("Location", Root+"/assessments/"+a.ID)
		return http.StatusCreated, a, nil
	})
}

func (h *Handler) getAssessment(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	aid := r.PathValue("id")
	if done, err := h.etag(w, r, p, aid); done || err != nil {
		return err
	}
	a, err := h.svc.Assessment(r.Context(), p, aid)
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, a)
	return nil
}

func (h *Handler) patchAssessment(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	var in AssessmentPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version < 1 {
		return fieldErr("version", "", "missing", "the version of the assessment the change is based on (from its GET)")
	}
	a, err := h.svc.Assessment(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	set(&a.Org, in.Org)
	set(&a.Scope, in.Scope)
	set(&a.Boundaries, in.Boundaries)
	set(&a.Interfaces, in.Interfaces)
	set(&a.Exclusions, in.Exclusions)
	set(&a.Stakeholders, in.Stakeholders)
	set(&a.TargetScore, in.TargetScore)
	set(&a.Employees, in.Employees)
	set(&a.Lead, in.Lead)
	out, err := h.svc.UpdateAssessment(r.Context(), p, a, in.Version)
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, out)
	return nil
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
