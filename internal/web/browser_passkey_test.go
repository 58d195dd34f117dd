package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

// A passkey end to end, with Chromium's virtual authenticator (the DevTools
// WebAuthn domain): registered on the account page, refused a second time
// on the same authenticator, then used as the second step after the
// password; and enrolled with at the sign-in of someone the site requires
// to have a factor. A browser without WebAuthn is told so.
func TestBrowserPasskey(t *testing.T) {
	testenv.SkipIfShort(t, "the browser run")
	ctx := context.Background()
	s := newSite(t, engines[0].open(t), web.Config{})
	_, dana := s.user("dana", false)
	// Browsers refuse an IP address as a relying party: the site is
	// reached by name, and takes its passkeys' origin from that address.
	base := strings.Replace(s.srv.URL, "127.0.0.1", "localhost", 1)

	br := newBrowser(t, 1200, 900, 2*time.Minute)
	defer br.close()
	bctx, run, text := br.ctx, br.run, br.text
	signIn := func(step string, then chromedp.Action[chromedp.Void]) {
		run(step, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#password")),
			chromedp.SendKeys(chromedp.CSS("#login"), "dana"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
			chromedp.Submit(chromedp.CSS("#password")), then)
	}
	signIn("sign in", chromedp.WaitVisible(chromedp.CSS("nav.usernav")))

	// No WebAuthn in this browser: the page says so instead of failing.
	noWebAuthn, err := chromedp.Call(bctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: "delete window.PublicKeyCredential;"})
	if err != nil {
		br.fail("hide WebAuthn", err)
	}
	run("security without WebAuthn", chromedp.Navigate(base+"/account/security"), chromedp.WaitVisible(chromedp.CSS("#passkey-status")))
	if got := text("#passkey-status"); !strings.Contains(got, "cannot use passkeys") {
		t.Errorf("a browser without WebAuthn is told: %q", got)
	}
	if _, err := chromedp.Call(bctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: noWebAuthn.Identifier}); err != nil {
		br.fail("restore WebAuthn", err)
	}

	if _, err := chromedp.Call(bctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		br.fail("enable WebAuthn", err)
	}
	auth, err := chromedp.Call(bctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
	if err != nil {
		br.fail("virtual authenticator", err)
	}

	// Register a passkey, named.
	run("security", chromedp.Navigate(base+"/account/security"), chromedp.WaitVisible(chromedp.CSS("#passkey-name")),
		chromedp.SendKeys(chromedp.CSS("#passkey-name"), "Work laptop"), chromedp.Click(chromedp.CSS("#passkey-add")),
		chromedp.WaitVisible(chromedp.CSS("ul.recovery-codes")))
	if got := text("h1"); got != "Passkey added" {
		t.Errorf("after registering: %q", got)
	}
	creds, err := chromedp.Call(bctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: auth.AuthenticatorID})
	if err != nil || len(creds.Credentials) != 1 || creds.Credentials[0].RpID != "localhost" {
		t.Fatalf("the authenticator's credentials: %+v %v", creds, err)
	}
	fs, err := s.st.Factors(ctx, dana.ID)
	if err != nil || len(fs) != 1 || fs[0].Kind != assess.FactorPasskey || fs[0].Name != "Work laptop" || !fs[0].Confirmed {
		t.Fatalf("dana's factors after registering: %+v %v", fs, err)
	}

	// The same authenticator again: the browser refuses, the page says why.
	run("register again", chromedp.Navigate(base+"/account/security"), chromedp.WaitVisible(chromedp.CSS("#passkey-name")),
		chromedp.Click(chromedp.CSS("#passkey-add")), chromedp.WaitVisible(chromedp.CSS("#passkey-status.failed")))
	if got := text("#passkey-status"); !strings.Contains(got, "already") {
		t.Errorf("a second passkey on the same authenticator: %q", got)
	}
	br.shot("passkey-security.png")

	// Sign out, sign in: the password, then the passkey.
	run("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#password")))
	signIn("password", chromedp.WaitVisible(chromedp.CSS("#passkey-signin")))
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); !strings.HasPrefix(loc, base+"/login/step") {
		t.Fatalf("after the password: at %s", loc)
	}
	br.shot("passkey-step.png")
	run("passkey", chromedp.Click(chromedp.CSS("#passkey-signin")), chromedp.WaitVisible(chromedp.CSS("nav.usernav")))
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); loc != base+"/" {
		t.Errorf("signed in with the passkey: at %s", loc)
	}
	evs, err := s.svc.SecurityEvents(ctx, app.System("test"), "dana", 0)
	if err != nil || len(evs) == 0 || evs[0].Kind != assess.EventSignIn || !strings.Contains(evs[0].Detail, "passkey") {
		t.Errorf("the security history after the passkey: %+v %v", evs, err)
	}
	br.shot("passkey-signed-in.png")

	// Enrolment a site requires: a passkey instead of an app, then signed in.
	if _, err := s.svc.UpdateSiteSettings(ctx, app.System("test"), app.SiteSettings{PasswordSignIn: true, Require2FA: app.Require2FAAdmins}); err != nil {
		t.Fatal(err)
	}
	_, root := s.user("root", true)
	run("sign out again", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#login"), "root"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS("#passkey-name")),
		chromedp.SendKeys(chromedp.CSS("#passkey-name"), "Root's key"), chromedp.Click(chromedp.CSS("#passkey-add")),
		chromedp.WaitVisible(chromedp.CSS("ul.recovery-codes")), chromedp.Click(chromedp.CSS(`form[action="/login/enrol/done"] button`)),
		chromedp.WaitVisible(chromedp.CSS("nav.usernav")))
	if fs, err := s.st.Factors(ctx, root.ID); err != nil || len(fs) != 1 || fs[0].Kind != assess.FactorPasskey || fs[0].Name != "Root's key" {
		t.Errorf("root's factors after enrolling: %+v %v", fs, err)
	}
}
