package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func TestAccessTokens(t *testing.T) {
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
	a, err := svc.CreateAssessment(ctx, cli, app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutMember(ctx, cli, a.ID, app.MemberInput{Login: "ann", Role: "assessor"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, cli, app.NewUser{Login: "bo", Name: "Bo", Password: "long enough password"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutMember(ctx, cli, a.ID, app.MemberInput{Login: "bo", Role: "assessor"}); err != nil {
		t.Fatal(err)
	}

	// What is wrong is said per field.
	for _, tc := range []struct {
		in    app.NewToken
		field string
	}{
		{app.NewToken{Expires: now.AddDate(0, 1, 0)}, "name"},
		{app.NewToken{Name: strings.Repeat("x", 81), Expires: now.AddDate(0, 1, 0)}, "name"},
		{app.NewToken{Name: "ci"}, "expires"},
		{app.NewToken{Name: "ci", Expires: now.Add(-time.Hour)}, "expires"},
		{app.NewToken{Name: "ci", Expires: now.AddDate(2, 0, 0)}, "expires"},
	} {
		_, err := svc.CreateToken(ctx, ann, tc.in)
		if assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: %v, want a problem with %s", tc.in, err, tc.field)
		}
	}

	made, err := svc.CreateToken(ctx, ann, app.NewToken{Name: "ci", Expires: now.AddDate(0, 0, 90)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(made.Secret, app.TokenPrefix) || len(made.Secret) < 40 || !strings.HasPrefix(made.Secret, made.Token.Prefix) {
		t.Errorf("secret %q, prefix %q", made.Secret, made.Token.Prefix)
	}
	list, err := svc.Tokens(ctx, ann)
	if err != nil || len(list) != 1 || list[0].TokenHash == made.Secret || list[0].TokenHash != app.TokenHash(made.Secret) {
		t.Fatalf("stored: %+v %v (only the hash is kept)", list, err)
	}
	if !list[0].LastUsedAt.IsZero() {
		t.Error("a token never used has a last-used time")
	}

	p, err := svc.ResolveToken(ctx, made.Secret)
	if err != nil || p.User.ID != u.ID || p.Token == nil || p.Token.ReadOnly {
		t.Fatalf("resolved: %+v %v", p, err)
	}
	if _, err := svc.SaveItem(ctx, p, a.ID, "A.5.1", 1, app.ItemPatch{Score: ptr(assess.Score(3))}); err != nil {
		t.Errorf("a token of an assessor could not save: %v", err)
	}
	list, _ = svc.Tokens(ctx, ann)
	if !list[0].LastUsedAt.Equal(now) {
		t.Errorf("last used %v, want %v", list[0].LastUsedAt, now)
	}

	// Its rights are the owner's as they are now.
	if err := svc.RemoveMember(ctx, cli, a.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.View(ctx, p, a.ID); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("a token whose owner left the assessment: %v, want not found", err)
	}

	for _, tc := range []struct {
		name   string
		secret string
		setup  func()
		want   string
	}{
		{"not a token", "abc", nil, "not an isogap access token"},
		{"unknown", app.TokenPrefix + "nope", nil, "no such access token"},
		{"disabled owner", made.Secret, func() {
			u.Disabled = true
			if _, err := svc.UpdateUser(ctx, cli, u); err != nil {
				t.Fatal(err)
			}
		}, "disabled"},
		{"expired", made.Secret, func() {
			u.Disabled = false
			if _, err := svc.UpdateUser(ctx, cli, u); err != nil {
				t.Fatal(err)
			}
			now = now.AddDate(0, 0, 91)
		}, "expired"},
		{"revoked", made.Secret, func() {
			now = now.AddDate(0, 0, -91)
			if err := svc.RevokeToken(ctx, ann, made.Token.ID); err != nil {
				t.Fatal(err)
			}
		}, "revoked"},
	} {
		if tc.setup != nil {
			tc.setup()
		}
		_, err := svc.ResolveToken(ctx, tc.secret)
		if assess.KindOf(err) != assess.KindUnauthenticated || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want unauthenticated saying %q", tc.name, err, tc.want)
		}
	}

	// The command line makes tokens for a named account only.
	if _, err := svc.CreateToken(ctx, cli, app.NewToken{Name: "x", Expires: now.AddDate(0, 0, 1)}); assess.KindOf(err) != assess.KindInvalid {
		t.Errorf("a token for nobody in particular: %v", err)
	}
	made, err = svc.CreateToken(ctx, cli, app.NewToken{Name: "sync", Expires: now.AddDate(0, 0, 1), ReadOnly: true, User: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := svc.ResolveToken(ctx, made.Secret); err != nil || p.User.Login != "ann" || !p.Token.ReadOnly || p.Token.Name != "sync" {
		t.Errorf("the command line's token: %+v %v", p, err)
	}
}
