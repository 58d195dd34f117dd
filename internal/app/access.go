package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/compare"
	"github.com/isogap/isogap/internal/store"
)

// Principal is who asks for a use case: a signed-in user, or the trusted
// local administrator (the CLI, which has the database file anyway).
type Principal struct {
	User   assess.User
	System bool
	// SystemName is the name the CLI records in the history.
	SystemName string
}

// System returns the trusted local principal recorded under name.
func System(name string) Principal { return Principal{System: true, SystemName: name} }

// Name is what the history records for the principal.
func (p Principal) Name() string {
	if p.System {
		return p.SystemName
	}
	return p.User.Name
}

// IsAdmin reports a site administrator (or the CLI).
func (p Principal) IsAdmin() bool { return p.System || p.User.Admin }

func forbidden(format string, args ...any) error {
	return assess.Errorf(assess.KindForbidden, format, args...)
}

// Access is what a principal may do in one assessment. Every rule about
// roles is here; the web handlers only ask.
type Access struct {
	AssessmentID string
	// Role is the member's role; site administrators act as assessors.
	Role       assess.Role
	Membership assess.Membership
	Admin      bool
	user       assess.User
}

// CanEditAssessment: the scope, stakeholders, target and exclusions.
func (a Access) CanEditAssessment() bool { return a.Admin || a.Role == assess.RoleAssessor }

// CanManageMembers: add, change and remove members.
func (a Access) CanManageMembers() bool { return a.CanEditAssessment() }

// CanEditSome reports whether the principal may edit any item at all.
func (a Access) CanEditSome() bool { return a.CanEditAssessment() || a.Role == assess.RoleContributor }

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

// CanDownloadEvidence: evidence files and the complete (JSON) export.
// Viewers see that evidence exists, not its files.
func (a Access) CanDownloadEvidence() bool { return a.Role != assess.RoleViewer || a.Admin }

// Access works out what p may do in an assessment. Someone who is not a
// member gets "not found", exactly as for an id that does not exist, so
// ids cannot be probed; an expired auditor is told their access ended.
func (s *Service) Access(ctx context.Context, p Principal, aid string) (Access, error) {
	if p.IsAdmin() {
		if _, err := s.store.GetAssessment(ctx, aid); err != nil {
			return Access{}, err
		}
		return Access{AssessmentID: aid, Role: assess.RoleAssessor, Admin: true, user: p.User}, nil
	}
	m, err := s.store.Membership(ctx, aid, p.User.ID)
	if assess.KindOf(err) == assess.KindNotFound {
		return Access{}, assess.Errorf(assess.KindNotFound, "assessment %q not found", aid)
	}
	if err != nil {
		return Access{}, err
	}
	if m.Role == assess.RoleAuditor && m.Expired(assess.Now()) {
		return Access{}, forbidden("your auditor access to this assessment ended on %s: ask its assessor to extend it", m.Expires)
	}
	return Access{AssessmentID: aid, Role: m.Role, Membership: m, user: p.User}, nil
}

// PortfolioEntry is one line of a principal's portfolio.
type PortfolioEntry struct {
	Summary
	Role assess.Role
}

// PortfolioFor lists the assessments p may see: administrators every one,
// everybody else those they are a member of (expired auditors excluded).
func (s *Service) PortfolioFor(ctx context.Context, p Principal) ([]PortfolioEntry, error) {
	var list []assess.Assessment
	roles := map[string]assess.Role{}
	if p.IsAdmin() {
		all, err := s.store.ListAssessments(ctx)
		if err != nil {
			return nil, err
		}
		list = all
		for _, a := range all {
			roles[a.ID] = assess.RoleAssessor
		}
	}
	if !p.System {
		ms, err := s.store.MembershipsOf(ctx, p.User.ID)
		if err != nil {
			return nil, err
		}
		now := assess.Now()
		for _, m := range ms {
			if m.Role == assess.RoleAuditor && m.Expired(now) {
				continue
			}
			if _, seen := roles[m.AssessmentID]; !seen {
				a, err := s.store.GetAssessment(ctx, m.AssessmentID)
				if err != nil {
					return nil, err
				}
				list = append(list, a)
			}
			roles[m.AssessmentID] = m.Role
		}
	}
	slices.SortFunc(list, func(a, b assess.Assessment) int {
		if c := strings.Compare(strings.ToLower(a.Org), strings.ToLower(b.Org)); c != 0 {
			return c
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	sums, err := s.summaries(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make([]PortfolioEntry, len(sums))
	for i, sm := range sums {
		out[i] = PortfolioEntry{Summary: sm, Role: roles[sm.Assessment.ID]}
	}
	return out, nil
}

// ViewAs loads an assessment for p.
func (s *Service) ViewAs(ctx context.Context, p Principal, aid string) (View, Access, error) {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return View{}, acc, err
	}
	v, err := s.View(ctx, aid)
	return v, acc, err
}

// CreateAssessmentAs creates an assessment and makes its creator its assessor.
func (s *Service) CreateAssessmentAs(ctx context.Context, p Principal, in NewAssessment) (assess.Assessment, error) {
	in.Actor = p.Name()
	if in.Lead == "" {
		in.Lead = p.Name()
	}
	var a assess.Assessment
	err := s.store.InTx(ctx, func(st store.Store) error {
		var err error
		if a, err = s.WithStore(st).CreateAssessment(ctx, in); err != nil {
			return err
		}
		if p.System {
			return nil
		}
		return st.PutMembership(ctx, assess.Membership{AssessmentID: a.ID, UserID: p.User.ID, Role: assess.RoleAssessor})
	})
	return a, err
}

// UpdateAssessmentAs changes an assessment's header (assessors only).
func (s *Service) UpdateAssessmentAs(ctx context.Context, p Principal, a assess.Assessment, baseVersion int) (assess.Assessment, error) {
	acc, err := s.Access(ctx, p, a.ID)
	if err != nil {
		return a, err
	}
	if !acc.CanEditAssessment() {
		return a, forbidden("only the assessment's assessors can change its scope and stakeholders")
	}
	return s.UpdateAssessment(ctx, p.Name(), a, baseVersion)
}

// DeleteAssessmentAs deletes an assessment for good (assessors only).
func (s *Service) DeleteAssessmentAs(ctx context.Context, p Principal, aid string) error {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return err
	}
	if !acc.CanEditAssessment() {
		return forbidden("only the assessment's assessors can delete it")
	}
	return s.store.DeleteAssessment(ctx, aid)
}

// contributorPatchError refuses the fields a contributor may not change:
// scoping decisions stay with the assessors.
func contributorPatchError(p ItemPatch) error {
	switch {
	case p.Applicable != nil || p.Justification != nil:
		return forbidden("contributors cannot change whether an item applies (applicable, justification): an assessor decides")
	case p.Department != nil:
		return forbidden("contributors cannot move items between departments: an assessor decides")
	}
	return nil
}

// UpdateItemAs applies an edit for p, if p may edit that item.
func (s *Service) UpdateItemAs(ctx context.Context, p Principal, aid, ref string, baseVersion int, patch ItemPatch) (assess.Item, error) {
	var out assess.Item
	err := s.store.InTx(ctx, func(st store.Store) error {
		tx := s.WithStore(st)
		acc, cur, err := tx.editableItem(ctx, p, aid, ref)
		if err != nil {
			return err
		}
		if patch.Empty() {
			out = cur // nothing changed in the form: nothing to save, nothing to conflict with
			return nil
		}
		if baseVersion != 0 && baseVersion != cur.Version {
			if baseVersion, err = tx.rebase(ctx, st, aid, cur, baseVersion, patch); err != nil {
				return err
			}
		}
		if !acc.CanEditAssessment() {
			if d := cur.Department; patch.Department != nil && strings.TrimSpace(*patch.Department) == d {
				patch.Department = nil // unchanged: a full form sends it back
			}
			if patch.Applicable != nil && *patch.Applicable == cur.Applicable &&
				(patch.Justification == nil || strings.TrimSpace(*patch.Justification) == cur.Justification) {
				patch.Applicable, patch.Justification = nil, nil
			}
			if err := contributorPatchError(patch); err != nil {
				return err
			}
		}
		out, err = tx.UpdateItem(ctx, p.Name(), aid, cur.Ref, baseVersion, patch)
		return err
	})
	return out, err
}

// rebase decides what an edit based on an older version of an item
// becomes. If nobody changed the fields it sets since that version (only
// other fields, or evidence), it applies to the current version: both edits
// stay. Otherwise the base stays old and UpdateItem reports the conflict
// with both values.
func (s *Service) rebase(ctx context.Context, st store.Store, aid string, cur assess.Item, base int, patch ItemPatch) (int, error) {
	if base > cur.Version {
		return base, nil
	}
	hist, err := st.History(ctx, aid, store.HistoryQuery{Ref: cur.Ref})
	if err != nil {
		return base, err
	}
	mine := patch.Fields()
	for _, h := range hist {
		if h.Version > base && slices.Contains(mine, h.Field) {
			return base, nil
		}
	}
	return cur.Version, nil
}

// editableItem loads an item that p may edit.
func (s *Service) editableItem(ctx context.Context, p Principal, aid, ref string) (Access, assess.Item, error) {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return acc, assess.Item{}, err
	}
	cur, err := s.Item(ctx, aid, ref)
	if err != nil {
		return acc, cur, err
	}
	return acc, cur, acc.CheckEdit(cur)
}

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

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// AddEvidenceAs attaches evidence for p, if p may edit the item.
func (s *Service) AddEvidenceAs(ctx context.Context, p Principal, aid, ref string, in NewEvidence) (assess.Evidence, error) {
	var out assess.Evidence
	err := s.store.InTx(ctx, func(st store.Store) error {
		tx := s.WithStore(st)
		_, cur, err := tx.editableItem(ctx, p, aid, ref)
		if err != nil {
			return err
		}
		out, err = tx.AddEvidence(ctx, p.Name(), aid, cur.Ref, in)
		return err
	})
	return out, err
}

// RemoveEvidenceAs detaches evidence for p, if p may edit its item.
func (s *Service) RemoveEvidenceAs(ctx context.Context, p Principal, aid string, id int64) error {
	return s.store.InTx(ctx, func(st store.Store) error {
		tx := s.WithStore(st)
		acc, err := tx.Access(ctx, p, aid)
		if err != nil {
			return err
		}
		items, err := st.ListItems(ctx, aid)
		if err != nil {
			return err
		}
		for _, it := range items {
			for _, ev := range it.Evidence {
				if ev.ID == id {
					if err := acc.CheckEdit(it); err != nil {
						return err
					}
					return tx.RemoveEvidence(ctx, p.Name(), aid, id)
				}
			}
		}
		return assess.Errorf(assess.KindNotFound, "evidence %d not found", id)
	})
}

// EvidenceFileAs returns an evidence file, if p may download evidence.
func (s *Service) EvidenceFileAs(ctx context.Context, p Principal, aid string, id int64) (assess.Evidence, []byte, error) {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return assess.Evidence{}, nil, err
	}
	if !acc.CanDownloadEvidence() {
		return assess.Evidence{}, nil, forbidden("viewers cannot download evidence files: ask the assessor for the auditor or contributor role")
	}
	ev, content, err := s.EvidenceFile(ctx, aid, id)
	if err == nil && ev.Kind != assess.EvidenceFile {
		err = assess.Errorf(assess.KindNotFound, "evidence %d has no file", id)
	}
	return ev, content, err
}

// HistoryAs lists the recorded changes for p.
func (s *Service) HistoryAs(ctx context.Context, p Principal, aid string, q store.HistoryQuery) ([]assess.Change, error) {
	if _, err := s.Access(ctx, p, aid); err != nil {
		return nil, err
	}
	return s.History(ctx, aid, q)
}

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
	if _, err := s.Access(ctx, p, aid); err != nil {
		return nil, err
	}
	return s.store.Members(ctx, aid)
}

// PutMember adds a member or changes their role (assessors only).
func (s *Service) PutMember(ctx context.Context, p Principal, aid string, in MemberInput) (assess.Membership, error) {
	var m assess.Membership
	err := s.store.InTx(ctx, func(st store.Store) error {
		tx := s.WithStore(st)
		acc, err := tx.Access(ctx, p, aid)
		if err != nil {
			return err
		}
		if !acc.CanManageMembers() {
			return forbidden("only the assessment's assessors can manage its members")
		}
		a, err := st.GetAssessment(ctx, aid)
		if err != nil {
			return err
		}
		cat, err := tx.CatalogOf(ctx, a)
		if err != nil {
			return err
		}
		m, err = buildMembership(ctx, st, cat, aid, in)
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

func buildMembership(ctx context.Context, st store.Store, cat *catalog.Catalog, aid string, in MemberInput) (assess.Membership, error) {
	errs := &assess.FieldErrors{Context: "member"}
	m := assess.Membership{AssessmentID: aid}
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
		errs.Add("expires", in.Expires, "not a date", "YYYY-MM-DD")
	}
	switch {
	case m.Role == assess.RoleAuditor && m.Expires.IsZero() && err == nil:
		errs.Add("expires", "", "an auditor's access needs an end date", "the last day of the audit, YYYY-MM-DD")
	case m.Role == assess.RoleAuditor && m.Expired(assess.Now()):
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
	return s.store.InTx(ctx, func(st store.Store) error {
		acc, err := s.WithStore(st).Access(ctx, p, aid)
		if err != nil {
			return err
		}
		if !acc.CanManageMembers() {
			return forbidden("only the assessment's assessors can manage its members")
		}
		if err := keepsAnAssessor(ctx, st, aid, userID, ""); err != nil {
			return err
		}
		return st.DeleteMembership(ctx, aid, userID)
	})
}

// ExportAs writes an assessment in a format for p. Formats that carry
// evidence files need the right to download evidence.
func (s *Service) ExportAs(ctx context.Context, p Principal, aid string, f Format, w io.Writer) error {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return err
	}
	if f.Evidence && !acc.CanDownloadEvidence() {
		return forbidden("the %s download carries evidence files, which viewers cannot download", f.Label)
	}
	return f.Write(ctx, s, aid, w)
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

// AssignOwners makes each department's first stakeholder the owner of the
// department's items that have no owner yet (assessors only). It returns
// how many items changed.
func (s *Service) AssignOwners(ctx context.Context, p Principal, aid string) (int, error) {
	n := 0
	err := s.store.InTx(ctx, func(st store.Store) error {
		tx := s.WithStore(st)
		acc, err := tx.Access(ctx, p, aid)
		if err != nil {
			return err
		}
		if !acc.CanEditAssessment() {
			return forbidden("only the assessment's assessors can assign owners")
		}
		a, err := st.GetAssessment(ctx, aid)
		if err != nil {
			return err
		}
		owner := map[string]string{}
		for _, sh := range a.Stakeholders {
			if _, ok := owner[sh.Department]; !ok && sh.Department != "" {
				owner[sh.Department] = sh.Name
			}
		}
		items, err := st.ListItems(ctx, aid)
		if err != nil {
			return err
		}
		for _, it := range items {
			name, ok := owner[it.Department]
			if it.Owner != "" || !ok {
				continue
			}
			if _, err := tx.UpdateItem(ctx, p.Name(), aid, it.Ref, it.Version, ItemPatch{Owner: &name}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// ImportJSONAs restores an assessment from a JSON export under a new id and
// makes p its assessor. The whole file is checked before anything is
// written.
func (s *Service) ImportJSONAs(ctx context.Context, p Principal, r io.Reader) (assess.Assessment, error) {
	var a assess.Assessment
	err := s.store.InTx(ctx, func(st store.Store) error {
		var err error
		if a, err = s.WithStore(st).ImportJSON(ctx, r, ImportOptions{AsNew: true}); err != nil {
			return err
		}
		if p.System {
			return nil
		}
		return st.PutMembership(ctx, assess.Membership{AssessmentID: a.ID, UserID: p.User.ID, Role: assess.RoleAssessor})
	})
	return a, err
}

// CanEditPlan: the forecast's assumptions. They move every date and amount
// the executives read, so they stay with the assessors.
func (a Access) CanEditPlan() bool { return a.CanEditAssessment() }

// CanManageSnapshots: take and delete named snapshots (assessors). Every
// member may read and compare them.
func (a Access) CanManageSnapshots() bool { return a.CanEditAssessment() }

// ResultsAs computes an assessment's results for p: every member may read
// them, what-if assumptions included (nothing is saved).
func (s *Service) ResultsAs(ctx context.Context, p Principal, aid string, now time.Time, whatIf map[string]string, parts ResultParts) (Results, error) {
	v, _, err := s.ViewAs(ctx, p, aid)
	if err != nil {
		return Results{}, err
	}
	return s.ResultsOf(ctx, v, now, whatIf, parts)
}

// SetPlanAs saves an edit of the assumptions for p (assessors only).
func (s *Service) SetPlanAs(ctx context.Context, p Principal, aid string, e PlanEdit) (store.PlanSettings, error) {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return store.PlanSettings{}, err
	}
	if !acc.CanEditPlan() {
		return store.PlanSettings{}, forbidden("only the assessment's assessors can change the forecast's assumptions; your role (%s) can read them", acc.Role)
	}
	return s.SetPlan(ctx, p.Name(), aid, e)
}

// CreateSnapshotAs keeps the assessment as it is now under a name (assessors only).
func (s *Service) CreateSnapshotAs(ctx context.Context, p Principal, aid, name string) (store.Snapshot, error) {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return store.Snapshot{}, err
	}
	if !acc.CanManageSnapshots() {
		return store.Snapshot{}, forbidden("only the assessment's assessors can take snapshots")
	}
	return s.CreateSnapshot(ctx, p.Name(), aid, name)
}

// DeleteSnapshotAs removes a snapshot (assessors only).
func (s *Service) DeleteSnapshotAs(ctx context.Context, p Principal, aid, name string) error {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return err
	}
	if !acc.CanManageSnapshots() {
		return forbidden("only the assessment's assessors can delete snapshots")
	}
	return s.DeleteSnapshot(ctx, aid, name)
}

// CompareAs compares two states (see State) that p may both see: an
// assessment p is not a member of is "not found" here as everywhere.
func (s *Service) CompareAs(ctx context.Context, p Principal, a, b string) (compare.Result, error) {
	for _, spec := range []string{a, b} {
		if id, _, _ := strings.Cut(spec, "@"); id != "" {
			if _, err := s.Access(ctx, p, id); err != nil {
				return compare.Result{}, err
			}
		}
	}
	return s.Compare(ctx, a, b)
}
