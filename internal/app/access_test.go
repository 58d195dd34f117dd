package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func emptyService(t *testing.T) *app.Service {
	t.Helper()
	st, _ := sqliteStore(t)
	return app.New(st, app.Config{})
}

func TestPasswordHash(t *testing.T) {
	h, err := app.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := app.HashPassword("correct horse battery staple")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || h == h2 {
		t.Errorf("hash %q (salted: %v)", h, h != h2)
	}
	if !app.CheckPassword(h, "correct horse battery staple") {
		t.Error("the right password is refused")
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple"} {
		if app.CheckPassword(h, wrong) {
			t.Errorf("%q accepted", wrong)
		}
	}
}

// FuzzCheckPassword: a stored hash of any shape is refused or checked,
// never a panic, and never accepts a password it was not made from.
func FuzzCheckPassword(f *testing.F) {
	good, _ := app.HashPassword("pw-0123456789")
	f.Add(good, "pw-0123456789")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$", "")
	f.Add("$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5", "x")
	f.Add("$bcrypt$...", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if app.CheckPassword(hash, pw) && hash != good {
			// Only a well-formed argon2id hash of pw may match.
			if !strings.HasPrefix(hash, "$argon2id$") {
				t.Fatalf("%q accepted by %q", pw, hash)
			}
		}
	})
}

func TestAccessRules(t *testing.T) {
	ctx := context.Background()
	svc := emptyService(t)
	sys := app.System("t")
	a, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(login, name string) app.Principal {
		u, err := svc.CreateUser(ctx, sys, app.NewUser{Login: login, Name: name, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return app.Principal{User: u}
	}
	lead, carl, stranger := mk("lead", "Lea Lead"), mk("carl", "Carl Contrib"), mk("stranger", "Sam Stranger")
	if _, err := svc.PutMember(ctx, sys, a.ID, app.MemberInput{Login: "lead", Role: "assessor"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutMember(ctx, lead, a.ID, app.MemberInput{Login: "carl", Role: "contributor", Departments: []string{"HR"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AcceptInvitation(ctx, carl, a.ID); err != nil { // an assessor invites; the invited person accepts
		t.Fatal(err)
	}
	// The owner field, matched on the person's name, gives a contributor the item.
	owner := "Carl Contrib"
	if _, err := svc.UpdateItem(ctx, lead, a.ID, "4.3", 0, app.ItemPatch{Owner: &owner}); err != nil {
		t.Fatal(err)
	}
	three := assess.Score(3)
	for ref, want := range map[string]assess.Kind{"A.6.1": 0, "4.3": 0, "4.1": assess.KindForbidden} {
		_, err := svc.UpdateItem(ctx, carl, a.ID, ref, 0, app.ItemPatch{Score: &three})
		if (want == 0) != (err == nil) || (err != nil && assess.KindOf(err) != want) {
			t.Errorf("contributor scoring %s: %v, want kind %v", ref, err, want)
		}
	}
	// Sending back the unchanged department (a full form does) is not a move.
	hr := "HR"
	if _, err := svc.UpdateItem(ctx, carl, a.ID, "A.6.1", 0, app.ItemPatch{Department: &hr, Score: &three}); err != nil {
		t.Errorf("unchanged department: %v", err)
	}
	it := "IT Operations"
	if _, err := svc.UpdateItem(ctx, carl, a.ID, "A.6.1", 0, app.ItemPatch{Department: &it}); assess.KindOf(err) != assess.KindForbidden {
		t.Errorf("contributor moving an item to another department: %v", err)
	}
	if _, err := svc.UpdateItem(ctx, stranger, a.ID, "4.1", 0, app.ItemPatch{Score: &three}); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("a stranger editing: %v, want not found", err)
	}
	if _, err := svc.AddEvidence(ctx, carl, a.ID, "4.1", app.NewEvidence{Text: "x"}); assess.KindOf(err) != assess.KindForbidden {
		t.Errorf("contributor adding evidence to another department's item: %v", err)
	}
	// Members: validation, and an assessment always keeps an assessor.
	for _, tc := range []struct {
		in   app.MemberInput
		want string
	}{
		{app.MemberInput{Login: "stranger", Role: "auditor"}, "end date"},
		{app.MemberInput{Login: "stranger", Role: "auditor", Expires: "2001-01-01"}, "passed"},
		{app.MemberInput{Login: "stranger", Role: "contributor", Refs: []string{"A.9.9"}}, "unknown ref"},
		{app.MemberInput{Login: "lead", Role: "viewer"}, "only assessor"},
	} {
		if _, err := svc.PutMember(ctx, lead, a.ID, tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.in, err, tc.want)
		}
	}
	if _, err := svc.PutMember(ctx, carl, a.ID, app.MemberInput{Login: "stranger", Role: "viewer"}); assess.KindOf(err) != assess.KindForbidden {
		t.Errorf("contributor managing members: %v", err)
	}
	if err := svc.RemoveMember(ctx, lead, a.ID, lead.User.ID); err == nil || !strings.Contains(err.Error(), "only assessor") {
		t.Errorf("removing the last assessor: %v", err)
	}
	// The portfolio of each person.
	if list, _ := svc.Portfolio(ctx, stranger); len(list) != 0 {
		t.Errorf("a stranger's portfolio: %d", len(list))
	}
	if list, _ := svc.Portfolio(ctx, carl); len(list) != 1 || list[0].Role != assess.RoleContributor {
		t.Errorf("contributor's portfolio: %+v", list)
	}
	// Owners by department: the first stakeholder of each department.
	cur, _ := svc.Assessment(ctx, lead, a.ID)
	cur.Stakeholders = []assess.Stakeholder{{Name: "Hana HR", Department: "HR"}, {Name: "Second HR", Department: "HR"}}
	if _, err := svc.UpdateAssessment(ctx, lead, cur, cur.Version); err != nil {
		t.Fatal(err)
	}
	n, err := svc.AssignOwners(ctx, lead, a.ID)
	if err != nil || n == 0 {
		t.Fatalf("assign owners: %d %v", n, err)
	}
	if got, _ := svc.Item(ctx, app.System("test"), a.ID, "A.6.2"); got.Owner != "Hana HR" {
		t.Errorf("owner of an HR item: %q", got.Owner)
	}
	if got, _ := svc.Item(ctx, app.System("test"), a.ID, "4.3"); got.Owner != "Carl Contrib" {
		t.Errorf("an owned item changed owner: %q", got.Owner)
	}
}
