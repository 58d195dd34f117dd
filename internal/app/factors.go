package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// Second factors: authenticator apps (TOTP, RFC 6238: 6 digits, 30 s, a
// step either side accepted, each step used once) and passkeys (WebAuthn,
// as a second factor after the password; isogap offers no passwordless
// sign-in). Ten single-use recovery codes come with the first factor.

const (
	totpPeriod        = 30
	totpSkew          = 1
	recoveryCodeCount = 10
	maxFactorName     = 80
	maxFactors        = 20
	recoveryAlphabet  = "abcdefghjkmnpqrstuvwxyz23456789"
	recoveryLen       = 16
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

func isTOTPCode(code string) bool {
	return len(code) == 6 && strings.Trim(code, "0123456789") == ""
}

// matchTOTP finds the time step, within a step of now, whose code is code.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	cur := now.Unix() / totpPeriod
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// TOTPCode is the code of an authenticator app with secret at t (for tests
// and the command line).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

func recoveryHash(code string) string {
	code = strings.ToLower(strings.ReplaceAll(code, "-", ""))
	return TokenHash("recovery:" + code)
}

// newRecoveryCodes makes codes (shown as xxxx-xxxx-xxxx-xxxx, about 79
// bits each, so a plain hash is safe to keep) and their hashes.
func newRecoveryCodes() (codes, hashes []string) {
	for range recoveryCodeCount {
		b := make([]byte, recoveryLen)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		var sb strings.Builder
		for i := range b {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(b[i])%len(recoveryAlphabet)])
		}
		codes = append(codes, sb.String())
		hashes = append(hashes, recoveryHash(sb.String()))
	}
	return codes, hashes
}

func confirmedFactors(ctx context.Context, st store.Store, userID int64) ([]assess.Factor, error) {
	all, err := st.Factors(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []assess.Factor
	for _, f := range all {
		if f.Confirmed {
			out = append(out, f)
		}
	}
	return out, nil
}

// factorOwner is whose factors p manages: a person signed in, or one
// enrolling after their password because the site requires it.
func factorOwner(p Principal, what string) (assess.User, error) {
	if p.step != nil {
		if p.step.Stage == assess.SessionEnrol {
			return p.User, nil
		}
		return assess.User{}, assess.Errorf(assess.KindUnauthenticated, "finish signing in first")
	}
	if err := bySignIn(p, what); err != nil {
		return assess.User{}, err
	}
	if p.System {
		return assess.User{}, assess.Errorf(assess.KindUnauthenticated, "second factors belong to a signed-in account (the command line resets them with \"isogap user reset-2fa\")")
	}
	return p.User, nil
}

// Factors is what the account page shows of p's second factors.
type Factors struct {
	Factors      []assess.Factor
	RecoveryLeft int
	// Required: the site requires a second factor of p.
	Required bool
}

// MyFactors lists p's own confirmed second factors.
func (s *Service) MyFactors(ctx context.Context, p Principal) (Factors, error) {
	u, err := factorOwner(p, "list second factors")
	if err != nil {
		return Factors{}, err
	}
	var out Factors
	if out.Factors, err = confirmedFactors(ctx, s.store, u.ID); err != nil {
		return out, err
	}
	if out.RecoveryLeft, err = s.store.RecoveryCodesLeft(ctx, u.ID); err != nil {
		return out, err
	}
	out.Required, err = s.mustUse2FA(ctx, s.store, u)
	return out, err
}

// TOTPEnrolment is an authenticator app being added: its secret, and the
// otpauth:// URL a QR code carries.
type TOTPEnrolment struct {
	FactorID int64
	Secret   string
	URL      string
}

// BeginTOTP starts adding an authenticator app: a new secret, kept
// unconfirmed until ConfirmTOTP gets a first code.
func (s *Service) BeginTOTP(ctx context.Context, p Principal) (TOTPEnrolment, error) {
	u, err := factorOwner(p, "add a second factor")
	if err != nil {
		return TOTPEnrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "isogap", AccountName: u.Login, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	var out TOTPEnrolment
	err = s.store.InTx(ctx, func(st store.Store) error {
		all, err := st.Factors(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := roomForFactor(u, all); err != nil {
			return err
		}
		if err := dropUnconfirmed(ctx, st, u.ID, all); err != nil {
			return err
		}
		f, err := st.AddFactor(ctx, assess.Factor{UserID: u.ID, Kind: assess.FactorTOTP, Secret: key.Secret(), CreatedAt: s.now()})
		out = TOTPEnrolment{FactorID: f.ID, Secret: key.Secret(), URL: key.URL()}
		return err
	})
	return out, err
}

// roomForFactor refuses a factor more to an account that has maxFactors
// (all: its factors, the confirmed ones counting).
func roomForFactor(u assess.User, all []assess.Factor) error {
	n := 0
	for _, f := range all {
		if f.Confirmed {
			n++
		}
	}
	if n >= maxFactors {
		return assess.Errorf(assess.KindInvalid, "%s already has %d second factors: remove one first", u.Login, n)
	}
	return nil
}

// dropUnconfirmed removes the factors among all that were started but
// never confirmed (an app's secret shown on a page that was left): one
// enrolment at a time, and no stray secret kept.
func dropUnconfirmed(ctx context.Context, st store.Store, userID int64, all []assess.Factor) error {
	for _, f := range all {
		if !f.Confirmed {
			if err := st.DeleteFactor(ctx, userID, f.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// Enrolled is a factor just added, with the recovery codes made with the
// first one (shown this once; nil otherwise).
type Enrolled struct {
	Factor        assess.Factor
	RecoveryCodes []string
}

func factorName(errs *assess.FieldErrors, name, kind string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return assess.Factor{Kind: kind}.Label()
	}
	assess.CheckText(errs, "name", name, maxFactorName, false)
	return name
}

// ConfirmTOTP confirms the authenticator app BeginTOTP started (id) with a
// first code from it.
func (s *Service) ConfirmTOTP(ctx context.Context, p Principal, id int64, name, code string) (Enrolled, error) {
	u, err := factorOwner(p, "add a second factor")
	if err != nil {
		return Enrolled{}, err
	}
	errs := &assess.FieldErrors{Context: "authenticator app"}
	name = factorName(errs, name, assess.FactorTOTP)
	if err := errs.Err(); err != nil {
		return Enrolled{}, err
	}
	var out Enrolled
	err = s.store.InTx(ctx, func(st store.Store) error {
		all, err := st.Factors(ctx, u.ID)
		if err != nil {
			return err
		}
		var f *assess.Factor
		for i := range all {
			if all[i].ID == id && all[i].Kind == assess.FactorTOTP && !all[i].Confirmed {
				f = &all[i]
			}
		}
		if f == nil {
			return assess.Errorf(assess.KindNotFound, "no authenticator app is being added: start again")
		}
		code = strings.Join(strings.Fields(code), "")
		step, ok := matchTOTP(f.Secret, code, s.now())
		if !ok {
			errs.Add("code", "", "is not the code the app shows now", "the 6 digits the app shows for isogap; check the phone's clock")
			return errs.Err()
		}
		if err := st.UseFactorStep(ctx, f.ID, step, s.now()); err != nil {
			return err
		}
		return s.addFactor(ctx, st, u, f, name, &out)
	})
	return out, err
}

// addFactor confirms f, records it, and makes the recovery codes when it is
// u's first factor.
func (s *Service) addFactor(ctx context.Context, st store.Store, u assess.User, f *assess.Factor, name string, out *Enrolled) error {
	before, err := confirmedFactors(ctx, st, u.ID)
	if err != nil {
		return err
	}
	if err := st.ConfirmFactor(ctx, u.ID, f.ID, name, s.now()); err != nil {
		return err
	}
	f.Name, f.Confirmed = name, true
	out.Factor = *f
	if len(before) == 0 {
		codes, hashes := newRecoveryCodes()
		if err := st.SetRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		out.RecoveryCodes = codes
	}
	return s.event(ctx, st, u.ID, assess.EventFactorAdded, fmt.Sprintf("%s %q", strings.ToLower(f.Label()), name), "")
}

// checkOwnPassword asks for p's password again before a factor is removed.
func (s *Service) checkOwnPassword(ctx context.Context, st store.Store, u assess.User, password string, errs *assess.FieldErrors) error {
	_, hash, err := st.UserByLogin(ctx, u.Login)
	if err != nil {
		return err
	}
	if !CheckPassword(hash, password) {
		errs.Add("password", "", "is wrong", "your current password, to confirm it is you")
	}
	return nil
}

// RemoveFactor removes one of p's factors after checking p's password. The
// last one stays while the site requires a second factor of p.
func (s *Service) RemoveFactor(ctx context.Context, p Principal, id int64, password string) error {
	if !p.isAccount() {
		return assess.Errorf(assess.KindUnauthenticated, "sign in to remove a second factor")
	}
	errs := &assess.FieldErrors{Context: "second factor"}
	return s.store.InTx(ctx, func(st store.Store) error {
		fs, err := confirmedFactors(ctx, st, p.User.ID)
		if err != nil {
			return err
		}
		var gone *assess.Factor
		for i := range fs {
			if fs[i].ID == id {
				gone = &fs[i]
			}
		}
		if gone == nil {
			return assess.Errorf(assess.KindNotFound, "no second factor %d", id)
		}
		if err := s.checkOwnPassword(ctx, st, p.User, password, errs); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if len(fs) == 1 {
			must, err := s.mustUse2FA(ctx, st, p.User)
			if err != nil {
				return err
			}
			if must {
				errs.Add("factor", gone.Name, "is your last second factor, and this site requires one", "add another factor first, then remove this one")
				return errs.Err()
			}
		}
		if err := st.DeleteFactor(ctx, p.User.ID, id); err != nil {
			return err
		}
		if len(fs) == 1 { // recovery codes go with the last factor
			if err := st.DeleteFactors(ctx, p.User.ID); err != nil {
				return err
			}
		}
		return s.event(ctx, st, p.User.ID, assess.EventFactorRemoved, fmt.Sprintf("%s %q", strings.ToLower(gone.Label()), gone.Name), "")
	})
}

// RegenerateRecoveryCodes replaces p's recovery codes with ten new ones
// (the old ones stop working), after checking p's password.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, p Principal, password string) ([]string, error) {
	if !p.isAccount() {
		return nil, assess.Errorf(assess.KindUnauthenticated, "sign in to make recovery codes")
	}
	errs := &assess.FieldErrors{Context: "recovery codes"}
	codes, hashes := newRecoveryCodes()
	err := s.store.InTx(ctx, func(st store.Store) error {
		fs, err := confirmedFactors(ctx, st, p.User.ID)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return assess.Errorf(assess.KindInvalid, "recovery codes come with a second factor: add one first")
		}
		if err := s.checkOwnPassword(ctx, st, p.User, password, errs); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		return st.SetRecoveryCodes(ctx, p.User.ID, hashes)
	})
	return codes, err
}

// ResetFactors removes every second factor and recovery code of an account
// (a lost phone), for administrators and the command line; recorded in the
// account's history. The person enrols again at their next sign-in if the
// site requires it.
func (s *Service) ResetFactors(ctx context.Context, p Principal, login string) error {
	u, err := s.adminTarget(ctx, p, login, "reset another person's second factors")
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(st store.Store) error {
		if err := st.DeleteFactors(ctx, u.ID); err != nil {
			return err
		}
		return s.event(ctx, st, u.ID, assess.EventFactorRemoved, "every factor and recovery code, reset by "+p.Name(), "")
	})
}

// FactorCounts counts each account's second factors, by user id, for the
// administrators' list of accounts.
func (s *Service) FactorCounts(ctx context.Context, p Principal) (map[int64]int, error) {
	if err := requireAdmin(p, "list accounts"); err != nil {
		return nil, err
	}
	return s.store.FactorCounts(ctx)
}

// Passkeys (WebAuthn). The relying party is the site's address (origin,
// such as "https://isogap.example.com"): its host name is the RP ID.

// webauthnFor builds the relying party for origin.
func webauthnFor(origin string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, assess.Errorf(assess.KindInvalid, "the site's address %q is not an http(s) URL: set the base URL", origin)
	}
	if net.ParseIP(u.Hostname()) != nil {
		return nil, assess.Errorf(assess.KindInvalid, "passkeys need the site to be reached by a name, not by an IP address (%s): open it as localhost or by its host name, or set the base URL", u.Hostname())
	}
	return webauthn.New(&webauthn.Config{RPID: u.Hostname(), RPDisplayName: "isogap", RPOrigins: []string{u.Scheme + "://" + u.Host}})
}

// passkeyUser is an account as the WebAuthn library sees it.
type passkeyUser struct {
	u     assess.User
	creds []webauthn.Credential
	ids   []int64 // the factor id of each credential
}

func (pu *passkeyUser) WebAuthnID() []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(pu.u.ID))
}
func (pu *passkeyUser) WebAuthnName() string                       { return pu.u.Login }
func (pu *passkeyUser) WebAuthnDisplayName() string                { return pu.u.Name }
func (pu *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return pu.creds }

func loadPasskeyUser(ctx context.Context, st store.Store, u assess.User) (*passkeyUser, error) {
	fs, err := confirmedFactors(ctx, st, u.ID)
	if err != nil {
		return nil, err
	}
	pu := &passkeyUser{u: u}
	for _, f := range fs {
		if f.Kind != assess.FactorPasskey {
			continue
		}
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(f.Secret), &c); err != nil {
			return nil, fmt.Errorf("passkey %d of %s: %w", f.ID, u.Login, err)
		}
		pu.creds, pu.ids = append(pu.creds, c), append(pu.ids, f.ID)
	}
	return pu, nil
}

// The ceremony kept on the session: what it is for, and the library's state.
const (
	ceremonyRegister = "register:"
	ceremonyLogin    = "login:"
)

// ceremonyHash is the row p's ceremony is kept on: p's session, or p's
// half-way sign-in.
func ceremonyHash(p Principal) (string, error) {
	if p.step != nil {
		return p.step.TokenHash, nil
	}
	if p.session == "" {
		return "", assess.Errorf(assess.KindUnauthenticated, "passkeys are added in the web app, signed in")
	}
	return p.session, nil
}

func (s *Service) keepCeremony(ctx context.Context, p Principal, kind string, sd *webauthn.SessionData) error {
	h, err := ceremonyHash(p)
	if err != nil {
		return err
	}
	b, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	return s.store.SetCeremony(ctx, h, kind+string(b))
}

// takeCeremony reads (and forgets) the ceremony of kind kept on p's row.
func (s *Service) takeCeremony(ctx context.Context, st store.Store, p Principal, kind string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	h, err := ceremonyHash(p)
	if err != nil {
		return sd, err
	}
	var ss assess.Session
	if p.step != nil {
		ss, _, err = st.StepSession(ctx, h, s.now())
	} else {
		ss, _, err = st.Session(ctx, h, s.now())
	}
	if err != nil {
		return sd, err
	}
	data, ok := strings.CutPrefix(ss.Ceremony, kind)
	if !ok {
		return sd, assess.Errorf(assess.KindInvalid, "no passkey request is under way: start again")
	}
	if err := st.SetCeremony(ctx, h, ""); err != nil {
		return sd, err
	}
	return sd, json.Unmarshal([]byte(data), &sd)
}

// BeginPasskey starts adding a passkey: the options for the browser's
// navigator.credentials.create (JSON).
func (s *Service) BeginPasskey(ctx context.Context, p Principal, origin string) ([]byte, error) {
	u, err := factorOwner(p, "add a second factor")
	if err != nil {
		return nil, err
	}
	wa, err := webauthnFor(origin)
	if err != nil {
		return nil, err
	}
	all, err := s.store.Factors(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if err := roomForFactor(u, all); err != nil {
		return nil, err
	}
	pu, err := loadPasskeyUser(ctx, s.store, u)
	if err != nil {
		return nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range pu.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, sd, err := wa.BeginRegistration(pu, webauthn.WithExclusions(exclude),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementDiscouraged, UserVerification: protocol.VerificationPreferred}))
	if err != nil {
		return nil, err
	}
	if err := s.keepCeremony(ctx, p, ceremonyRegister, sd); err != nil {
		return nil, err
	}
	return json.Marshal(opts)
}

// FinishPasskey stores the passkey the browser made (body: its JSON
// answer), named name.
func (s *Service) FinishPasskey(ctx context.Context, p Principal, origin, name string, body []byte) (Enrolled, error) {
	u, err := factorOwner(p, "add a second factor")
	if err != nil {
		return Enrolled{}, err
	}
	errs := &assess.FieldErrors{Context: "passkey"}
	name = factorName(errs, name, assess.FactorPasskey)
	if err := errs.Err(); err != nil {
		return Enrolled{}, err
	}
	wa, err := webauthnFor(origin)
	if err != nil {
		return Enrolled{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(bytes.NewReader(body))
	if err != nil {
		return Enrolled{}, assess.Errorf(assess.KindInvalid, "the browser's answer is not a passkey: %v", err)
	}
	var out Enrolled
	err = s.store.InTx(ctx, func(st store.Store) error {
		sd, err := s.takeCeremony(ctx, st, p, ceremonyRegister)
		if err != nil {
			return err
		}
		pu, err := loadPasskeyUser(ctx, st, u)
		if err != nil {
			return err
		}
		cred, err := wa.CreateCredential(pu, sd, parsed)
		if err != nil {
			return assess.Errorf(assess.KindInvalid, "the passkey was refused: %v", err)
		}
		all, err := st.Factors(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := roomForFactor(u, all); err != nil {
			return err
		}
		if err := dropUnconfirmed(ctx, st, u.ID, all); err != nil {
			return err
		}
		secret, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		f, err := st.AddFactor(ctx, assess.Factor{UserID: u.ID, Kind: assess.FactorPasskey, Secret: string(secret),
			CredentialID: base64.RawURLEncoding.EncodeToString(cred.ID), CreatedAt: s.now()})
		if err != nil {
			return err
		}
		return s.addFactor(ctx, st, u, &f, name, &out)
	})
	return out, err
}

// StepFactorKinds tells the second step which kinds of factor p's account
// has (assess.FactorTOTP, assess.FactorPasskey), so the page offers a
// passkey only to someone who has one.
func (s *Service) StepFactorKinds(ctx context.Context, p Principal) (map[string]bool, error) {
	if _, err := stepOf(p, assess.SessionSecondStep); err != nil {
		return nil, err
	}
	fs, err := confirmedFactors(ctx, s.store, p.User.ID)
	if err != nil {
		return nil, err
	}
	kinds := map[string]bool{}
	for _, f := range fs {
		kinds[f.Kind] = true
	}
	return kinds, nil
}

// BeginPasskeyStep starts the second step with a passkey: the options for
// the browser's navigator.credentials.get (JSON).
func (s *Service) BeginPasskeyStep(ctx context.Context, p Principal, origin string) ([]byte, error) {
	if _, err := stepOf(p, assess.SessionSecondStep); err != nil {
		return nil, err
	}
	wa, err := webauthnFor(origin)
	if err != nil {
		return nil, err
	}
	pu, err := loadPasskeyUser(ctx, s.store, p.User)
	if err != nil {
		return nil, err
	}
	if len(pu.creds) == 0 {
		return nil, assess.Errorf(assess.KindInvalid, "this account has no passkey: use the code from your app or a recovery code")
	}
	opts, sd, err := wa.BeginLogin(pu)
	if err != nil {
		return nil, err
	}
	if err := s.keepCeremony(ctx, p, ceremonyLogin, sd); err != nil {
		return nil, err
	}
	return json.Marshal(opts)
}

// FinishPasskeyStep finishes a sign-in with the browser's passkey answer
// (body) and returns the session's token. A refused answer counts as a
// failed sign-in.
func (s *Service) FinishPasskeyStep(ctx context.Context, p Principal, origin string, body []byte, meta SessionMeta, ttl time.Duration) (string, error) {
	step, err := stepOf(p, assess.SessionSecondStep)
	if err != nil {
		return "", err
	}
	if err := s.throttled(ctx, p.User.Login, meta.Addr); err != nil {
		return "", err
	}
	wa, err := webauthnFor(origin)
	if err != nil {
		return "", err
	}
	var token string
	err = s.store.InTx(ctx, func(st store.Store) error {
		sd, err := s.takeCeremony(ctx, st, p, ceremonyLogin)
		if err != nil {
			return err
		}
		parsed, err := protocol.ParseCredentialRequestResponseBody(bytes.NewReader(body))
		if err != nil {
			return wrongCode("the browser's answer is not a passkey's")
		}
		pu, err := loadPasskeyUser(ctx, st, p.User)
		if err != nil {
			return err
		}
		cred, err := wa.ValidateLogin(pu, sd, parsed)
		if err != nil {
			return wrongCode("the passkey was refused")
		}
		for i, c := range pu.creds {
			if bytes.Equal(c.ID, cred.ID) {
				b, err := json.Marshal(cred)
				if err != nil {
					return err
				}
				if err := st.UpdateFactorSecret(ctx, pu.ids[i], string(b), s.now()); err != nil {
					return err
				}
			}
		}
		token, err = s.finishStep(ctx, st, p.User, step, "passkey", meta, ttl)
		return err
	})
	if ce := (*codeError)(nil); errors.As(err, &ce) {
		return "", s.refuseStep(ctx, p.User, meta.Addr, err)
	}
	return token, err
}
