package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// onEachEngine runs a test on an empty service of each engine.
func onEachEngine(t *testing.T, test func(t *testing.T, svc *app.Service)) {
	for name, open := range map[string]func(t *testing.T) store.Store{
		"sqlite":   func(t *testing.T) store.Store { st, _ := sqliteStore(t); return st },
		"postgres": postgresStore,
	} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			svc := app.New(st, app.Config{})
			below.Store(svc, st)
			test(t, svc)
		})
	}
}

// below keeps the store under each test service, for checks that look
// beneath the use cases.
var below sync.Map

func storeOf(svc *app.Service) store.Store {
	st, _ := below.Load(svc)
	return st.(store.Store)
}

const password = "correct horse battery"

func person(t *testing.T, svc *app.Service, login string, admin bool) app.Principal {
	t.Helper()
	u, err := svc.CreateUser(context.Background(), app.System("t"), app.NewUser{Login: login, Name: "Name of " + login, Password: password, Admin: admin})
	if err != nil {
		t.Fatal(err)
	}
	return app.Principal{User: u}
}

func session(t *testing.T, svc *app.Service, p app.Principal) string {
	t.Helper()
	token, err := svc.StartSession(context.Background(), p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// live reports whether a session token still signs its holder in.
func live(t *testing.T, svc *app.Service, token string) bool {
	t.Helper()
	_, err := svc.ResolveSession(context.Background(), token, time.Hour)
	if err != nil && assess.KindOf(err) != assess.KindUnauthenticated {
		t.Fatal(err)
	}
	return err == nil
}

func signsIn(t *testing.T, svc *app.Service, login, pw string) bool {
	t.Helper()
	_, err := svc.Authenticate(context.Background(), login, pw, "192.0.2.1")
	if err != nil && assess.KindOf(err) != assess.KindUnauthenticated {
		t.Fatal(err)
	}
	return err == nil
}

// invalidField reports whether err is invalid input naming field.
func invalidField(err error, field string) bool {
	var fe *assess.FieldErrors
	if !errors.As(err, &fe) || assess.KindOf(err) != assess.KindInvalid {
		return false
	}
	for _, e := range fe.List {
		if e.Where == field {
			return true
		}
	}
	return false
}

func TestChangePassword(t *testing.T) {
	onEachEngine(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		ann, bob := person(t, svc, "ann", false), person(t, svc, "bob", false)
		here, elsewhere, bobs := session(t, svc, ann), session(t, svc, ann), session(t, svc, bob)
		if err := svc.ChangePassword(ctx, ann, "wrong password", "a new passphrase"); !invalidField(err, "current") {
			t.Errorf("wrong current password: %v", err)
		}
		if err := svc.ChangePassword(ctx, ann, password, "short"); !invalidField(err, "new") {
			t.Errorf("short new password: %v", err)
		}
		if !live(t, svc, here) || !live(t, svc, elsewhere) || !signsIn(t, svc, "ann", password) {
			t.Fatal("a refused change ended a session or changed the password")
		}
		if err := svc.ChangePassword(ctx, ann, password, "a new passphrase"); err != nil {
			t.Fatal(err)
		}
		// Signed out everywhere, the session that asked included: the web
		// app gives that browser a new one.
		if live(t, svc, here) || live(t, svc, elsewhere) {
			t.Error("a session from before the change still works")
		}
		if !live(t, svc, bobs) {
			t.Error("someone else was signed out")
		}
		if signsIn(t, svc, "ann", password) || !signsIn(t, svc, "ann", "a new passphrase") {
			t.Error("the password did not change")
		}
	})
}

func TestUpdateUser(t *testing.T) {
	onEachEngine(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		root, sue, ann := person(t, svc, "root", true), person(t, svc, "sue", true), person(t, svc, "ann", false)
		user := func(p app.Principal) assess.User {
			t.Helper()
			u, err := storeOf(svc).GetUser(ctx, p.User.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		promoted := ann.User
		promoted.Admin = true
		if _, err := svc.UpdateUser(ctx, ann, promoted); assess.KindOf(err) != assess.KindForbidden || user(ann).Admin {
			t.Errorf("a non-admin promoting themselves: %v", err)
		}
		// Name and e-mail are trimmed; the login stays.
		edit := ann.User
		edit.Login, edit.Name, edit.Email = "mallory", "  Ann Smith ", " ann@example.com "
		if got, err := svc.UpdateUser(ctx, root, edit); err != nil || got.Login != "ann" {
			t.Fatalf("update: login %q, %v", got.Login, err)
		}
		if u := user(ann); u.Login != "ann" || u.Name != "Ann Smith" || u.Email != "ann@example.com" || u.Admin || u.Disabled {
			t.Errorf("updated: %+v", u)
		}
		edit = user(ann)
		edit.Email = "not an address"
		if _, err := svc.UpdateUser(ctx, root, edit); !invalidField(err, "email") {
			t.Errorf("bad e-mail: %v", err)
		}
		edit.ID = 1 << 40
		if _, err := svc.UpdateUser(ctx, root, edit); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("unknown account: %v", err)
		}
		// Disabling ends every session, for good.
		tokens := []string{session(t, svc, ann), session(t, svc, ann)}
		off := user(ann)
		off.Disabled = true
		if _, err := svc.UpdateUser(ctx, root, off); err != nil {
			t.Fatal(err)
		}
		if signsIn(t, svc, "ann", password) {
			t.Error("a disabled account signs in")
		}
		off.Disabled = false
		if _, err := svc.UpdateUser(ctx, root, off); err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens {
			if live(t, svc, tok) {
				t.Error("a session from before the account was disabled works again")
			}
		}
		if !signsIn(t, svc, "ann", password) {
			t.Error("an enabled account cannot sign in")
		}
		// An administrator cannot demote or disable themselves; another can.
		rootSession := session(t, svc, root)
		demoted, disabled := root.User, root.User
		demoted.Admin, disabled.Disabled = false, true
		for name, u := range map[string]assess.User{"demote": demoted, "disable": disabled} {
			if _, err := svc.UpdateUser(ctx, root, u); !invalidField(err, "admin") {
				t.Errorf("%s yourself: %v", name, err)
			}
		}
		if u := user(root); !u.Admin || u.Disabled || !live(t, svc, rootSession) {
			t.Errorf("a refused self-change took effect: %+v", u)
		}
		if _, err := svc.UpdateUser(ctx, sue, disabled); err != nil || !user(root).Disabled || live(t, svc, rootSession) {
			t.Errorf("another administrator disabling root: %v", err)
		}
	})
}

// assessmentTeam is an assessment with one member per role, a stranger, and
// another assessment.
type assessmentTeam struct {
	a, other                                         assess.Assessment
	assessor, contributor, viewer, auditor, stranger app.Principal
}

func newTeam(t *testing.T, svc *app.Service) assessmentTeam {
	t.Helper()
	ctx := context.Background()
	sys := app.System("t")
	var tm assessmentTeam
	var err error
	if tm.a, err = svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if tm.other, err = svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Other client"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		p  *app.Principal
		in app.MemberInput
	}{
		{&tm.assessor, app.MemberInput{Login: "lead", Role: "assessor"}},
		{&tm.contributor, app.MemberInput{Login: "carl", Role: "contributor", Departments: []string{"HR"}}},
		{&tm.viewer, app.MemberInput{Login: "vera", Role: "viewer"}},
		{&tm.auditor, app.MemberInput{Login: "otto", Role: "auditor", Expires: assess.DateOf(time.Now()).AddDays(10).String()}},
	} {
		*m.p = person(t, svc, m.in.Login, false)
		if _, err := svc.PutMember(ctx, sys, tm.a.ID, m.in); err != nil {
			t.Fatal(err)
		}
	}
	tm.stranger = person(t, svc, "stranger", false)
	if _, err := svc.PutMember(ctx, sys, tm.other.ID, app.MemberInput{Login: "stranger", Role: "assessor"}); err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestDeleteAssessmentRules(t *testing.T) {
	onEachEngine(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		tm := newTeam(t, svc)
		if _, err := svc.AddEvidence(ctx, app.System("t"), tm.a.ID, "A.8.13", app.NewEvidence{FileName: "r.pdf", Content: []byte("%PDF")}); err != nil {
			t.Fatal(err)
		}
		for name, tc := range map[string]struct {
			p    app.Principal
			want assess.Kind
		}{
			"contributor": {tm.contributor, assess.KindForbidden},
			"viewer":      {tm.viewer, assess.KindForbidden},
			"auditor":     {tm.auditor, assess.KindForbidden},
			"non-member":  {tm.stranger, assess.KindNotFound},
		} {
			if err := svc.DeleteAssessment(ctx, tc.p, tm.a.ID); assess.KindOf(err) != tc.want {
				t.Errorf("%s deleting: %v, want %v", name, err, tc.want)
			}
		}
		if _, err := storeOf(svc).GetAssessment(ctx, tm.a.ID); err != nil {
			t.Fatalf("a refused delete removed the assessment: %v", err)
		}
		if err := svc.DeleteAssessment(ctx, tm.assessor, tm.a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := storeOf(svc).GetAssessment(ctx, tm.a.ID); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("the deleted assessment is still stored: %v", err)
		}
		if ms, err := storeOf(svc).MembershipsOf(ctx, tm.viewer.User.ID); err != nil || len(ms) != 0 {
			t.Errorf("memberships outlive their assessment: %+v %v", ms, err)
		}
		if err := svc.DeleteAssessment(ctx, tm.assessor, tm.a.ID); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("deleting twice: %v", err)
		}
		if list, _ := svc.Portfolio(ctx, tm.stranger); len(list) != 1 || list[0].Assessment.ID != tm.other.ID {
			t.Errorf("the other assessment after the delete: %+v", list)
		}
		if err := svc.DeleteAssessment(ctx, app.System("t"), tm.other.ID); err != nil {
			t.Errorf("the administrator deleting: %v", err)
		}
	})
}

func TestRemoveEvidenceRules(t *testing.T) {
	onEachEngine(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		tm := newTeam(t, svc)
		add := func(aid, ref string) int64 {
			ev, err := svc.AddEvidence(ctx, app.System("t"), aid, ref, app.NewEvidence{Text: "Signed " + ref})
			if err != nil {
				t.Fatal(err)
			}
			return ev.ID
		}
		// A.6.1 is HR's (the contributor's department), A.8.13 IT Operations'.
		hr, itOps := add(tm.a.ID, "A.6.1"), add(tm.a.ID, "A.8.13")
		add(tm.other.ID, "A.6.1")
		item := func(aid, ref string) assess.Item {
			it, err := svc.Item(ctx, app.System("test"), aid, ref)
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		for name, tc := range map[string]struct {
			p    app.Principal
			aid  string
			id   int64
			want assess.Kind
		}{
			"contributor, another department's item": {tm.contributor, tm.a.ID, itOps, assess.KindForbidden},
			"viewer":                                 {tm.viewer, tm.a.ID, hr, assess.KindForbidden},
			"auditor":                                {tm.auditor, tm.a.ID, hr, assess.KindForbidden},
			"non-member":                             {tm.stranger, tm.a.ID, hr, assess.KindNotFound},
			"unknown evidence":                       {tm.assessor, tm.a.ID, 999, assess.KindNotFound},
			"a number only another assessment has":   {app.System("t"), tm.other.ID, itOps, assess.KindNotFound},
		} {
			if err := svc.RemoveEvidence(ctx, tc.p, tc.aid, tc.id); assess.KindOf(err) != tc.want {
				t.Errorf("%s: %v, want %v", name, err, tc.want)
			}
		}
		if len(item(tm.a.ID, "A.6.1").Evidence) != 1 || len(item(tm.a.ID, "A.8.13").Evidence) != 1 || len(item(tm.other.ID, "A.6.1").Evidence) != 1 {
			t.Fatal("a refused removal took evidence away")
		}
		before := item(tm.a.ID, "A.6.1")
		if err := svc.RemoveEvidence(ctx, tm.contributor, tm.a.ID, hr); err != nil {
			t.Fatalf("contributor, their department's item: %v", err)
		}
		if after := item(tm.a.ID, "A.6.1"); len(after.Evidence) != 0 || after.Version != before.Version+1 || after.UpdatedBy != tm.contributor.User.Name {
			t.Errorf("after the removal: %+v", after)
		}
		if err := svc.RemoveEvidence(ctx, tm.assessor, tm.a.ID, itOps); err != nil || len(item(tm.a.ID, "A.8.13").Evidence) != 0 {
			t.Errorf("assessor, any item: %v", err)
		}
		if len(item(tm.other.ID, "A.6.1").Evidence) != 1 {
			t.Error("another assessment's evidence went too")
		}
	})
}
