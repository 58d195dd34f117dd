package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

func testSSO(t *testing.T, e Engine) {
	ctx := context.Background()
	dsn := e.Fresh(t)
	st := e.Open(t, dsn)
	t.Cleanup(func() { st.Close() })
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	if got, err := st.SSOProviders(ctx); err != nil || len(got) != 0 {
		t.Fatalf("fresh providers: %v %v", got, err)
	}
	if _, err := st.SSOProvider(ctx, "corp"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("unknown provider: %v, want NotFound", err)
	}
	p := assess.SSOProvider{Name: "corp", DisplayName: "Corp ID", Issuer: "https://id.example", ClientID: "isogap", ClientSecret: "s3cret",
		Scopes: []string{"openid", "email"}, JIT: true, AllowedDomains: []string{"example.com", "example.org"}, GroupClaim: "groups",
		AdminGroups: []string{"IT Admins; EMEA"}, CreatorGroups: []string{"isms", "leads"}, Enabled: true, UpdatedAt: at, UpdatedBy: "root"}
	if err := st.PutSSOProvider(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := st.SSOProvider(ctx, "corp")
	p.SecretSet = true
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("provider read back:\n got %+v %v\nwant %+v", got, err, p)
	}
	p.Enabled, p.ClientSecret, p.AdminGroups = false, "", nil
	if err := st.PutSSOProvider(ctx, p); err != nil {
		t.Fatal(err)
	}
	if l, err := st.SSOProviders(ctx); err != nil || len(l) != 1 || l[0].Enabled || l[0].SecretSet || l[0].AdminGroups != nil {
		t.Errorf("after replacing: %+v %v", l, err)
	}
	if err := st.PutSSOProvider(ctx, assess.SSOProvider{Name: "other", DisplayName: "Other", Issuer: "https://o.example", ClientID: "c", UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}

	ann, err := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Ann"}, "h", false)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := st.CreateUser(ctx, assess.User{Login: "bob", Name: "Bob"}, "", false)
	if err != nil {
		t.Fatal(err)
	}
	link := assess.Identity{Provider: "corp", Subject: "sub-1", UserID: ann.ID, Email: "ann@example.com", LinkedAt: at}
	if err := st.LinkIdentity(ctx, link); err != nil {
		t.Fatal(err)
	}
	if u, err := st.IdentityUser(ctx, "corp", "sub-1"); err != nil || u.ID != ann.ID || u.Login != "ann" {
		t.Errorf("identity's user: %+v %v", u, err)
	}
	if _, err := st.IdentityUser(ctx, "other", "sub-1"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("the same subject at another provider: %v, want NotFound", err)
	}
	for _, dup := range []assess.Identity{{Provider: "corp", Subject: "sub-1", UserID: bob.ID, LinkedAt: at}, {Provider: "corp", Subject: "sub-2", UserID: ann.ID, LinkedAt: at}} {
		if err := st.LinkIdentity(ctx, dup); assess.KindOf(err) != assess.KindConflict {
			t.Errorf("link %+v: %v, want Conflict", dup, err)
		}
	}
	if err := st.LinkIdentity(ctx, assess.Identity{Provider: "other", Subject: "x", UserID: ann.ID, LinkedAt: at}); err != nil {
		t.Fatal(err)
	}
	if ids, err := st.Identities(ctx, ann.ID); err != nil || len(ids) != 2 || !reflect.DeepEqual(ids[0], link) || ids[1].Provider != "other" {
		t.Errorf("ann's identities: %+v %v", ids, err)
	}
	if err := st.UnlinkIdentity(ctx, ann.ID, "corp"); err != nil {
		t.Fatal(err)
	}
	if err := st.UnlinkIdentity(ctx, ann.ID, "corp"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("unlinking twice: %v, want NotFound", err)
	}
	if _, err := st.IdentityUser(ctx, "corp", "sub-1"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("after unlinking: %v, want NotFound", err)
	}
	if err := st.DeleteSSOProvider(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := st.Identities(ctx, ann.ID); len(ids) != 0 {
		t.Errorf("a removed provider's links stay: %+v", ids)
	}
	if err := st.DeleteSSOProvider(ctx, "other"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("removing twice: %v, want NotFound", err)
	}

	// A state is taken once, whoever of two instances asks first.
	state := assess.SSOState{StateHash: "h1", Provider: "corp", Nonce: "n", Verifier: "v", LinkUserID: ann.ID, Next: "/a/x/", ExpiresAt: at.Add(10 * time.Minute)}
	if err := st.PutSSOState(ctx, state); err != nil {
		t.Fatal(err)
	}
	other := e.Open(t, dsn)
	t.Cleanup(func() { other.Close() })
	var wg sync.WaitGroup
	results := make([]error, 2)
	taken := make([]assess.SSOState, 2)
	for i, s := range []interface {
		TakeSSOState(context.Context, string, time.Time) (assess.SSOState, error)
	}{st, other} {
		wg.Go(func() { taken[i], results[i] = s.TakeSSOState(ctx, "h1", at) })
	}
	wg.Wait()
	wins := 0
	for i, err := range results {
		switch {
		case err == nil:
			wins++
			if !reflect.DeepEqual(taken[i], state) {
				t.Errorf("taken state: %+v, want %+v", taken[i], state)
			}
		case assess.KindOf(err) != assess.KindNotFound:
			t.Errorf("second take: %v, want NotFound", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d instances took the one state, want 1", wins)
	}
	late := assess.SSOState{StateHash: "h2", Provider: "corp", Nonce: "n", Verifier: "v", ExpiresAt: at}
	if err := st.PutSSOState(ctx, late); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakeSSOState(ctx, "h2", at); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("an expired state: %v, want NotFound", err)
	}
	if err := st.PutSSOState(ctx, assess.SSOState{StateHash: "h3", Provider: "corp", ExpiresAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteExpired(ctx, at, at); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakeSSOState(ctx, "h3", at.Add(-time.Hour)); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("DeleteExpired kept an expired state: %v", err)
	}
}
