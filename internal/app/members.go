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

// Members lists an assessment's members (every member may see who else
// is). Invitations not yet accepted are not listed: that would tell which
// of the logins an assessor tried exist.
func (s *Service) Members(ctx context.Context, p Principal, aid string) ([]assess.Membership, error) {
	var out []assess.Membership
	err := s.reading(ctx, p, aid, func(t *Service, _ Access) error {
		var err error
		out, err = t.store.Members(ctx, aid)
		out = accepted(out)
		return err
	})
	return out, err
}

// accepted drops invitations not yet accepted.
func accepted(ms []assess.Membership) []assess.Membership {
	return slices.DeleteFunc(ms, func(m assess.Membership) bool { return m.Pending })
}

// PutMember adds a member or changes a member's role (assessors only).
// Site administrators and the CLI add new members at once; an assessor's
// new member is invited (the returned membership is Pending and names only
// the login typed), and the answer is the same whether an account with that
// login exists or not.
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
		direct := acc.addsMembersDirectly()
		m, err = buildMembership(ctx, st, cat, aid, in, t.now(), direct)
		if err != nil {
			return err
		}
		if !direct {
			cur, err := st.Membership(ctx, aid, m.UserID)
			if err != nil && assess.KindOf(err) != assess.KindNotFound {
				return err
			}
			if err != nil || cur.Pending {
				return t.invite(ctx, &m, NormalizeLogin(in.Login))
			}
		}
		if err := keepsAnAssessor(ctx, st, aid, m.UserID, m.Role); err != nil {
			return err
		}
		return st.PutMembership(ctx, m)
	})
	return m, err
}

// invite records (or updates) an invitation for m's user, if the login
// belongs to an account, and turns m into the answer given either way.
func (s *Service) invite(ctx context.Context, m *assess.Membership, login string) error {
	m.Pending, m.CreatedAt = true, s.now()
	if m.UserID != 0 {
		if err := s.store.PutMembership(ctx, *m); err != nil {
			return err
		}
	}
	m.UserID, m.User = 0, assess.User{Login: login}
	return nil
}

// Invitation is an assessment p was invited to and has not answered yet.
type Invitation struct {
	Membership assess.Membership
	Org        string
}

// Invitations lists p's invitations not yet accepted or declined.
func (s *Service) Invitations(ctx context.Context, p Principal) ([]Invitation, error) {
	if err := requireAccount(p, "invitations"); err != nil {
		return nil, err
	}
	var out []Invitation
	err := s.store.ReadTx(ctx, func(st store.Store) error {
		ms, err := st.MembershipsOf(ctx, p.User.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !m.Pending {
				continue
			}
			a, err := st.GetAssessment(ctx, m.AssessmentID)
			if err != nil {
				return err
			}
			out = append(out, Invitation{Membership: m, Org: a.Org})
		}
		return nil
	})
	return out, err
}

// AcceptInvitation makes p's invitation to an assessment a membership.
func (s *Service) AcceptInvitation(ctx context.Context, p Principal, aid string) error {
	return s.answerInvitation(ctx, p, aid, func(st store.Store, m assess.Membership) error {
		m.Pending = false
		return st.PutMembership(ctx, m)
	})
}

// DeclineInvitation drops p's invitation to an assessment.
func (s *Service) DeclineInvitation(ctx context.Context, p Principal, aid string) error {
	return s.answerInvitation(ctx, p, aid, func(st store.Store, m assess.Membership) error {
		return st.DeleteMembership(ctx, aid, m.UserID)
	})
}

// answerInvitation runs fn on p's own pending invitation to aid; anything
// else, even p's accepted membership, is "no invitation".
func (s *Service) answerInvitation(ctx context.Context, p Principal, aid string, fn func(st store.Store, m assess.Membership) error) error {
	if err := requireAccount(p, "invitations"); err != nil {
		return err
	}
	if err := requireWriter(p); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(st store.Store) error {
		m, err := st.Membership(ctx, aid, p.User.ID)
		if assess.KindOf(err) == assess.KindNotFound || err == nil && !m.Pending {
			return assess.Errorf(assess.KindNotFound, "no invitation to assessment %q", aid)
		}
		if err != nil {
			return err
		}
		return fn(st, m)
	})
}

// buildMembership checks a member's input. Only when tellsUnknown does an
// unknown login make it invalid; otherwise the membership has no user.
func buildMembership(ctx context.Context, st store.Store, cat *catalog.Catalog, aid string, in MemberInput, now time.Time, tellsUnknown bool) (assess.Membership, error) {
	errs := &assess.FieldErrors{Context: "member"}
	m := assess.Membership{AssessmentID: aid}
	if !assess.CheckShort(errs, "login", in.Login) {
		return m, errs
	}
	u, _, err := st.UserByLogin(ctx, NormalizeLogin(in.Login))
	if assess.KindOf(err) == assess.KindNotFound {
		if tellsUnknown {
			errs.Add("login", in.Login, "no account with this login", "the login of an existing account (a site administrator creates accounts)")
		}
		u = assess.User{}
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
	for _, m := range accepted(members) {
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

// Memberships lists p's own memberships, in every assessment (accepted
// ones: Invitations lists the others).
func (s *Service) Memberships(ctx context.Context, p Principal) ([]assess.Membership, error) {
	if err := requireAccount(p, "memberships"); err != nil {
		return nil, err
	}
	ms, err := s.store.MembershipsOf(ctx, p.User.ID)
	return accepted(ms), err
}
