package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// Single sign-on in the browser. Starting a sign-in (or a link) is a GET
// from a link: the answer redirects to the provider, which a form post
// could not do under the form-action policy, and starting changes nothing
// but a one-use state. The state is also put in a cookie: the callback is
// refused unless the browser that began the flow brings it back.

const ssoCookie = "isogap_sso"

var ssoNotices = map[string]string{
	"linked":   "Linked: you can now sign in with it.",
	"unlinked": "Unlinked: that provider no longer signs you in to this account.",
}

func (s *Server) ssoRedirectURL(r *http.Request) string { return s.baseURL(r) + "/sso/callback" }

func (s *Server) ssoBegin(w http.ResponseWriter, r *http.Request, start app.SSOStart) error {
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: start.State, Path: "/sso/", MaxAge: int(app.SSOStateLifetime.Seconds()),
		HttpOnly: true, Secure: s.isTLS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, start.URL, http.StatusSeeOther)
	return nil
}

// ssoStart sends the browser to a provider to sign in.
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) error {
	start, err := s.svc.StartSSO(r.Context(), r.PathValue("name"), s.ssoRedirectURL(r), safeNext(r.URL.Query().Get("next")))
	if err != nil {
		return s.ssoFailed(w, r, err)
	}
	return s.ssoBegin(w, r, start)
}

// ssoLink sends a signed-in person to a provider to link their account.
func (s *Server) ssoLink(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	start, err := s.svc.StartLinkSSO(r.Context(), p, r.PathValue("name"), s.ssoRedirectURL(r))
	if err != nil {
		if k := assess.KindOf(err); k == assess.KindUnauthenticated || k == assess.KindNotFound {
			return s.renderAccount(w, r, p, httpStatus(k), &accountPage{SSOError: err.Error()})
		}
		return err
	}
	return s.ssoBegin(w, r, start)
}

// ssoCallback is where the provider sends the browser back.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	state := q.Get("state")
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: "/sso/", MaxAge: -1, HttpOnly: true, Secure: s.isTLS(r), SameSite: http.SameSiteLaxMode})
	c, err := r.Cookie(ssoCookie)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		return s.ssoFailed(w, r, assess.Errorf(assess.KindUnauthenticated,
			"Sign-in failed: this browser did not start this sign-in (or it took too long): start again from the sign-in page"))
	}
	res, err := s.svc.FinishSSO(r.Context(), app.SSOCallback{State: state, Code: q.Get("code"), Error: q.Get("error"),
		ErrorDescription: q.Get("error_description"), RedirectURL: s.ssoRedirectURL(r), Addr: s.clientAddr(r)})
	if err != nil {
		return s.ssoFailed(w, r, err)
	}
	if res.Linked {
		return redirect(w, r, "/account?ok=linked#sso")
	}
	// The one way to finish a sign-in, whatever its first step: a second
	// factor, when asked for, is added there.
	return s.startSignIn(w, r, res.User, safeNext(res.Next))
}

// ssoFailed shows a refused single sign-on in words: on the account page
// to a signed-in person (a link), on the sign-in page to anyone else.
func (s *Server) ssoFailed(w http.ResponseWriter, r *http.Request, err error) error {
	k := assess.KindOf(err)
	if k != assess.KindUnauthenticated && k != assess.KindNotFound && k != assess.KindConflict && k != assess.KindInvalid {
		return err
	}
	if p, perr := s.principal(r); perr == nil && p.Token == nil {
		return s.renderAccount(w, r, p, httpStatus(k), &accountPage{SSOError: err.Error()})
	}
	return s.renderLogin(w, r, httpStatus(assess.KindUnauthenticated), &loginPage{Error: err.Error()})
}

// renderLogin shows the sign-in page with the enabled providers' buttons.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, pg *loginPage) error {
	var err error
	if pg.SSO, err = s.svc.SSOSignInButtons(r.Context()); err != nil {
		return err
	}
	st, err := s.svc.SiteSettings(r.Context())
	if err != nil {
		return err
	}
	pg.Base, pg.PasswordOff = Base{Title: "Sign in"}, !st.PasswordSignIn
	s.render(w, r, status, "login", pg)
	return nil
}

// ssoSection is the account page's single sign-on part.
type ssoSection struct {
	Linked []app.LinkedIdentity
	// Linkable are the enabled providers the account is not linked to.
	Linkable []app.SSOButton
	Errors   formErrors
}

func (s *Server) accountSSO(r *http.Request, p app.Principal) (ssoSection, error) {
	var out ssoSection
	var err error
	if out.Linked, err = s.svc.Identities(r.Context(), p); err != nil {
		return out, err
	}
	buttons, err := s.svc.SSOSignInButtons(r.Context())
	if err != nil {
		return out, err
	}
	for _, b := range buttons {
		linked := false
		for _, l := range out.Linked {
			linked = linked || l.Provider == b.Name
		}
		if !linked {
			out.Linkable = append(out.Linkable, b)
		}
	}
	return out, nil
}

func (s *Server) ssoUnlink(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	err := s.svc.UnlinkIdentity(r.Context(), p, r.PathValue("name"), r.PostFormValue("password"))
	if fe, ok := fieldErrors(err); ok {
		return s.renderAccount(w, r, p, httpStatus(assess.KindInvalid), &accountPage{SSO: ssoSection{Errors: fe}})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/account?ok=unlinked#sso")
}

// The administrators' page of providers.

func (s *Server) ssoAdmin(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	pg := &ssoAdminPage{Form: assess.SSOProvider{Scopes: app.DefaultSSOScopes}, Create: true}
	switch r.URL.Query().Get("ok") {
	case "saved":
		pg.Notice = "Saved: the sign-in page shows the enabled providers."
	case "removed":
		pg.Notice = "Removed, with every account's link to it."
	}
	if name := r.URL.Query().Get("edit"); name != "" {
		sp, err := s.svc.SSOProvider(r.Context(), p, name)
		if err != nil {
			return err
		}
		pg.Form, pg.Create = sp, false
	}
	return s.renderSSOAdmin(w, r, p, http.StatusOK, pg)
}

func (s *Server) renderSSOAdmin(w http.ResponseWriter, r *http.Request, p app.Principal, status int, pg *ssoAdminPage) error {
	list, err := s.svc.SSOProviders(r.Context(), p)
	if err != nil {
		return err
	}
	notice := pg.Notice
	pg.Base, pg.Providers, pg.Callback = userBase(p, "Single sign-on"), list, s.ssoRedirectURL(r)
	pg.Notice = notice
	s.render(w, r, status, "sso", pg)
	return nil
}

// formList reads a list typed one per line or separated by commas.
func formList(v string) []string {
	return strings.FieldsFunc(v, func(c rune) bool { return c == '\n' || c == ',' || c == '\r' })
}

func (s *Server) ssoSave(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	in := assess.SSOProvider{Name: r.PostFormValue("name"), DisplayName: r.PostFormValue("display_name"), Issuer: r.PostFormValue("issuer"),
		ClientID: r.PostFormValue("client_id"), ClientSecret: r.PostFormValue("client_secret"), Scopes: strings.Fields(r.PostFormValue("scopes")),
		JIT: r.PostFormValue("jit") == "on", AllowedDomains: formList(r.PostFormValue("allowed_domains")), GroupClaim: r.PostFormValue("group_claim"),
		AdminGroups: formList(r.PostFormValue("admin_groups")), CreatorGroups: formList(r.PostFormValue("creator_groups")),
		Enabled: r.PostFormValue("enabled") == "on"}
	create := r.PostFormValue("create") == "1"
	_, err := s.svc.SaveSSOProvider(r.Context(), p, in, create)
	if fe, ok := fieldErrors(err); ok {
		in.ClientSecret = ""
		return s.renderSSOAdmin(w, r, p, httpStatus(assess.KindInvalid), &ssoAdminPage{Form: in, Create: create, Errors: fe})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/admin/sso?ok=saved")
}

func (s *Server) ssoRemove(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if err := s.svc.RemoveSSOProvider(r.Context(), p, r.PathValue("name")); err != nil {
		return err
	}
	return redirect(w, r, "/admin/sso?ok=removed")
}

type ssoAdminPage struct {
	Base
	Providers []assess.SSOProvider
	Form      assess.SSOProvider
	Create    bool
	Errors    formErrors
	// Callback is the redirect URI to register at the provider.
	Callback string
}
