package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// This file is isogap's permission policy: who may do what. Every use case
// asks it, inside its own transaction; no surface decides on its own.

// Principal is who asks for a use case: a signed-in user, or the trusted
// local administrator (the CLI, which has the database file anyway).
type Principal struct {
	User   assess.User
	System bool
	// SystemName is the name the CLI records in the history.
	SystemName string
	// Interview, when set, is the holder of an interview link: it may use
	// the interview use cases of that one interview and nothing else.
	Interview *InterviewGrant
	// Token, when set, is the personal access token the user's request
	// came with (the REST API). The principal has the user's rights, no
	// more; a read-only token's principal writes nothing.
	Token *TokenGrant
	// session is the hash of the session token the principal came with
	// (the web app), "" otherwise.
	session string
	// step, when set, is a half-way sign-in: the principal may finish it
	// (a second factor, or enrolling one) and do nothing else.
	step *assess.Session
}

// SignInStage is "" for a signed-in principal, or the stage of a half-way
// sign-in (assess.SessionSecondStep, assess.SessionEnrol).
func (p Principal) SignInStage() string {
	if p.step == nil {
		return ""
	}
	return p.step.Stage
}

// TokenGrant is the access token a principal acts through.
type TokenGrant struct {
	ID       int64
	Name     string
	ReadOnly bool
}

// System returns the trusted local principal recorded under name.
func System(name string) Principal { return Principal{System: true, SystemName: name} }

// Name is what the history records for the principal.
func (p Principal) Name() string {
	if p.Interview != nil {
		return p.Interview.Name + " (interview)"
	}
	if p.System {
		return p.SystemName
	}
	return p.User.Name
}

// IsAdmin reports a site administrator (or the CLI).
func (p Principal) IsAdmin() bool {
	return p.Interview == nil && p.step == nil && (p.System || p.User.Admin)
}

// signedIn reports a principal that is someone: a user with an account or
// the CLI. The zero Principal is nobody and may do nothing; an interview
// principal is nobody too, outside its interview's use cases.
func (p Principal) signedIn() bool {
	return p.Interview == nil && p.step == nil && (p.System || p.User.ID != 0)
}

// isAccount reports a person signed in to the web app with both steps
// done: not the CLI, a token, an interview link or a half-way sign-in.
func (p Principal) isAccount() bool {
	return !p.System && p.User.ID != 0 && p.Token == nil && p.Interview == nil && p.step == nil
}

func forbidden(format string, args ...any) error {
	return assess.Errorf(assess.KindForbidden, format, args...)
}

// requireAdmin refuses everyone but site administrators and the CLI: the
// rule for every account and site-wide use case.
func requireAdmin(p Principal, what string) error {
	if !p.IsAdmin() {
		return forbidden("only a site administrator can %s", what)
	}
	return nil
}

// keepsOwnAdmin refuses an administrator removing their own rights or
// disabling themselves, so a site always keeps an administrator.
func keepsOwnAdmin(errs *assess.FieldErrors, p Principal, cur, next assess.User) {
	if !p.System && next.ID == p.User.ID && (!next.Admin || next.Disabled) {
		errs.Add("admin", cur.Login, "you cannot remove your own administrator rights or disable yourself", "another administrator to do it")
	}
}

// requireCreator refuses those who may not start assessments (or bring one
// in from an export): administrators and the CLI may, other accounts only
// when an administrator allowed them or the site lets every account. The
// account is read in the transaction, so a withdrawn right counts at once.
func (s *Service) requireCreator(ctx context.Context, st store.Store, p Principal) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if err := requireWriter(p); err != nil {
		return err
	}
	if p.IsAdmin() || s.everyoneCreates {
		return nil
	}
	u, err := st.GetUser(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if !u.CreatesAssessments && !u.Admin {
		return forbidden("starting assessments is for site administrators and the accounts they allow: ask a site administrator")
	}
	return nil
}

// requireWriter refuses a read-only access token: it reads what its owner
// may read and changes nothing. Every use case that writes asks it (all
// assessment writes through writing and interviewTx).
func requireWriter(p Principal) error {
	if p.Token != nil && p.Token.ReadOnly {
		return forbidden("the access token %q is read-only: use a token made without --read-only to change anything", p.Token.Name)
	}
	return nil
}

// requireSystem refuses everyone but the CLI: use cases that work on the
// whole database (demo set-up, copies between databases).
func requireSystem(p Principal, what string) error {
	if !p.System {
		return forbidden("only the command line can %s", what)
	}
	return nil
}

// requireAccount refuses all but a signed-in account: what belongs to a
// person (their memberships and invitations) is not the CLI's.
func requireAccount(p Principal, what string) error {
	if p.System || p.User.ID == 0 || p.step != nil {
		return assess.Errorf(assess.KindUnauthenticated, "%s belong to a signed-in account", what)
	}
	return nil
}

// requireSignedIn refuses the zero principal.
func requireSignedIn(p Principal) error {
	if !p.signedIn() {
		return assess.Errorf(assess.KindUnauthenticated, "not signed in")
	}
	return nil
}

// Access is what a principal may do in one assessment.
type Access struct {
	AssessmentID string
	// Role is the member's role; site administrators act as assessors.
	Role       assess.Role
	Membership assess.Membership
	Admin      bool
	user       assess.User
}

// CanEditAssessment: the scope, stakeholders, target and exclusions;
// deleting the assessment; assigning owners.
func (a Access) CanEditAssessment() bool { return a.Admin || a.Role == assess.RoleAssessor }

// CanManageMembers: add, change and remove members.
func (a Access) CanManageMembers() bool { return a.CanEditAssessment() }

// addsMembersDirectly: site administrators (and the CLI), who see every
// account anyway, give a new member their role at once. An assessor only
// invites: the invited person accepts before the assessment is theirs, and
// the answer is the same whether the login exists or not, so assessors
// learn nothing about other people's accounts.
func (a Access) addsMembersDirectly() bool { return a.Admin }

// CanEditPlan: the forecast's assumptions. They move every date and amount
// the executives read, so they stay with the assessors.
func (a Access) CanEditPlan() bool { return a.CanEditAssessment() }

// CanManageSnapshots: take and delete named snapshots (assessors). Every
// member may read and compare them.
func (a Access) CanManageSnapshots() bool { return a.CanEditAssessment() }

// CanEditItem: assessors every item; contributors the items of their
// departments, those they own (by name) and those assigned to them.
func (a Access) CanEditItem(it assess.Item) bool {
	if a.CanEditAssessment() {
		return true
	}
	if a.Role != assess.RoleContributor {
		return false
	}
	return slices.Contains(a.Membership.Departments, it.Department) ||
		slices.Contains(a.Membership.Refs, it.Ref) ||
		(it.Owner != "" && strings.EqualFold(strings.TrimSpace(it.Owner), strings.TrimSpace(a.user.Name)))
}

// CanImport: bring returned workbooks back. Assessors and contributors
// (who then change only the items they may edit); viewers and auditors
// read only.
func (a Access) CanImport() bool { return a.CanEditAssessment() || a.Role == assess.RoleContributor }

// CanDownloadEvidence: evidence files and the complete (JSON) export.
// Viewers see that evidence exists, not its files.
func (a Access) CanDownloadEvidence() bool { return a.Role != assess.RoleViewer || a.Admin }

// CheckEdit explains why an item may not be edited, or returns nil.
func (a Access) CheckEdit(it assess.Item) error {
	if a.CanEditItem(it) {
		return nil
	}
	switch a.Role {
	case assess.RoleContributor:
		return forbidden("%s belongs to %s and is not assigned to you: contributors edit only the items of their departments (%s) or assigned to them",
			it.Ref, orNone(it.Department), orNone(strings.Join(a.Membership.Departments, ", ")))
	default:
		return forbidden("your role in this assessment (%s) is read-only", a.Role)
	}
}

// checkPatch refuses the fields a contributor may not change: scoping
// decisions stay with the assessors. Fields a full form sends back
// unchanged are dropped from the patch first.
func (a Access) checkPatch(cur assess.Item, patch *ItemPatch) error {
	if a.CanEditAssessment() {
		return nil
	}
	if d := cur.Department; patch.Department != nil && strings.TrimSpace(*patch.Department) == d {
		patch.Department = nil
	}
	if patch.Applicable != nil && *patch.Applicable == cur.Applicable &&
		(patch.Justification == nil || strings.TrimSpace(*patch.Justification) == cur.Justification) {
		patch.Applicable, patch.Justification = nil, nil
	}
	switch {
	case patch.Applicable != nil || patch.Justification != nil:
		return forbidden("contributors cannot change whether an item applies (applicable, justification): an assessor decides")
	case patch.Department != nil:
		return forbidden("contributors cannot move items between departments: an assessor decides")
	}
	return nil
}

// need returns err when ok is false: the shape of every role check.
func need(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return forbidden(format, args...)
}

// Describe is a short sentence about a principal's access, for pages.
func (a Access) Describe() string {
	switch {
	case a.Admin:
		return "Site administrator: full access"
	case a.Role == assess.RoleContributor:
		return fmt.Sprintf("Contributor for %s", orNone(strings.Join(a.Membership.Departments, ", ")))
	case a.Role == assess.RoleAuditor:
		return "Auditor until " + a.Membership.Expires.String()
	}
	return a.Role.Label()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// access works out what p may do in an assessment, on the store of the
// transaction it is asked in. Someone who is not a member gets "not found",
// exactly as for an id that does not exist, so ids cannot be probed; an
// expired auditor is told their access ended.
func (s *Service) access(ctx context.Context, st store.Store, p Principal, aid string) (Access, error) {
	if err := requireSignedIn(p); err != nil {
		return Access{}, err
	}
	if p.IsAdmin() {
		// Only that it exists: its revision is one column of one row, the
		// whole record fifteen, and this runs before every page.
		if _, err := st.Revision(ctx, aid); err != nil {
			return Access{}, err
		}
		return Access{AssessmentID: aid, Role: assess.RoleAssessor, Admin: true, user: p.User}, nil
	}
	m, err := st.Membership(ctx, aid, p.User.ID)
	if assess.KindOf(err) == assess.KindNotFound {
		return Access{}, assess.Errorf(assess.KindNotFound, "assessment %q not found", aid)
	}
	if err == nil && m.Pending {
		// An invitation not yet accepted gives nothing.
		return Access{}, assess.Errorf(assess.KindNotFound, "assessment %q not found", aid)
	}
	if err != nil {
		return Access{}, err
	}
	if m.Role == assess.RoleAuditor && m.Expired(s.now()) {
		return Access{}, forbidden("your auditor access to this assessment ended on %s: ask its assessor to extend it", m.Expires)
	}
	return Access{AssessmentID: aid, Role: m.Role, Membership: m, user: p.User}, nil
}

// Access tells what p may do in an assessment, for surfaces that show or
// hide controls; the use cases check again themselves.
func (s *Service) Access(ctx context.Context, p Principal, aid string) (Access, error) {
	var acc Access
	err := s.store.ReadTx(ctx, func(st store.Store) error {
		var err error
		acc, err = s.access(ctx, st, p, aid)
		return err
	})
	return acc, err
}

// reading runs fn on one consistent read-only view of the database, once p
// is known to be allowed to read assessment aid.
func (s *Service) reading(ctx context.Context, p Principal, aid string, fn func(t *Service, acc Access) error) error {
	return s.store.ReadTx(ctx, func(st store.Store) error {
		t := s.in(st)
		acc, err := t.access(ctx, st, p, aid)
		if err != nil {
			return err
		}
		return fn(t, acc)
	})
}

// writing runs fn in one transaction, once p is known to be a member of
// assessment aid (fn checks the role it needs with acc). The transaction
// holds the assessment's write lock from its first statement, so what fn
// reads (a version, the history it merges an edit with) is still current
// when it writes, on every engine.
func (s *Service) writing(ctx context.Context, p Principal, aid string, fn func(t *Service, acc Access) error) error {
	return s.writingAfter(ctx, p, aid, nil, fn)
}

// writingAfter is writing with a read before the lock: what the
// transaction will most likely need, read while other writers of the
// assessment still hold its lock, so that it holds the lock for less time.
// Whatever fn takes from it must be checked again under the lock (a
// version does).
func (s *Service) writingAfter(ctx context.Context, p Principal, aid string, before func(st store.Store), fn func(t *Service, acc Access) error) error {
	return s.store.InTx(ctx, func(st store.Store) error {
		if err := requireSignedIn(p); err != nil {
			return err
		}
		if err := requireWriter(p); err != nil {
			return err
		}
		if before != nil {
			before(st)
		}
		if err := st.LockAssessment(ctx, aid); err != nil {
			return err
		}
		t := s.in(st)
		acc, err := t.access(ctx, st, p, aid)
		if err != nil {
			return err
		}
		return fn(t, acc)
	})
}
