package app_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// An assessor adding a member learns nothing about which logins exist, and
// the person invited sees nothing of the assessment until they accept.
func TestInvitationsRevealNothingUntilAccepted(t *testing.T) {
	onEachEngine(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		sys := app.System("t")
		lead := person(t, svc, "lead", false)
		lead.User.CreatesAssessments = true
		if _, err := svc.UpdateUser(ctx, sys, lead.User); err != nil {
			t.Fatal(err)
		}
		dana, erin := person(t, svc, "dana", false), person(t, svc, "erin", false)
		a, err := svc.CreateAssessment(ctx, lead, app.NewAssessment{Org: "Client A"})
		if err != nil {
			t.Fatal(err)
		}
		known, err := svc.PutMember(ctx, lead, a.ID, app.MemberInput{Login: "dana", Role: "viewer"})
		if err != nil {
			t.Fatal(err)
		}
		unknown, err := svc.PutMember(ctx, lead, a.ID, app.MemberInput{Login: "ghost", Role: "viewer"})
		if err != nil {
			t.Fatalf("inviting an unknown login: %v, want the same answer as for a known one", err)
		}
		if !known.Pending || known.User.Login != "dana" || known.User.Name != "" || known.UserID != 0 {
			t.Errorf("the answer for an existing login tells about the account: %+v", known)
		}
		known.User.Login, known.CreatedAt = "ghost", unknown.CreatedAt // the time is the clock's
		if !reflect.DeepEqual(known, unknown) {
			t.Errorf("answers differ:\n known   %+v\n unknown %+v", known, unknown)
		}
		if ms, _ := svc.Members(ctx, lead, a.ID); len(ms) != 1 {
			t.Errorf("members before anyone accepted: %+v", ms)
		}
		// Invited, not yet a member: no access, nothing in the portfolio.
		if _, err := svc.Access(ctx, dana, a.ID); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("an invited person opening the assessment: %v, want not found", err)
		}
		if list, _ := svc.Portfolio(ctx, dana); len(list) != 0 {
			t.Errorf("the assessment shows in an invited person's portfolio: %+v", list)
		}
		if ms, _ := svc.Memberships(ctx, dana); len(ms) != 0 {
			t.Errorf("memberships before accepting: %+v", ms)
		}
		// Inviting again changes the invitation; it stays one.
		if _, err := svc.PutMember(ctx, lead, a.ID, app.MemberInput{Login: "dana", Role: "contributor", Departments: []string{"HR"}}); err != nil {
			t.Fatal(err)
		}
		inv, err := svc.Invitations(ctx, dana)
		if err != nil || len(inv) != 1 || inv[0].Org != "Client A" || inv[0].Membership.Role != assess.RoleContributor {
			t.Fatalf("dana's invitations: %+v, %v", inv, err)
		}
		if err := svc.AcceptInvitation(ctx, dana, a.ID); err != nil {
			t.Fatal(err)
		}
		if acc, err := svc.Access(ctx, dana, a.ID); err != nil || acc.Role != assess.RoleContributor {
			t.Errorf("after accepting: %+v, %v", acc, err)
		}
		if list, _ := svc.Portfolio(ctx, dana); len(list) != 1 {
			t.Errorf("portfolio after accepting: %+v", list)
		}
		if inv, _ := svc.Invitations(ctx, dana); len(inv) != 0 {
			t.Errorf("invitations after accepting: %+v", inv)
		}
		// A member's role changes at once, as it always did.
		m, err := svc.PutMember(ctx, lead, a.ID, app.MemberInput{Login: "dana", Role: "viewer"})
		if err != nil || m.Pending || m.User.Name != dana.User.Name {
			t.Errorf("changing a member's role: %+v, %v", m, err)
		}
		// An invited assessor is no assessor yet: the lead stays the only one.
		if _, err := svc.PutMember(ctx, lead, a.ID, app.MemberInput{Login: "erin", Role: "assessor"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PutMember(ctx, lead, a.ID, app.MemberInput{Login: "lead", Role: "viewer"}); err == nil || !strings.Contains(err.Error(), "only assessor") {
			t.Errorf("the lead stepping down with only an invited assessor: %v", err)
		}
		// Declining drops the invitation.
		if err := svc.DeclineInvitation(ctx, erin, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.AcceptInvitation(ctx, erin, a.ID); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("accepting a declined invitation: %v, want not found", err)
		}
		if _, err := svc.Access(ctx, erin, a.ID); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("after declining: %v, want not found", err)
		}
		// The command line, the local administrator, adds members at once.
		if _, err := svc.PutMember(ctx, sys, a.ID, app.MemberInput{Login: "erin", Role: "viewer"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Access(ctx, erin, a.ID); err != nil {
			t.Errorf("a member the command line added: %v", err)
		}
	})
}

// Starting assessments is for administrators and the accounts they allow,
// unless the site lets every account.
func TestWhoStartsAssessments(t *testing.T) {
	onEachEngine(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		sys := app.System("t")
		dana := person(t, svc, "dana", false)
		src, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Source"})
		if err != nil {
			t.Fatal(err)
		}
		var export bytes.Buffer
		if err := svc.Export(ctx, sys, src.ID, app.DefaultFormats()[0], &export); err != nil {
			t.Fatal(err)
		}
		starts := func(svc *app.Service) error {
			may, err := svc.MayCreateAssessments(ctx, dana)
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.CreateAssessment(ctx, dana, app.NewAssessment{Org: "Mine"})
			_, ierr := svc.ImportJSON(ctx, dana, bytes.NewReader(export.Bytes()), app.ImportOptions{AsNew: true})
			if (err == nil) != may || (ierr == nil) != may {
				t.Errorf("MayCreateAssessments %v, but creating: %v, importing: %v", may, err, ierr)
			}
			return err
		}
		if err := starts(svc); assess.KindOf(err) != assess.KindForbidden {
			t.Errorf("an account nobody allowed: %v, want forbidden", err)
		}
		// Allowed by an administrator: counts at once, even for a principal
		// resolved before.
		u := dana.User
		u.CreatesAssessments = true
		if _, err := svc.UpdateUser(ctx, sys, u); err != nil {
			t.Fatal(err)
		}
		if err := starts(svc); err != nil {
			t.Errorf("an allowed account: %v", err)
		}
		if got, _ := svc.UserByLogin(ctx, sys, "dana"); !got.CreatesAssessments {
			t.Error("the right to start assessments was not stored")
		}
		u.CreatesAssessments = false
		if _, err := svc.UpdateUser(ctx, sys, u); err != nil {
			t.Fatal(err)
		}
		if err := starts(svc); assess.KindOf(err) != assess.KindForbidden {
			t.Errorf("after the right was withdrawn: %v, want forbidden", err)
		}
		open := app.New(storeOf(svc), app.Config{EveryoneCreatesAssessments: true})
		if err := starts(open); err != nil {
			t.Errorf("on a site where every account may: %v", err)
		}
	})
}
