package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// annAndBob is a fresh store with two accounts.
func annAndBob(t *testing.T, e Engine) (store.Store, assess.User, assess.User) {
	st := fresh(t, e)
	var us []assess.User
	for _, login := range []string{"ann", "bob"} {
		u, err := st.CreateUser(context.Background(), assess.User{Login: login, Name: strings.ToUpper(login[:1]) + login[1:]}, "h", false)
		if err != nil {
			t.Fatal(err)
		}
		us = append(us, u)
	}
	return st, us[0], us[1]
}

// testSessionList: what a session recorded, its stage kept apart from
// sessions, single use, last use, ending one and all the others.
func testSessionList(t *testing.T, e Engine) {
	ctx := context.Background()
	st, ann, bob := annAndBob(t, e)
	now := time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	hash := func(c string) string { return strings.Repeat(c, 64) }
	for i, s := range []assess.Session{
		{TokenHash: hash("a"), UserID: ann.ID, Addr: "192.0.2.1", Agent: "Firefox"},
		{TokenHash: hash("b"), UserID: ann.ID, Addr: "192.0.2.2", Agent: "Chromium"},
		{TokenHash: hash("c"), UserID: ann.ID, Stage: assess.SessionSecondStep},
		{TokenHash: hash("d"), UserID: bob.ID},
	} {
		s.CreatedAt, s.ExpiresAt = now.Add(time.Duration(i)*time.Second), now.Add(time.Hour)
		if err := st.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.Session(ctx, hash("c"), now); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("a half-way sign-in read as a session: %v", err)
	}
	if _, _, err := st.StepSession(ctx, hash("a"), now); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("a session read as a half-way sign-in: %v", err)
	}
	half, u, err := st.StepSession(ctx, hash("c"), now)
	if err != nil || u.ID != ann.ID || half.Stage != assess.SessionSecondStep {
		t.Fatalf("half-way sign-in: %+v %+v %v", half, u, err)
	}
	if err := st.SetCeremony(ctx, hash("c"), `{"challenge":"x"}`); err != nil {
		t.Fatal(err)
	}
	if half, _, _ = st.StepSession(ctx, hash("c"), now); half.Ceremony != `{"challenge":"x"}` {
		t.Errorf("ceremony: %q", half.Ceremony)
	}
	if err := st.TakeSession(ctx, hash("c")); err != nil {
		t.Fatal(err)
	}
	if err := st.TakeSession(ctx, hash("c")); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("taken twice: %v", err)
	}

	if err := st.TouchSession(ctx, hash("a"), now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.TouchSession(ctx, hash("a"), now.Add(5*time.Minute)); err != nil { // never back in time
		t.Fatal(err)
	}
	list, err := st.UserSessions(ctx, ann.ID, now)
	if err != nil || len(list) != 2 || list[0].TokenHash != hash("a") || !list[0].LastUsedAt.Equal(now.Add(10*time.Minute)) ||
		list[0].Addr != "192.0.2.1" || list[0].Agent != "Firefox" || !list[1].LastUsedAt.Equal(list[1].CreatedAt) {
		t.Fatalf("ann's sessions: %+v %v", list, err)
	}
	if l, _ := st.UserSessions(ctx, ann.ID, now.Add(2*time.Hour)); len(l) != 0 {
		t.Errorf("expired sessions listed: %+v", l)
	}
	if err := st.DeleteSessionByID(ctx, ann.ID, list[0].ID()[:8]); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("a short id: %v", err)
	}
	if err := st.DeleteSessionByID(ctx, ann.ID, assess.Session{TokenHash: hash("d")}.ID()); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("bob's session ended by ann: %v", err)
	}
	if err := st.DeleteSessionByID(ctx, ann.ID, list[1].ID()); err != nil {
		t.Fatal(err)
	}
	if l, _ := st.UserSessions(ctx, ann.ID, now); len(l) != 1 || l[0].TokenHash != hash("a") {
		t.Errorf("after ending one: %+v", l)
	}
	st.CreateSession(ctx, assess.Session{TokenHash: hash("e"), UserID: ann.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	if err := st.DeleteOtherSessions(ctx, ann.ID, hash("e")); err != nil {
		t.Fatal(err)
	}
	if l, _ := st.UserSessions(ctx, ann.ID, now); len(l) != 1 || l[0].TokenHash != hash("e") {
		t.Errorf("after ending the others: %+v", l)
	}
	if _, _, err := st.Session(ctx, hash("d"), now); err != nil {
		t.Errorf("bob's session ended with ann's: %v", err)
	}
}

// testFactors: second factors, the TOTP step that refuses replays, and
// single-use recovery codes.
func testFactors(t *testing.T, e Engine) {
	ctx := context.Background()
	st, ann, bob := annAndBob(t, e)
	now := time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	totp, err := st.AddFactor(ctx, assess.Factor{UserID: ann.ID, Kind: assess.FactorTOTP, Secret: "JBSWY3DPEHPK3PXP", CreatedAt: now})
	if err != nil || totp.ID == 0 {
		t.Fatal(totp, err)
	}
	key, err := st.AddFactor(ctx, assess.Factor{UserID: ann.ID, Kind: assess.FactorPasskey, Name: "YubiKey", Secret: "{}", CredentialID: "cred", Confirmed: true, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := st.FactorCounts(ctx); err != nil || len(n) != 1 || n[ann.ID] != 1 {
		t.Errorf("counts with one confirmed: %v %v", n, err)
	}
	if err := st.ConfirmFactor(ctx, bob.ID, totp.ID, "phone", now); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("bob confirmed ann's factor: %v", err)
	}
	if err := st.ConfirmFactor(ctx, ann.ID, totp.ID, "phone", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.UseFactorStep(ctx, totp.ID, 100, now); err != nil {
		t.Fatal(err)
	}
	for _, step := range []int64{100, 99} {
		if err := st.UseFactorStep(ctx, totp.ID, step, now); assess.KindOf(err) != assess.KindUnauthenticated {
			t.Errorf("step %d after 100: %v", step, err)
		}
	}
	if err := st.UpdateFactorSecret(ctx, key.ID, `{"n":2}`, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	fs, err := st.Factors(ctx, ann.ID)
	if err != nil || len(fs) != 2 || fs[0].Name != "phone" || !fs[0].Confirmed || fs[0].LastStep != 100 || fs[0].Secret != "JBSWY3DPEHPK3PXP" ||
		fs[1].Secret != `{"n":2}` || fs[1].CredentialID != "cred" || !fs[1].LastUsedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("ann's factors: %+v %v", fs, err)
	}
	if n, _ := st.FactorCounts(ctx); n[ann.ID] != 2 {
		t.Errorf("counts: %v", n)
	}
	if err := st.DeleteFactor(ctx, bob.ID, key.ID); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("bob removed ann's factor: %v", err)
	}
	if err := st.DeleteFactor(ctx, ann.ID, key.ID); err != nil {
		t.Fatal(err)
	}

	if err := st.SetRecoveryCodes(ctx, ann.ID, []string{"h1", "h2", "h3"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetRecoveryCodes(ctx, bob.ID, []string{"h9"}); err != nil {
		t.Fatal(err)
	}
	if err := st.UseRecoveryCode(ctx, ann.ID, "h9", now); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("ann used bob's code: %v", err)
	}
	if err := st.UseRecoveryCode(ctx, ann.ID, "h2", now); err != nil {
		t.Fatal(err)
	}
	if err := st.UseRecoveryCode(ctx, ann.ID, "h2", now); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("a code used twice: %v", err)
	}
	if n, err := st.RecoveryCodesLeft(ctx, ann.ID); err != nil || n != 2 {
		t.Errorf("codes left: %d %v", n, err)
	}
	if err := st.SetRecoveryCodes(ctx, ann.ID, []string{"h4"}); err != nil {
		t.Fatal(err)
	}
	if err := st.UseRecoveryCode(ctx, ann.ID, "h1", now); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("a replaced code still works: %v", err)
	}
	if err := st.DeleteFactors(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	if fs, _ := st.Factors(ctx, ann.ID); len(fs) != 0 {
		t.Errorf("factors after reset: %+v", fs)
	}
	if n, _ := st.RecoveryCodesLeft(ctx, ann.ID); n != 0 {
		t.Errorf("codes after reset: %d", n)
	}
	if n, _ := st.RecoveryCodesLeft(ctx, bob.ID); n != 1 {
		t.Errorf("bob's codes after ann's reset: %d", n)
	}
}
