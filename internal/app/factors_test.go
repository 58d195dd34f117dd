package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

var meta = app.SessionMeta{Addr: "192.0.2.5", Agent: "TestBrowser/1.0"}

// throughSession is p as the web app sees them through a session.
func throughSession(t *testing.T, svc *app.Service, p app.Principal) app.Principal {
	t.Helper()
	got, err := svc.ResolveSession(context.Background(), session(t, svc, p), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// enrolTOTP adds an authenticator app to p and returns its secret and the
// recovery codes.
func enrolTOTP(t *testing.T, svc *app.Service, p app.Principal) (string, []string) {
	t.Helper()
	ctx := context.Background()
	e, err := svc.BeginTOTP(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := app.TOTPCode(e.Secret, svc.Now())
	got, err := svc.ConfirmTOTP(ctx, p, e.FactorID, "phone", code)
	if err != nil {
		t.Fatal(err)
	}
	return e.Secret, got.RecoveryCodes
}

// stepKind signs in with the password, then answers the second step with
// code; it returns the outcome and the session's token.
func secondStep(t *testing.T, svc *app.Service, login, code string) (assess.Kind, string) {
	t.Helper()
	ctx := context.Background()
	u, err := svc.Authenticate(ctx, login, password, meta.Addr)
	if err != nil {
		t.Fatal(err)
	}
	in, err := svc.SignIn(ctx, app.Principal{User: u}, meta, time.Hour)
	if err != nil || in.Stage != assess.SessionSecondStep {
		t.Fatalf("sign-in: %+v %v", in, err)
	}
	if _, err := svc.ResolveSession(ctx, in.Token, time.Hour); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Fatalf("the half-way sign-in works as a session: %v", err)
	}
	sp, err := svc.ResolveStep(ctx, in.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Memberships(ctx, sp); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("the half-way sign-in read memberships: %v", err)
	}
	token, err := svc.SecondStep(ctx, sp, code, meta, time.Hour)
	if err != nil {
		return assess.KindOf(err), ""
	}
	if _, err := svc.ResolveStep(ctx, in.Token); err == nil {
		t.Error("the half-way sign-in works after it was used")
	}
	if _, err := svc.ResolveSession(ctx, token, time.Hour); err != nil {
		t.Errorf("the session: %v", err)
	}
	return ok, token
}

func TestTOTPSignIn(t *testing.T) {
	onEachEngineAt(t, func(t *testing.T, svc *app.Service, advance func(time.Duration)) {
		ctx := context.Background()
		dana := throughSession(t, svc, person(t, svc, "dana", false))
		e, err := svc.BeginTOTP(ctx, dana)
		if err != nil {
			t.Fatal(err)
		}
		far, _ := app.TOTPCode(e.Secret, svc.Now().Add(2*30*time.Second))
		if _, err := svc.ConfirmTOTP(ctx, dana, e.FactorID, "phone", far); assess.KindOf(err) != assess.KindInvalid {
			t.Errorf("enrolment confirmed by a code two steps ahead: %v", err)
		}
		code, _ := app.TOTPCode(e.Secret, svc.Now())
		got, err := svc.ConfirmTOTP(ctx, dana, e.FactorID, "phone", code)
		if err != nil || len(got.RecoveryCodes) != 10 || got.Factor.Name != "phone" {
			t.Fatalf("enrolled: %+v %v", got, err)
		}
		advance(30 * time.Second)

		at := func(d time.Duration) string { c, _ := app.TOTPCode(e.Secret, svc.Now().Add(d)); return c }
		for _, d := range []time.Duration{-60 * time.Second, 60 * time.Second} {
			if k, _ := secondStep(t, svc, "dana", at(d)); k != assess.KindUnauthenticated {
				t.Errorf("a code %v away: %s, want refused", d, kindName(k))
			}
		}
		if k, _ := secondStep(t, svc, "dana", at(-30*time.Second)); k != assess.KindUnauthenticated {
			t.Errorf("the enrolment's code again (one step back): %s, want refused", kindName(k))
		}
		now := at(0)
		if k, _ := secondStep(t, svc, "dana", now); k != ok {
			t.Fatalf("the current code: %s", kindName(k))
		}
		if k, _ := secondStep(t, svc, "dana", now); k != assess.KindUnauthenticated {
			t.Errorf("the same code replayed: %s, want refused", kindName(k))
		}
		advance(30 * time.Second)
		if k, _ := secondStep(t, svc, "dana", at(30*time.Second)); k != ok {
			t.Errorf("the next step's code (one step ahead): %s", kindName(k))
		}

		if k, _ := secondStep(t, svc, "dana", "abcd-efgh-jkmn-pqrs"); k != assess.KindUnauthenticated {
			t.Errorf("a wrong recovery code: %s", kindName(k))
		}
		advance(app.LoginWindow) // the failures above lock this address out for a while
		if k, _ := secondStep(t, svc, "dana", got.RecoveryCodes[3]); k != ok {
			t.Errorf("a recovery code: %s", kindName(k))
		}
		if k, _ := secondStep(t, svc, "dana", got.RecoveryCodes[3]); k != assess.KindUnauthenticated {
			t.Errorf("a recovery code used twice: %s", kindName(k))
		}
		evs, err := svc.SecurityEvents(ctx, dana, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, ev := range evs {
			kinds[ev.Kind]++
		}
		if kinds[assess.EventFactorAdded] != 1 || kinds[assess.EventRecoveryUsed] != 1 || kinds[assess.EventSignInFailed] != 6 {
			t.Errorf("events: %v", kinds)
		}
		// The password alone is not a sign-in when a second step follows:
		// nine passwords accepted, three sign-ins (the second steps passed).
		if kinds[assess.EventFirstFactor] != 9 || kinds[assess.EventSignIn] != 3 {
			t.Errorf("events: %d first steps passed, %d sign-ins, want 9 and 3 (%v)", kinds[assess.EventFirstFactor], kinds[assess.EventSignIn], kinds)
		}
		f, _ := svc.MyFactors(ctx, dana)
		if f.RecoveryLeft != 9 || len(f.Factors) != 1 {
			t.Errorf("factors: %+v", f)
		}
	})
}

// Wrong second-step codes are failed sign-ins: after MaxFailuresPair of
// them from one address, even the right code waits.
func TestSecondStepThrottled(t *testing.T) {
	onEachEngineAt(t, func(t *testing.T, svc *app.Service, advance func(time.Duration)) {
		dana := throughSession(t, svc, person(t, svc, "dana", false))
		secret, _ := enrolTOTP(t, svc, dana)
		advance(30 * time.Second)
		for range app.MaxFailuresPair {
			secondStep(t, svc, "dana", "000000")
		}
		code, _ := app.TOTPCode(secret, svc.Now())
		ctx := context.Background()
		u, err := svc.Authenticate(ctx, "dana", password, "198.51.100.1") // the password from elsewhere
		if err != nil {
			t.Fatal(err)
		}
		in, _ := svc.SignIn(ctx, app.Principal{User: u}, meta, time.Hour)
		sp, _ := svc.ResolveStep(ctx, in.Token)
		if _, err := svc.SecondStep(ctx, sp, code, meta, time.Hour); assess.KindOf(err) != assess.KindRateLimited {
			t.Errorf("the right code after %d wrong ones: %v, want rate limited", app.MaxFailuresPair, err)
		}
	})
}

// The site requires administrators to use two factors: an administrator
// without one is taken to enrolment (which opens nothing else), then signed
// in; someone else signs in at once. The last factor stays.
func TestRequire2FAForAdmins(t *testing.T) {
	onEachEngineAt(t, func(t *testing.T, svc *app.Service, advance func(time.Duration)) {
		ctx := context.Background()
		admin := person(t, svc, "root", true)
		dana := person(t, svc, "dana", false)
		if _, err := svc.UpdateSiteSettings(ctx, app.System("t"), app.SiteSettings{PasswordSignIn: true, Require2FA: app.Require2FAAdmins}); err != nil {
			t.Fatal(err)
		}
		if in, err := svc.SignIn(ctx, dana, meta, time.Hour); err != nil || in.Stage != "" {
			t.Errorf("someone not required: %+v %v", in, err)
		}
		in, err := svc.SignIn(ctx, admin, meta, time.Hour)
		if err != nil || in.Stage != assess.SessionEnrol {
			t.Fatalf("an administrator without a factor: %+v %v", in, err)
		}
		ep, err := svc.ResolveStep(ctx, in.Token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Users(ctx, ep); err == nil {
			t.Error("enrolling, the administrator listed accounts")
		}
		if _, err := svc.FinishEnrolment(ctx, ep, meta, time.Hour); assess.KindOf(err) != assess.KindInvalid {
			t.Errorf("enrolment finished without a factor: %v", err)
		}
		enrolTOTP(t, svc, ep)
		token, err := svc.FinishEnrolment(ctx, ep, meta, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FinishEnrolment(ctx, ep, meta, time.Hour); assess.KindOf(err) != assess.KindUnauthenticated {
			t.Errorf("enrolment finished twice: %v", err)
		}
		ap, err := svc.ResolveSession(ctx, token, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := svc.MyFactors(ctx, ap)
		if !f.Required || len(f.Factors) != 1 {
			t.Fatalf("factors: %+v", f)
		}
		if err := svc.RemoveFactor(ctx, ap, f.Factors[0].ID, "wrong password"); assess.KindOf(err) != assess.KindInvalid {
			t.Errorf("removed without the password: %v", err)
		}
		if err := svc.RemoveFactor(ctx, ap, f.Factors[0].ID, password); assess.KindOf(err) != assess.KindInvalid {
			t.Errorf("the last factor removed while required: %v", err)
		}
		if err := svc.ResetFactors(ctx, ap, "root"); err != nil {
			t.Fatal(err)
		}
		if f, _ := svc.MyFactors(ctx, ap); len(f.Factors) != 0 || f.RecoveryLeft != 0 {
			t.Errorf("after a reset: %+v", f)
		}
	})
}

// Sessions: listed with what they recorded, the current one marked, last
// use kept to the minute; one ended; the others ended at once.
func TestSessionList(t *testing.T) {
	onEachEngineAt(t, func(t *testing.T, svc *app.Service, advance func(time.Duration)) {
		ctx := context.Background()
		dana := person(t, svc, "dana", false)
		var tokens []string
		for _, agent := range []string{"Phone", "Laptop", "Desktop"} {
			in, err := svc.SignIn(ctx, dana, app.SessionMeta{Addr: "192.0.2.9", Agent: agent}, time.Hour)
			if err != nil || in.Stage != "" {
				t.Fatal(in, err)
			}
			tokens = append(tokens, in.Token)
		}
		advance(2 * time.Minute)
		cur, err := svc.ResolveSession(ctx, tokens[1], time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		list, err := svc.Sessions(ctx, cur)
		if err != nil || len(list) != 3 || !list[0].Current || list[0].Agent != "Laptop" || list[0].Addr != "192.0.2.9" ||
			!list[0].LastUsedAt.Equal(svc.Now()) || list[1].Current || !list[1].LastUsedAt.Equal(svc.Now().Add(-2*time.Minute)) {
			t.Fatalf("sessions: %+v %v", list, err)
		}
		if err := svc.RevokeSession(ctx, cur, list[1].ID); err != nil {
			t.Fatal(err)
		}
		if l, _ := svc.Sessions(ctx, cur); len(l) != 2 {
			t.Errorf("after ending one: %+v", l)
		}
		if err := svc.SignOutEverywhere(ctx, cur, "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
		l, _ := svc.Sessions(ctx, cur)
		if len(l) != 1 || !l[0].Current {
			t.Errorf("after signing out everywhere: %+v", l)
		}
		for i, tok := range tokens {
			if _, err := svc.ResolveSession(ctx, tok, time.Hour); (err == nil) != (i == 1) {
				t.Errorf("session %d: %v", i, err)
			}
		}
	})
}

// An account holds at most 20 second factors, passkeys included: a
// twenty-first is refused before the browser is asked to make one.
func TestFactorsAreBounded(t *testing.T) {
	onEachEngineAt(t, func(t *testing.T, svc *app.Service, advance func(time.Duration)) {
		ctx := context.Background()
		erin := throughSession(t, svc, person(t, svc, "erin", false))
		for i := range 20 {
			e, err := svc.BeginTOTP(ctx, erin)
			if err != nil {
				t.Fatalf("factor %d: %v", i+1, err)
			}
			code, _ := app.TOTPCode(e.Secret, svc.Now())
			if _, err := svc.ConfirmTOTP(ctx, erin, e.FactorID, fmt.Sprintf("app %d", i+1), code); err != nil {
				t.Fatalf("factor %d: %v", i+1, err)
			}
		}
		if _, err := svc.BeginTOTP(ctx, erin); assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), "remove one") {
			t.Errorf("a 21st authenticator app: %v, want refused", err)
		}
		if _, err := svc.BeginPasskey(ctx, erin, "http://localhost"); assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), "remove one") {
			t.Errorf("a 21st factor, a passkey: %v, want refused", err)
		}
	})
}
