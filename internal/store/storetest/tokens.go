package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

func testTokens(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	ann, err := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Ann"}, "h", false)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := st.CreateUser(ctx, assess.User{Login: "bob", Name: "Bob"}, "h", false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	ci, err := st.CreateToken(ctx, assess.APIToken{UserID: ann.ID, Name: "ci", Prefix: "isg_abcd", TokenHash: "hash-ci", ReadOnly: true,
		CreatedAt: now, ExpiresAt: now.Add(90 * 24 * time.Hour)})
	if err != nil || ci.ID == 0 {
		t.Fatalf("create: %+v %v", ci, err)
	}
	later, err := st.CreateToken(ctx, assess.APIToken{UserID: ann.ID, Name: "sync", Prefix: "isg_efgh", TokenHash: "hash-sync",
		CreatedAt: now.Add(time.Hour), ExpiresAt: now.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateToken(ctx, assess.APIToken{UserID: bob.ID, Name: "dup", Prefix: "x", TokenHash: "hash-ci", CreatedAt: now, ExpiresAt: now}); err == nil {
		t.Error("two tokens with one hash were stored")
	}

	got, owner, err := st.TokenByHash(ctx, "hash-ci")
	if err != nil || !reflect.DeepEqual(got, ci) || owner.ID != ann.ID || owner.Login != "ann" {
		t.Errorf("by hash: %+v %+v %v, want %+v of ann", got, owner, err, ci)
	}
	if _, _, err := st.TokenByHash(ctx, "nope"); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("unknown hash: %v, want unauthenticated", err)
	}

	list, err := st.Tokens(ctx, ann.ID)
	if err != nil || len(list) != 2 || list[0].ID != later.ID || list[1].ID != ci.ID {
		t.Errorf("ann's tokens: %+v %v, want sync then ci", list, err)
	}
	if list, _ := st.Tokens(ctx, bob.ID); len(list) != 0 {
		t.Errorf("bob has %d tokens", len(list))
	}

	used := now.Add(2 * time.Hour)
	if err := st.TouchToken(ctx, ci.ID, used); err != nil {
		t.Fatal(err)
	}
	// An older use arriving late never moves the time back.
	if err := st.TouchToken(ctx, ci.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := st.TokenByHash(ctx, "hash-ci"); !got.LastUsedAt.Equal(used) {
		t.Errorf("last used %v, want %v", got.LastUsedAt, used)
	}

	// Only the owner revokes; the first revocation time stays.
	if err := st.RevokeToken(ctx, bob.ID, ci.ID, used); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("bob revoking ann's token: %v, want not found", err)
	}
	if err := st.RevokeToken(ctx, ann.ID, ci.ID, used); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeToken(ctx, ann.ID, ci.ID, used.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _, _ = st.TokenByHash(ctx, "hash-ci")
	if !got.RevokedAt.Equal(used) || got.Active(used) {
		t.Errorf("revoked token: %+v", got)
	}
	if g, _, _ := st.TokenByHash(ctx, "hash-sync"); !g.RevokedAt.IsZero() || !g.Active(now) || g.Active(now.Add(48*time.Hour)) {
		t.Errorf("the other token: %+v", g)
	}
}
