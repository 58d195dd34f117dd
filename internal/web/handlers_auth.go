package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// handler is a handler that may fail; s.fail answers for the error.
type handler func(w http.ResponseWriter, r *http.Request) error

func (s *Server) h(fn handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			if what, ok := s.overCap(r, err); ok {
				s.tooLarge(w, r, what)
				return
			}
			s.fail(w, r, err)
		}
	}
}

// authHandler gets the signed-in principal.
type authHandler func(w http.ResponseWriter, r *http.Request, p app.Principal) error

func (s *Server) auth(fn authHandler) http.HandlerFunc {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.principal(r)
		if err != nil {
			return err
		}
		return fn(w, r, p)
	})
}

// actx is a request inside an assessment the principal may see.
type actx struct {
	P    app.Principal
	View app.View
	Acc  app.Access
}

// base fills the layout's fields for a page of the assessment.
func (c *actx) base(title, tab string) Base {
	a := c.View.Assessment
	u := c.P.User
	return Base{Title: title + " · " + a.Org, User: &u, A: &a, Acc: c.Acc, Tab: tab}
}

type assessmentHandler func(w http.ResponseWriter, r *http.Request, c *actx) error

// in loads the assessment named in the URL through app.ViewAs, which
// answers "not found" to anyone who is not a member.
func (s *Server) in(fn assessmentHandler) http.HandlerFunc {
	return s.auth(func(w http.ResponseWriter, r *http.Request, p app.Principal) error {
		v, acc, err := s.svc.View(r.Context(), p, r.PathValue("id"))
		if err != nil {
			return err
		}
		return fn(w, r, &actx{P: p, View: v, Acc: acc})
	})
}

func userBase(p app.Principal, title string) Base {
	u := p.User
	return Base{Title: title, User: &u}
}

// redirect answers a form with 303 See Other (Post/Redirect/Get).
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// fieldErrors extracts a form's problems, or returns false for other errors.
func fieldErrors(err error) (formErrors, bool) {
	var fe *assess.FieldErrors
	if errors.As(err, &fe) && assess.KindOf(err) == assess.KindInvalid {
		return formErrors{List: fe.List}, true
	}
	return formErrors{}, false
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if assess.KindOf(err) == assess.KindUnauthenticated {
		setup, serr := s.svc.NeedsSetup(r.Context())
		if serr != nil {
			return serr
		}
		if setup {
			return redirect(w, r, "/setup")
		}
		return redirect(w, r, "/login")
	}
	if err != nil {
		return err
	}
	list, err := s.svc.Portfolio(r.Context(), p)
	if err != nil {
		return err
	}
	pg := &portfolioPage{Base: userBase(p, "Assessments"), All: len(list)}
	pg.Entries = pagePortfolio(pg, list, r.URL.Query())
	if err := s.svc.PortfolioScopes(r.Context(), p, pg.Entries); err != nil {
		return err
	}
	if pg.MayCreate, err = s.svc.MayCreateAssessments(r.Context(), p); err != nil {
		return err
	}
	inv, err := s.svc.Invitations(r.Context(), p)
	if err != nil {
		return err
	}
	pg.Invitations = len(inv)
	s.render(w, r, http.StatusOK, "portfolio", pg)
	return nil
}

func (s *Server) invitations(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	inv, err := s.svc.Invitations(r.Context(), p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "invitations", &invitationsPage{Base: userBase(p, "Invitations"), Invitations: inv})
	return nil
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	id := r.PathValue("id")
	if err := s.svc.AcceptInvitation(r.Context(), p, id); err != nil {
		return err
	}
	return redirect(w, r, "/a/"+id+"/?ok=accepted")
}

func (s *Server) declineInvitation(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if err := s.svc.DeclineInvitation(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, "/invitations?ok=declined")
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) error {
	if setup, err := s.svc.NeedsSetup(r.Context()); err != nil || !setup {
		if err != nil {
			return err
		}
		return redirect(w, r, "/login")
	}
	s.render(w, r, http.StatusOK, "setup", &setupPage{Base: Base{Title: "Set up isogap"}})
	return nil
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	in := app.NewUser{Login: r.PostFormValue("login"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Password: r.PostFormValue("password")}
	if in.Password != r.PostFormValue("password2") {
		pg := &setupPage{Base: Base{Title: "Set up isogap"}, Login: in.Login, Name: in.Name, Email: in.Email}
		pg.Errors.List = []assess.FieldError{{Where: "password2", Problem: "the two passwords differ"}}
		s.render(w, r, httpStatus(assess.KindInvalid), "setup", pg)
		return nil
	}
	u, err := s.svc.SetupFirstAdmin(r.Context(), in)
	if fe, ok := fieldErrors(err); ok {
		s.render(w, r, httpStatus(assess.KindInvalid), "setup", &setupPage{Base: Base{Title: "Set up isogap"}, Login: in.Login, Name: in.Name, Email: in.Email, Errors: fe})
		return nil
	}
	if err != nil {
		return err
	}
	return s.startSignIn(w, r, u, "/?ok=welcome")
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request, u assess.User, next string) error {
	token, err := s.svc.StartSession(r.Context(), app.Principal{User: u}, s.cfg.SessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, token, int(s.cfg.SessionTTL.Seconds()))
	return redirect(w, r, next)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if setup, err := s.svc.NeedsSetup(r.Context()); err == nil && setup {
		return redirect(w, r, "/setup")
	}
	if _, err := s.principal(r); err == nil {
		return redirect(w, r, safeNext(r.URL.Query().Get("next")))
	}
	return s.renderLogin(w, r, http.StatusOK, &loginPage{Next: safeNext(r.URL.Query().Get("next"))})
}

// safeNext keeps a post-sign-in redirect on this site: a path from the
// root, with no backslash, space or control character anywhere (browsers
// drop tabs and newlines, so "/\t/evil.example" would read as "//evil.example").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return next
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	login, next := r.PostFormValue("login"), safeNext(r.PostFormValue("next"))
	u, err := s.svc.Authenticate(r.Context(), login, r.PostFormValue("password"), s.clientAddr(r))
	if k := assess.KindOf(err); k == assess.KindUnauthenticated || k == assess.KindRateLimited {
		if d, ok := app.RetryAfter(err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
		}
		return s.renderLogin(w, r, httpStatus(k), &loginPage{Login: login, Next: next, Error: err.Error()})
	}
	if err != nil {
		return err
	}
	return s.startSignIn(w, r, u, next)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.svc.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.setSessionCookie(w, r, "", -1)
	// Pages are kept by the browser for revalidation (ETag, no-cache):
	// signing out drops them, so Back shows nothing of the session.
	w.Header().Set("Clear-Site-Data", `"cache"`)
	return redirect(w, r, "/login")
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return s.renderAccount(w, r, p, http.StatusOK, &accountPage{})
}

// tokenDays are the lifetimes the new-token form offers.
var tokenDays = []int{7, 30, 90, 180, 365}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, p app.Principal, status int, pg *accountPage) error {
	ms, err := s.svc.Memberships(r.Context(), p)
	if err != nil {
		return err
	}
	toks, err := s.svc.Tokens(r.Context(), p)
	if err != nil {
		return err
	}
	now := s.svc.Now()
	for _, t := range toks {
		row := tokenRow{APIToken: t, Status: "active"}
		switch {
		case !t.RevokedAt.IsZero():
			row.Status = "revoked"
		case !t.Active(now):
			row.Status = "expired"
		}
		pg.Tokens = append(pg.Tokens, row)
	}
	if pg.TokenForm.Days == 0 {
		pg.TokenForm.Days = 90
	}
	if pg.Security, err = s.securityEvents(r, p, ""); err != nil {
		return err
	}
	errs := pg.SSO.Errors
	if pg.SSO, err = s.accountSSO(r, p); err != nil {
		return err
	}
	pg.SSO.Errors = errs
	pg.Base, pg.Memberships, pg.APIBase = userBase(p, "Your account"), ms, s.baseURL(r)+"/api/v1"
	switch r.URL.Query().Get("ok") {
	case "revoked":
		pg.Notice = "The token was revoked: requests that carry it are refused from now on."
	case "linked", "unlinked":
		pg.Notice = ssoNotices[r.URL.Query().Get("ok")]
	}
	if pg.NewToken != nil {
		// The secret is in this answer only: no cache may keep it.
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, status, "account", pg)
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	form := tokenForm{Name: r.PostFormValue("name"), ReadOnly: r.PostFormValue("read_only") != ""}
	form.Days, _ = strconv.Atoi(r.PostFormValue("days"))
	if !slices.Contains(tokenDays, form.Days) {
		return s.renderAccount(w, r, p, httpStatus(assess.KindInvalid), &accountPage{TokenForm: form,
			TokenErrors: formErrors{List: []assess.FieldError{{Where: "days", Problem: "choose how long the token lasts from the list"}}}})
	}
	made, err := s.svc.CreateToken(r.Context(), p, app.NewToken{Name: form.Name, ReadOnly: form.ReadOnly, Expires: s.svc.Now().AddDate(0, 0, form.Days)})
	if fe, ok := fieldErrors(err); ok {
		return s.renderAccount(w, r, p, httpStatus(assess.KindInvalid), &accountPage{TokenForm: form, TokenErrors: fe})
	}
	if err != nil {
		return err
	}
	return s.renderAccount(w, r, p, http.StatusCreated, &accountPage{NewToken: &made})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	id, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err != nil {
		return assess.Errorf(assess.KindNotFound, "no access token %q", r.PathValue("tid"))
	}
	if err := s.svc.RevokeToken(r.Context(), p, id); err != nil {
		return err
	}
	return redirect(w, r, "/account?ok=revoked")
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	next := r.PostFormValue("new")
	if next != r.PostFormValue("new2") {
		return s.renderAccount(w, r, p, httpStatus(assess.KindInvalid), &accountPage{Errors: formErrors{List: []assess.FieldError{{Where: "new2", Problem: "the two new passwords differ"}}}})
	}
	err := s.svc.ChangePassword(r.Context(), p, r.PostFormValue("current"), next)
	if fe, ok := fieldErrors(err); ok {
		return s.renderAccount(w, r, p, httpStatus(assess.KindInvalid), &accountPage{Errors: fe})
	}
	if err != nil {
		return err
	}
	// Every session was ended; this browser gets a fresh one.
	return s.signIn(w, r, p.User, "/account?ok=password")
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return s.renderUsers(w, r, p, http.StatusOK, &usersPage{})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, p app.Principal, status int, pg *usersPage) error {
	list, err := s.svc.Users(r.Context(), p)
	if err != nil {
		return err
	}
	if pg.Factors, err = s.svc.FactorCounts(r.Context(), p); err != nil {
		return err
	}
	pg.Base, pg.Users = userBase(p, "Users"), list
	s.render(w, r, status, "users", pg)
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	in := app.NewUser{Login: r.PostFormValue("login"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Password: r.PostFormValue("password"), Admin: r.PostFormValue("admin") == "on", CreatesAssessments: r.PostFormValue("creates") == "on"}
	generated := in.Password == ""
	if generated {
		in.Password = app.RandomPassword()
	}
	u, err := s.svc.CreateUser(r.Context(), p, in)
	if fe, ok := fieldErrors(err); ok {
		in.Password = ""
		return s.renderUsers(w, r, p, httpStatus(assess.KindInvalid), &usersPage{Form: in, Errors: fe})
	}
	if err != nil {
		return err
	}
	pg := &usersPage{CreatedLogin: u.Login}
	if generated {
		pg.CreatedPassword = in.Password
	}
	// Rendered directly (not redirected) so a generated password is shown once and never travels in a URL.
	return s.renderUsers(w, r, p, http.StatusOK, pg)
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	u, err := s.svc.UserByLogin(r.Context(), p, r.PathValue("login"))
	if err != nil {
		return err
	}
	return s.renderUser(w, r, p, u, formErrors{})
}

// renderUser shows an account's page to an administrator: its details,
// second factors and security history, with errs (422) when a form failed.
func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, p app.Principal, u assess.User, errs formErrors) error {
	sec, err := s.securityEvents(r, p, u.Login)
	if err != nil {
		return err
	}
	counts, err := s.svc.FactorCounts(r.Context(), p)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if errs.Any() {
		status = httpStatus(assess.KindInvalid)
	}
	s.render(w, r, status, "user", &userPage{Base: userBase(p, "Account "+u.Login), U: u, Factors: counts[u.ID], Security: sec, Errors: errs})
	return nil
}

// securityEvents reads the page of an account's security history the
// request asks for (?before=ID), with the link to the page before.
func (s *Server) securityEvents(r *http.Request, p app.Principal, login string) (securityEvents, error) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	evs, err := s.svc.SecurityEvents(r.Context(), p, login, before)
	if err != nil {
		return securityEvents{}, err
	}
	out := securityEvents{Events: evs}
	if len(evs) == app.SecurityEventsPage {
		q := url.Values{"before": {strconv.FormatInt(evs[len(evs)-1].ID, 10)}}
		out.Older = r.URL.Path + "?" + q.Encode() + "#security"
	}
	return out, nil
}

func (s *Server) siteForm(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if !p.IsAdmin() {
		return assess.Errorf(assess.KindForbidden, "only a site administrator can change the site's sign-in settings")
	}
	st, err := s.svc.SiteSettings(r.Context())
	if err != nil {
		return err
	}
	pg := &sitePage{Base: userBase(p, "Site settings"), Settings: st}
	if r.URL.Query().Get("ok") == "saved" {
		pg.Notice = "Saved: the new rules apply to the next sign-in, on every instance."
	}
	s.render(w, r, http.StatusOK, "site", pg)
	return nil
}

func (s *Server) saveSite(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	in := app.SiteSettings{PasswordSignIn: r.PostFormValue("password_sign_in") == "on", Require2FA: r.PostFormValue("require_2fa")}
	_, err := s.svc.UpdateSiteSettings(r.Context(), p, in)
	if fe, ok := fieldErrors(err); ok {
		s.render(w, r, httpStatus(assess.KindInvalid), "site", &sitePage{Base: userBase(p, "Site settings"), Settings: in, Errors: fe})
		return nil
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/admin/site?ok=saved")
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	u, err := s.svc.UserByLogin(r.Context(), p, r.PathValue("login"))
	if err != nil {
		return err
	}
	u.Name, u.Email = r.PostFormValue("name"), r.PostFormValue("email")
	u.Admin, u.Disabled = r.PostFormValue("admin") == "on", r.PostFormValue("disabled") == "on"
	u.CreatesAssessments = r.PostFormValue("creates") == "on"
	if _, err := s.svc.UpdateUser(r.Context(), p, u); err != nil {
		if fe, ok := fieldErrors(err); ok {
			return s.renderUser(w, r, p, u, fe)
		}
		return err
	}
	return redirect(w, r, "/admin/users?ok=user")
}

func (s *Server) setUserPassword(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	login := r.PathValue("login")
	err := s.svc.SetUserPassword(r.Context(), p, login, r.PostFormValue("password"))
	if fe, ok := fieldErrors(err); ok {
		u, uerr := s.svc.UserByLogin(r.Context(), p, login)
		if uerr != nil {
			return uerr
		}
		return s.renderUser(w, r, p, u, fe)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/admin/users?ok=user")
}

// portfolioPageSize is how many assessments one portfolio page lists: a
// consultancy's thousands would make a page of megabytes.
const portfolioPageSize = 100

// pagePortfolio keeps the assessments whose organisation contains the
// query q (any case) and returns the page asked for ("page", from 1),
// filling pg's counts and links.
func pagePortfolio(pg *portfolioPage, list []app.PortfolioEntry, q url.Values) []app.PortfolioEntry {
	pg.Query = strings.TrimSpace(q.Get("q"))
	if pg.Query != "" {
		needle := strings.ToLower(pg.Query)
		var match []app.PortfolioEntry
		for _, e := range list {
			if strings.Contains(strings.ToLower(e.Assessment.Org), needle) {
				match = append(match, e)
			}
		}
		list = match
	}
	for _, e := range list {
		if e.AuditReady {
			pg.Ready++
		}
	}
	pg.Total = len(list)
	pg.Pages = max(1, (len(list)+portfolioPageSize-1)/portfolioPageSize)
	pg.Page, _ = strconv.Atoi(q.Get("page"))
	pg.Page = min(max(pg.Page, 1), pg.Pages)
	link := func(page int) string {
		v := url.Values{}
		if pg.Query != "" {
			v.Set("q", pg.Query)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return "/"
		}
		return "/?" + v.Encode()
	}
	if pg.Page > 1 {
		pg.Prev = link(pg.Page - 1)
	}
	if pg.Page < pg.Pages {
		pg.Next = link(pg.Page + 1)
	}
	start := (pg.Page - 1) * portfolioPageSize
	return list[start:min(start+portfolioPageSize, len(list))]
}

// eventLabels name the kinds of security event for people.
var eventLabels = map[string]string{
	assess.EventSignIn: "Signed in", assess.EventSignInFailed: "Failed sign-in",
	assess.EventFirstFactor: "First step passed, second step asked", assess.EventPasswordChanged: "Password changed",
	assess.EventPasswordSet: "Password set by an administrator", assess.EventTokenCreated: "Access token made",
	assess.EventTokenRevoked: "Access token revoked", assess.EventFactorAdded: "Second factor added",
	assess.EventFactorRemoved: "Second factor removed", assess.EventRecoveryUsed: "Recovery code used",
	assess.EventSignedOutAll: "Signed out everywhere", assess.EventIdentityLinked: "Single sign-on identity linked",
	assess.EventIdentityUnlinked: "Single sign-on identity unlinked",
}

func eventLabel(kind string) string {
	if l, ok := eventLabels[kind]; ok {
		return l
	}
	return kind
}
