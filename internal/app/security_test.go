package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func TestSiteSettings(t *testing.T) {
	ctx := context.Background()
	svc := emptyService(t)
	if got, err := svc.SiteSettings(ctx); err != nil || got != app.DefaultSiteSettings() || !got.PasswordSignIn {
		t.Fatalf("a fresh site: %+v %v", got, err)
	}
	want := app.SiteSettings{PasswordSignIn: false, Require2FA: app.Require2FAAssessors}
	if _, err := svc.UpdateSiteSettings(ctx, app.System("cli"), want); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.SiteSettings(ctx); got != want {
		t.Errorf("stored %+v, read %+v", want, got)
	}
	_, err := svc.UpdateSiteSettings(ctx, app.System("cli"), app.SiteSettings{Require2FA: "auditors"})
	if assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), "require_2fa") {
		t.Errorf("an unknown group: %v", err)
	}
	if got, _ := svc.SiteSettings(ctx); got != want {
		t.Errorf("a refused change changed the settings: %+v", got)
	}
}

// Sign-ins, failures, password and token changes are kept in each
// account's security history, which its owner and administrators read.
func TestSecurityHistory(t *testing.T) {
	ctx := context.Background()
	st, _ := sqliteStore(t)
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := app.New(st, app.Config{Clock: func() time.Time { return now }})
	cli := app.System("cli")
	u, err := svc.CreateUser(ctx, cli, app.NewUser{Login: "ann", Name: "Ann", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	ann := app.Principal{User: u}
	b, err := svc.CreateUser(ctx, cli, app.NewUser{Login: "bob", Name: "Bob", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	bob := app.Principal{User: b}
	step := func() { now = now.Add(time.Minute) }
	if _, err := svc.Authenticate(ctx, "ann", "wrong password!!", "192.0.2.7"); err == nil {
		t.Fatal("a wrong password let ann in")
	}
	step()
	if _, err := svc.Authenticate(ctx, "nobody", "wrong password!!", "192.0.2.7"); err == nil {
		t.Fatal("an unknown login got in")
	}
	step()
	if _, err := svc.Authenticate(ctx, "ann", "long enough password", "192.0.2.8"); err != nil {
		t.Fatal(err)
	}
	step()
	made, err := svc.CreateToken(ctx, ann, app.NewToken{Name: "ci", Expires: now.AddDate(0, 1, 0), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	step()
	if err := svc.RevokeToken(ctx, ann, made.Token.ID); err != nil {
		t.Fatal(err)
	}
	step()
	if err := svc.ChangePassword(ctx, ann, "long enough password", "another long password"); err != nil {
		t.Fatal(err)
	}
	step()
	if err := svc.SetUserPassword(ctx, cli, "ann", "a third long password"); err != nil {
		t.Fatal(err)
	}

	evs, err := svc.SecurityEvents(ctx, ann, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	want := []string{assess.EventPasswordSet, assess.EventPasswordChanged, assess.EventTokenRevoked, assess.EventTokenCreated, assess.EventSignIn, assess.EventSignInFailed}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Fatalf("ann's history: %v, want %v", kinds, want)
	}
	if evs[5].Addr != "192.0.2.7" || evs[4].Addr != "192.0.2.8" || !strings.Contains(evs[3].Detail, `"ci"`) ||
		!strings.Contains(evs[3].Detail, "read-only") || !strings.Contains(evs[0].Detail, "cli") {
		t.Errorf("details: %+v", evs)
	}
	if !evs[0].At.After(evs[1].At) {
		t.Errorf("times: %v then %v", evs[1].At, evs[0].At)
	}
	if _, err := svc.SecurityEvents(ctx, bob, "ann", 0); assess.KindOf(err) != assess.KindForbidden {
		t.Errorf("bob reading ann's history: %v", err)
	}
	if got, err := svc.SecurityEvents(ctx, cli, "ann", 0); err != nil || len(got) != len(evs) {
		t.Errorf("the command line reading ann's history: %d %v", len(got), err)
	}
	if got, _ := svc.SecurityEvents(ctx, bob, "", 0); len(got) != 0 {
		t.Errorf("bob's own history: %+v", got)
	}
}
