package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

func testSiteSecurity(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	if got, err := st.Settings(ctx); err != nil || len(got) != 0 {
		t.Fatalf("fresh settings: %v %v", got, err)
	}
	if err := st.PutSetting(ctx, "password_sign_in", "off", "root", at); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, "require_2fa", "admins", "root", at); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, "password_sign_in", "on", "cli", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Settings(ctx); err != nil || !reflect.DeepEqual(got, map[string]string{"password_sign_in": "on", "require_2fa": "admins"}) {
		t.Errorf("settings: %v %v", got, err)
	}

	ann, err := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Ann"}, "h", false)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := st.CreateUser(ctx, assess.User{Login: "bob", Name: "Bob"}, "h", false)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []string{assess.EventSignInFailed, assess.EventSignIn, assess.EventTokenCreated} {
		if err := st.AddSecurityEvent(ctx, assess.SecurityEvent{UserID: ann.ID, Kind: k, Detail: "d" + k, Addr: "192.0.2.1", At: at.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddSecurityEvent(ctx, assess.SecurityEvent{UserID: bob.ID, Kind: assess.EventSignIn, At: at}); err != nil {
		t.Fatal(err)
	}
	got, err := st.SecurityEvents(ctx, ann.ID, 0, 2)
	if err != nil || len(got) != 2 || got[0].Kind != assess.EventTokenCreated || got[1].Kind != assess.EventSignIn ||
		got[0].Addr != "192.0.2.1" || !got[0].At.Equal(at.Add(2*time.Minute)) || got[0].UserID != ann.ID {
		t.Fatalf("newest two of ann: %+v %v", got, err)
	}
	older, err := st.SecurityEvents(ctx, ann.ID, got[1].ID, 10)
	if err != nil || len(older) != 1 || older[0].Kind != assess.EventSignInFailed {
		t.Errorf("the page before: %+v %v", older, err)
	}
	if b, _ := st.SecurityEvents(ctx, bob.ID, 0, 10); len(b) != 1 {
		t.Errorf("bob's events: %+v", b)
	}
}
