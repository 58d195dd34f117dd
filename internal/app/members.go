package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// MemberInput is what adding or changing a member takes.
type MemberInput struct {
	Login       string
	Role        string
	Departments []string
	Refs        []string
	Expires     string
}

// Members lists an assessment's members (every member may see who else is).
func (s *Service) Members(ctx context.Context, p Principal, aid string) ([]assess.Membership, error) {
	var out []assess.Membership
	err := s.reading(ctx, p, aid, func(t *Service, _ Access) error {
		var err error
		out, err = t.store.Members(ctx, aid)
		return err
	})
	return out, err
}

// PutMember adds a member or changes their role (assessors only).
func (s *Service) PutMember(ctx context.Context, p Principal, aid string, in MemberInput) (assess.Membership, error) {
	var m assess.Membership
	err := s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		if err := need(acc.CanManageMembers(), "only the assessment's assessors can manage its members"); err != nil {
			return err
		}
		st := t.store
		a, err := st.GetAssessment(ctx, aid)
		if err != nil {
			return err
		}
		cat, err := t.CatalogOf(ctx, a)
		if err != nil {
			return err
		}
		m, err = buildMembership(ctx, st, cat, aid, in, t.now())
		if err != nil {
			return err
		}
		if err := keepsAnAssessor(ctx, st, aid, m.UserID, m.Role); err != nil {
			return err
		}
		return st.PutMembership(ctx, m)
	})
	return m, err
}

func buildMembership(ctx context.Context, st store.Store, cat *catalog.Catalog, aid string, in MemberInput, now time.Time) (assess.Membership, error) {
	errs := &assess.FieldErrors{Context: "member"}
	m := assess.Membership{AssessmentID: aid}
	if !assess.CheckShort(errs, "login", in.Login) {
		return m, errs
	}
	u, _, err := st.UserByLogin(ctx, NormalizeLogin(in.Login))
	if assess.KindOf(err) == assess.KindNotFound {
		errs.Add("login", in.Login, "no account with this login", "the login of an existing account (a site administrator creates accounts)")
	} else if err != nil {
		return m, err
	}
	m.UserID, m.User = u.ID, u
	if m.Role, err = assess.ParseRole(in.Role); err != nil {
		errs.Add("role", in.Role, "unknown role", "assessor, contributor, viewer or auditor")
	}
	for _, d := range in.Departments {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		if !slices.Contains(cat.Departments, d) {
			errs.Add("departments", d, "unknown department", strings.Join(cat.Departments, ", "))
		} else if !slices.Contains(m.Departments, d) {
			m.Departments = append(m.Departments, d)
		}
	}
	for _, r := range in.Refs {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		ref, ok := cat.LookupRef(r)
		if !ok {
			errs.Add("refs", r, "unknown ref", `refs such as "6.1.2" or "A.5.15"`)
		} else if !slices.Contains(m.Refs, ref) {
			m.Refs = append(m.Refs, ref)
		}
	}
	if m.Expires, err = assess.ParseDate(in.Expires); err != nil {
		errs.Add("expires", assess.Shown(in.Expires), "not a date", "YYYY-MM-DD")
	} else if !assess.CheckDate(errs, "expires", m.Expires) {
		err = errs
	}
	switch {
	case m.Role == assess.RoleAuditor && err != nil:
		// the date is reported already
	case m.Role == assess.RoleAuditor && m.Expires.IsZero():
		errs.Add("expires", "", "an auditor's access needs an end date", "the last day of the audit, YYYY-MM-DD")
	case m.Role == assess.RoleAuditor && m.Expired(now):
		errs.Add("expires", in.Expires, "the date has passed", "today or later")
	case m.Role != assess.RoleAuditor && m.Role != "":
		m.Expires = assess.Date{}
	}
	if m.Role != assess.RoleContributor {
		m.Departments, m.Refs = nil, nil
	}
	return m, errs.Err()
}

// keepsAnAssessor refuses a change that would leave no assessor.
func keepsAnAssessor(ctx context.Context, st store.Store, aid string, userID int64, newRole assess.Role) error {
	if newRole == assess.RoleAssessor {
		return nil
	}
	members, err := st.Members(ctx, aid)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Role == assess.RoleAssessor && m.UserID != userID {
			return nil
		}
	}
	for _, m := range members {
		if m.UserID == userID && m.Role == assess.RoleAssessor {
			return assess.Errorf(assess.KindInvalid, "%s is the only assessor: make someone else assessor first", m.User.Name)
		}
	}
	return nil
}

// RemoveMember takes a member out of an assessment (assessors only).
func (s *Service) RemoveMember(ctx context.Context, p Principal, aid string, userID int64) error {
	return s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		if err := need(acc.CanManageMembers(), "only the assessment's assessors can manage its members"); err != nil {
			return err
		}
		if err := keepsAnAssessor(ctx, t.store, aid, userID, ""); err != nil {
			return err
		}
		return t.store.DeleteMembership(ctx, aid, userID)
	})
}

// Memberships lists p's own memberships, in every assessment.
func (s *Service) Memberships(ctx context.Context, p Principal) ([]assess.Membership, error) {
	if p.System || p.User.ID == 0 {
		return nil, assess.Errorf(assess.KindUnauthenticated, "memberships belong to a signed-in account")
	}
	return s.store.MembershipsOf(ctx, p.User.ID)
}
