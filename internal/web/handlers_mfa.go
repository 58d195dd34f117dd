package web

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// The second step of signing in, enrolment of second factors, and one's
// sessions. A half-way sign-in rides on a cookie of its own, which opens
// nothing but the pages of its step.

const stepCookie = "isogap_step"

// stepCookieAge outlives the server-side half-way sign-in, which ends first.
const stepCookieAge = int(15 * time.Minute / time.Second)

type twoFactorPage struct {
	Base
	Next string
	// Stage is the half-way sign-in's stage ("" on the account page).
	Stage   string
	Error   string
	Factors app.Factors
	// Enrol is an authenticator app being added, with its QR code.
	Enrol *app.TOTPEnrolment
	QR    template.URL
	// Codes are new recovery codes, shown this once.
	Codes    []string
	Sessions []app.SessionInfo
	Errors   formErrors
	// Passkey: the second step offers a passkey (the account has one).
	Passkey bool
}

func (s *Server) meta(r *http.Request) app.SessionMeta {
	return app.SessionMeta{Addr: s.clientAddr(r), Agent: r.UserAgent()}
}

// startSignIn follows an accepted password: a session, or the second step.
func (s *Server) startSignIn(w http.ResponseWriter, r *http.Request, u assess.User, next string) error {
	in, err := s.svc.SignIn(r.Context(), app.Principal{User: u}, s.meta(r), s.cfg.SessionTTL)
	if err != nil {
		return err
	}
	if in.Stage == "" {
		s.setSessionCookie(w, r, in.Token, int(s.cfg.SessionTTL.Seconds()))
		return redirect(w, r, next)
	}
	http.SetCookie(w, &http.Cookie{Name: stepCookie, Value: in.Token, Path: "/login", MaxAge: stepCookieAge,
		HttpOnly: true, Secure: s.isTLS(r), SameSite: http.SameSiteStrictMode})
	to := "/login/step"
	if in.Stage == assess.SessionEnrol {
		to = "/login/enrol"
	}
	return redirect(w, r, to+"?"+url.Values{"next": {next}}.Encode())
}

// finishSignIn swaps the half-way sign-in's cookie for the session's.
func (s *Server) finishSignIn(w http.ResponseWriter, r *http.Request, token, next string) error {
	http.SetCookie(w, &http.Cookie{Name: stepCookie, Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.isTLS(r), SameSite: http.SameSiteStrictMode})
	s.setSessionCookie(w, r, token, int(s.cfg.SessionTTL.Seconds()))
	return redirect(w, r, next)
}

type stepHandler func(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error

// step resolves the half-way sign-in of the stage wanted; without one the
// browser goes back to the password.
func (s *Server) step(stage string, fn stepHandler) http.HandlerFunc {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		next := safeNext(r.FormValue("next"))
		c, err := r.Cookie(stepCookie)
		var p app.Principal
		if err == nil {
			p, err = s.svc.ResolveStep(r.Context(), c.Value)
		}
		if err != nil || p.SignInStage() != stage {
			return redirect(w, r, "/login?"+url.Values{"next": {next}}.Encode())
		}
		w.Header().Set("Cache-Control", "no-store")
		pg := &twoFactorPage{Base: Base{Title: "Sign in: second step"}, Next: next, Stage: stage}
		if stage == assess.SessionSecondStep {
			kinds, err := s.svc.StepFactorKinds(r.Context(), p)
			if err != nil {
				return err
			}
			pg.Passkey = kinds[assess.FactorPasskey]
		}
		return fn(w, r, p, pg)
	})
}

func (s *Server) stepForm(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	s.render(w, r, http.StatusOK, "twofactor", pg)
	return nil
}

func (s *Server) secondStep(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	token, err := s.svc.SecondStep(r.Context(), p, r.PostFormValue("code"), s.meta(r), s.cfg.SessionTTL)
	return s.stepDone(w, r, pg, token, err)
}

// passkeyStep finishes the second step with the passkey answer the page's
// script put in the form.
func (s *Server) passkeyStep(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	token, err := s.svc.FinishPasskeyStep(r.Context(), p, s.baseURL(r), []byte(r.PostFormValue("credential")), s.meta(r), s.cfg.SessionTTL)
	return s.stepDone(w, r, pg, token, err)
}

// stepDone signs in with the second step's session, or shows the step
// again with why it was refused.
func (s *Server) stepDone(w http.ResponseWriter, r *http.Request, pg *twoFactorPage, token string, err error) error {
	if k := assess.KindOf(err); err != nil && (k == assess.KindUnauthenticated || k == assess.KindRateLimited || k == assess.KindInvalid) {
		if d, ok := app.RetryAfter(err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
		}
		pg.Error = err.Error()
		s.render(w, r, httpStatus(k), "twofactor", pg)
		return nil
	}
	if err != nil {
		return err
	}
	return s.finishSignIn(w, r, token, pg.Next)
}

// enrolForm starts adding an authenticator app: a new secret and its QR.
func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	e, err := s.svc.BeginTOTP(r.Context(), p)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(e.URL, qrcode.Medium, 240)
	if err != nil {
		return err
	}
	// A data: URL isogap made from its own PNG: safe to trust.
	pg.Enrol, pg.QR = &e, template.URL("data:image/png;base64,"+base64.StdEncoding.EncodeToString(png))
	pg.Title = "Add an authenticator app"
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "twofactor", pg)
	return nil
}

// confirmTOTP confirms the app with its first code and shows the recovery
// codes, once.
func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	id, _ := strconv.ParseInt(r.PostFormValue("factor"), 10, 64)
	got, err := s.svc.ConfirmTOTP(r.Context(), p, id, r.PostFormValue("name"), r.PostFormValue("code"))
	if fe, ok := fieldErrors(err); ok {
		pg.Errors = fe
		return s.enrolForm(w, r, p, pg)
	}
	if err != nil {
		return err
	}
	pg.Codes, pg.Title = got.RecoveryCodes, "Authenticator app added"
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "twofactor", pg)
	return nil
}

// passkeyOptions starts a passkey ceremony for the page's script: the
// options of navigator.credentials.create (adding one) or .get (the second
// step), as JSON; a refusal is JSON too, {"error": why}.
func (s *Server) passkeyOptions(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	var opts []byte
	var err error
	if pg.Stage == assess.SessionSecondStep {
		opts, err = s.svc.BeginPasskeyStep(r.Context(), p, s.baseURL(r))
	} else {
		opts, err = s.svc.BeginPasskey(r.Context(), p, s.baseURL(r))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		w.WriteHeader(httpStatus(assess.KindOf(err)))
		opts, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	_, err = w.Write(opts)
	return err
}

// addPasskey stores the passkey the page's script made, and shows the
// recovery codes when it is the first factor.
func (s *Server) addPasskey(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	got, err := s.svc.FinishPasskey(r.Context(), p, s.baseURL(r), r.PostFormValue("name"), []byte(r.PostFormValue("credential")))
	if err != nil && assess.KindOf(err) == assess.KindInvalid {
		if fe, ok := fieldErrors(err); ok {
			pg.Errors = fe
		} else {
			pg.Error = err.Error()
		}
		if pg.Stage == assess.SessionEnrol {
			return s.enrolForm(w, r, p, pg)
		}
		return s.security(w, r, p, pg)
	}
	if err != nil {
		return err
	}
	if got.RecoveryCodes == nil && pg.Stage == "" {
		return redirect(w, r, "/account/security")
	}
	pg.Codes, pg.Title = got.RecoveryCodes, "Passkey added"
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "twofactor", pg)
	return nil
}

func (s *Server) finishEnrolment(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	token, err := s.svc.FinishEnrolment(r.Context(), p, s.meta(r), s.cfg.SessionTTL)
	if err != nil {
		return err
	}
	return s.finishSignIn(w, r, token, pg.Next)
}

// asAccount adapts a step handler to the account page (signed in).
func (s *Server) asAccount(fn stepHandler) http.HandlerFunc {
	return s.auth(func(w http.ResponseWriter, r *http.Request, p app.Principal) error {
		return fn(w, r, p, &twoFactorPage{Base: userBase(p, "Two-factor sign-in"), Next: "/account/security"})
	})
}

// security is the account's second factors and sessions.
func (s *Server) security(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	var err error
	if pg.Factors, err = s.svc.MyFactors(r.Context(), p); err != nil {
		return err
	}
	if pg.Sessions, err = s.svc.Sessions(r.Context(), p); err != nil {
		return err
	}
	status := http.StatusOK
	if pg.Errors.Any() || pg.Error != "" {
		status = httpStatus(assess.KindInvalid)
	}
	s.render(w, r, status, "twofactor", pg)
	return nil
}

func (s *Server) removeFactor(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	id, _ := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	err := s.svc.RemoveFactor(r.Context(), p, id, r.PostFormValue("password"))
	if fe, ok := fieldErrors(err); ok {
		pg.Errors = fe
		return s.security(w, r, p, pg)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/account/security")
}

func (s *Server) regenerateCodes(w http.ResponseWriter, r *http.Request, p app.Principal, pg *twoFactorPage) error {
	codes, err := s.svc.RegenerateRecoveryCodes(r.Context(), p, r.PostFormValue("password"))
	if fe, ok := fieldErrors(err); ok {
		pg.Errors = fe
		return s.security(w, r, p, pg)
	}
	if err != nil {
		return err
	}
	pg.Codes = codes
	w.Header().Set("Cache-Control", "no-store")
	return s.security(w, r, p, pg)
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if err := s.svc.RevokeSession(r.Context(), p, r.PathValue("sid")); err != nil {
		return err
	}
	return redirect(w, r, "/account/security")
}

// signOutEverywhere ends every other session; this browser stays signed in.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if err := s.svc.SignOutEverywhere(r.Context(), p, s.clientAddr(r)); err != nil {
		return err
	}
	return redirect(w, r, "/account/security")
}

// resetFactors removes every second factor of an account once the
// administrator ticked the confirmation (a lost phone cannot be undone).
func (s *Server) resetFactors(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	login := r.PathValue("login")
	if r.PostFormValue("confirm") != "on" {
		u, err := s.svc.UserByLogin(r.Context(), p, login)
		if err != nil {
			return err
		}
		return s.renderUser(w, r, p, u, formErrors{List: []assess.FieldError{{Where: "confirm",
			Problem: "is not ticked", Expected: "tick it to confirm that every second factor and recovery code of " + login + " goes"}}})
	}
	if err := s.svc.ResetFactors(r.Context(), p, login); err != nil {
		return err
	}
	return redirect(w, r, "/admin/users/"+url.PathEscape(login))
}

// mfaRoutes lists the pages of this file.
func (s *Server) mfaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login/step", s.step(assess.SessionSecondStep, s.stepForm))
	mux.HandleFunc("POST /login/step", s.step(assess.SessionSecondStep, s.secondStep))
	mux.HandleFunc("GET /login/enrol", s.step(assess.SessionEnrol, s.enrolForm))
	mux.HandleFunc("POST /login/enrol", s.step(assess.SessionEnrol, s.confirmTOTP))
	mux.HandleFunc("POST /login/step/passkey/options", s.step(assess.SessionSecondStep, s.passkeyOptions))
	mux.HandleFunc("POST /login/step/passkey", s.step(assess.SessionSecondStep, s.passkeyStep))
	mux.HandleFunc("POST /login/enrol/done", s.step(assess.SessionEnrol, s.finishEnrolment))
	mux.HandleFunc("POST /login/enrol/passkey/options", s.step(assess.SessionEnrol, s.passkeyOptions))
	mux.HandleFunc("POST /login/enrol/passkey", s.step(assess.SessionEnrol, s.addPasskey))
	mux.HandleFunc("GET /account/security", s.asAccount(s.security))
	mux.HandleFunc("POST /account/security/totp", s.asAccount(s.enrolForm))
	mux.HandleFunc("POST /account/security/totp/confirm", s.asAccount(s.confirmTOTP))
	mux.HandleFunc("POST /account/security/passkey/options", s.asAccount(s.passkeyOptions))
	mux.HandleFunc("POST /account/security/passkey", s.asAccount(s.addPasskey))
	mux.HandleFunc("POST /account/security/factors/{fid}/remove", s.asAccount(s.removeFactor))
	mux.HandleFunc("POST /account/security/recovery", s.asAccount(s.regenerateCodes))
	mux.HandleFunc("POST /account/sessions/{sid}/end", s.auth(s.endSession))
	mux.HandleFunc("POST /account/sessions/end-others", s.auth(s.signOutEverywhere))
	mux.HandleFunc("POST /admin/users/{login}/reset-2fa", s.auth(s.resetFactors))
}
