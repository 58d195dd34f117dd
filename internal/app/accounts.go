package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// argon2id parameters: the OWASP baseline (19 MiB, 2 passes, 1 lane),
// affordable on a small server yet costly to guess at scale.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// HashPassword returns an argon2id hash in the usual PHC string form.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword compares a password with a hash from HashPassword, in
// constant time. A malformed hash, or one whose parameters argon2 would
// refuse (it panics) or that would cost a sign-in more than it should, never
// matches.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) || !argonParamsOK(m, t, p) {
		return false
	}
	enc := base64.RawStdEncoding.Strict()
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// argonParamsOK bounds a stored hash's cost: at least one pass and one lane,
// the 8 KiB per lane argon2 requires, and at most 64 MiB, 10 passes and 16
// lanes (every OWASP setting fits).
func argonParamsOK(m, t uint32, p uint8) bool {
	return t >= 1 && t <= 10 && p >= 1 && p <= 16 && m >= 8*uint32(p) && m <= 64*1024
}

// dummyHash is checked against when a login is unknown, so an unknown
// login takes as long to refuse as a wrong password. It is made on first
// use: hashing costs about a tenth of a second, which every CLI command
// paid at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("isogap-dummy-password")
	return h
})

// NormalizeLogin lower-cases and trims a login.
func NormalizeLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NewUser is what creating an account takes.
type NewUser struct {
	Login    string
	Name     string
	Email    string
	Password string
	Admin    bool
	// CreatesAssessments lets the account start assessments (policy.go).
	CreatesAssessments bool
}

func validatePassword(errs *assess.FieldErrors, field, pw string) {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		errs.Add(field, "", "too short", fmt.Sprintf("at least %d characters (a phrase of a few words is easiest)", MinPasswordLen))
	case len(pw) > 256:
		errs.Add(field, "", "too long", "at most 256 characters")
	}
}

func validateUser(errs *assess.FieldErrors, u assess.User) {
	if len(u.Login) < 2 || len(u.Login) > 64 || strings.Trim(u.Login, "abcdefghijklmnopqrstuvwxyz0123456789._@-") != "" {
		errs.Add("login", assess.Shown(u.Login), "not a valid login", "2 to 64 letters, digits, '.', '_', '-' or '@'")
	}
	if strings.TrimSpace(u.Name) == "" {
		errs.Add("name", "", "the person's name is required", "a name such as \"Dana Whitfield\"")
	} else {
		assess.CheckShort(errs, "name", u.Name)
	}
	if u.Email != "" && assess.CheckShort(errs, "email", u.Email) {
		if _, err := mail.ParseAddress(u.Email); err != nil {
			errs.Add("email", u.Email, "not an e-mail address", "name@example.com")
		}
	}
}

// CreateUser makes an account. Only site administrators (and the CLI) may.
func (s *Service) CreateUser(ctx context.Context, p Principal, in NewUser) (assess.User, error) {
	if err := requireAdmin(p, "create accounts"); err != nil {
		return assess.User{}, err
	}
	if err := requireWriter(p); err != nil {
		return assess.User{}, err
	}
	return s.createUser(ctx, in, false)
}

// SetupFirstAdmin creates the first account, an administrator, on a
// database without any; afterwards it fails with kind Conflict.
func (s *Service) SetupFirstAdmin(ctx context.Context, in NewUser) (assess.User, error) {
	in.Admin = true
	return s.createUser(ctx, in, true)
}

// NeedsSetup reports whether no account exists yet.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := s.store.CountUsers(ctx)
	return n == 0, err
}

// Ready reports whether the database answers: one cheap read (the number
// of accounts), which also proves the schema is there. It returns when ctx
// ends even if the database driver does not, so a probe with a deadline
// always gets its answer in time. It needs no principal: it reads nothing
// about anybody.
func (s *Service) Ready(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		_, err := s.store.CountUsers(ctx)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) createUser(ctx context.Context, in NewUser, first bool) (assess.User, error) {
	u := assess.User{Login: NormalizeLogin(in.Login), Name: strings.TrimSpace(in.Name), Email: strings.TrimSpace(in.Email), Admin: in.Admin, CreatesAssessments: in.CreatesAssessments}
	errs := &assess.FieldErrors{Context: "account"}
	validateUser(errs, u)
	validatePassword(errs, "password", in.Password)
	if err := errs.Err(); err != nil {
		return u, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return u, err
	}
	u.CreatedAt = s.now()
	return s.store.CreateUser(ctx, u, hash, first)
}

// Sign-in throttling: failures are counted in the database, so every
// instance sees them. Locks fall only on what an attacker controls: the
// pair of an account and a client address, and an address. Failures for an
// account from many addresses only slow further attempts down, with a
// growing delay, so nobody can keep the real person locked out: a correct
// password from an address without recent failures for the account is
// always let in.
const (
	LoginWindow = 15 * time.Minute
	// MaxFailuresPair locks one account from one address.
	MaxFailuresPair = 5
	// MaxFailuresAddress locks an address, whatever the account.
	MaxFailuresAddress = 30
	// FreeFailuresAccount failures of an account (from every address) in
	// the window go without delay; each one after doubles the delay, from
	// one second up to MaxLoginDelay.
	FreeFailuresAccount = 5
	MaxLoginDelay       = time.Minute
	loginKeyAccount     = "account:"
	loginKeyAddress     = "address:"
	loginKeyPair        = "pair:"
	errBadCredentials   = "wrong login or password"
	errTooManyAttempts  = "too many failed sign-ins %s: wait %d minutes and try again"
	errSlowDown         = "too many failed sign-ins for this account: retry after %d seconds"
	failureRetention    = 24 * time.Hour
	sessionRefreshRatio = 2 // extend a session once less than 1/2 of its lifetime is left
)

// LoginDelay is how long sign-ins to an account with n recent failures
// wait after the last one (from addresses that failed for it).
func LoginDelay(n int) time.Duration {
	if n < FreeFailuresAccount {
		return 0
	}
	if n-FreeFailuresAccount >= 16 {
		return MaxLoginDelay
	}
	return min(time.Second<<(n-FreeFailuresAccount), MaxLoginDelay)
}

// retryError is a refused sign-in that says when to try again.
type retryError struct {
	after time.Duration
	err   error
}

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

func retryAfter(d time.Duration, format string, args ...any) error {
	return &retryError{after: d, err: assess.Errorf(assess.KindRateLimited, format, args...)}
}

// RetryAfter is how long a refused sign-in (kind RateLimited) asks to wait.
func RetryAfter(err error) (time.Duration, bool) {
	var re *retryError
	if errors.As(err, &re) {
		return re.after, true
	}
	return 0, false
}

// Authenticate checks a login and password from a client address. Repeated
// failures for one account from one address, or from one address, are
// refused for a while (kind RateLimited) whatever the password; an address
// that failed for an account waits a delay growing with the account's
// failures from everywhere.
func (s *Service) Authenticate(ctx context.Context, login, password, addr string) (assess.User, error) {
	u, err := s.authenticate(ctx, login, password, addr)
	if outcome, ok := signInOutcome(err); ok {
		s.obs.SignIn(outcome)
	}
	return u, err
}

func (s *Service) authenticate(ctx context.Context, login, password, addr string) (assess.User, error) {
	if err := s.passwordSignInAllowed(ctx); err != nil {
		return assess.User{}, err
	}
	login = NormalizeLogin(login)
	if err := s.throttled(ctx, login, addr); err != nil {
		return assess.User{}, err
	}
	u, hash, err := s.store.UserByLogin(ctx, login)
	if err != nil && assess.KindOf(err) != assess.KindNotFound {
		return u, err
	}
	if err != nil {
		hash = dummyHash()
	}
	if !CheckPassword(hash, password) || err != nil {
		if ferr := s.failed(ctx, login, addr); ferr != nil {
			return assess.User{}, ferr
		}
		if err == nil {
			if eerr := s.event(ctx, s.store, u.ID, assess.EventSignInFailed, "wrong password", addr); eerr != nil {
				return assess.User{}, eerr
			}
		}
		return assess.User{}, assess.Errorf(assess.KindUnauthenticated, errBadCredentials)
	}
	if u.Disabled {
		return assess.User{}, assess.Errorf(assess.KindUnauthenticated, "this account is disabled: ask a site administrator")
	}
	if err := succeeded(ctx, s.store, login, addr); err != nil {
		return u, err
	}
	return u, s.firstFactorEvent(ctx, s.store, u, "password", addr)
}

// throttled refuses a sign-in step for login from addr after too many
// failures (kind RateLimited): the password step and the second step alike.
func (s *Service) throttled(ctx context.Context, login, addr string) error {
	now := s.now()
	since := now.Add(-LoginWindow)
	accountKey, addressKey, pairKey := loginKeys(login, addr)
	count := func(key string, since time.Time) (int, error) { return s.store.LoginFailures(ctx, key, since) }
	pair, err := count(pairKey, since)
	if err != nil {
		return err
	}
	if pair >= MaxFailuresPair {
		return retryAfter(LoginWindow, errTooManyAttempts, "for this account from your address", int(LoginWindow.Minutes()))
	}
	n, err := count(addressKey, since)
	if err != nil {
		return err
	}
	if n >= MaxFailuresAddress {
		return retryAfter(LoginWindow, errTooManyAttempts, "from your address", int(LoginWindow.Minutes()))
	}
	if pair > 0 {
		n, err := count(accountKey, since)
		if err != nil {
			return err
		}
		if d := LoginDelay(n); d > 0 {
			// A failure less than d ago (times are kept to the microsecond).
			recent, err := count(accountKey, now.Add(-d+time.Microsecond))
			if err != nil {
				return err
			}
			if recent > 0 {
				return retryAfter(d, errSlowDown, int(d/time.Second))
			}
		}
	}
	return nil
}

func loginKeys(login, addr string) (account, address, pair string) {
	return loginKeyAccount + login, loginKeyAddress + addr, loginKeyPair + login + " " + addr
}

// succeeded forgets login's failures from addr; the account's failures
// stay: they slow down whoever else is guessing.
func succeeded(ctx context.Context, st store.Store, login, addr string) error {
	_, _, pair := loginKeys(login, addr)
	return st.ClearLoginFailures(ctx, pair)
}

// failed counts a failed sign-in step for login from addr.
func (s *Service) failed(ctx context.Context, login, addr string) error {
	a, b, c := loginKeys(login, addr)
	for _, k := range []string{a, b, c} {
		if err := s.store.RecordLoginFailure(ctx, k, s.now()); err != nil {
			return err
		}
	}
	return nil
}

// TokenHash is what the database keeps of a session token.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartSession opens a session for p, a user Authenticate has just let in,
// and returns its secret token (for the cookie); only the token's hash is
// stored.
func (s *Service) StartSession(ctx context.Context, p Principal, ttl time.Duration) (string, error) {
	if !p.isAccount() {
		return "", assess.Errorf(assess.KindUnauthenticated, "a session is for a signed-in account")
	}
	u := p.User
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	err := s.store.CreateSession(ctx, assess.Session{TokenHash: TokenHash(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(ttl)})
	// Housekeeping rides along with sign-ins instead of needing a timer.
	if err == nil {
		err = s.store.DeleteExpired(ctx, now, now.Add(-failureRetention))
	}
	return token, err
}

// ResolveSession finds who holds a session token. A session with less
// than half its lifetime left is extended, so active people stay signed in.
func (s *Service) ResolveSession(ctx context.Context, token string, ttl time.Duration) (Principal, error) {
	if token == "" {
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "not signed in")
	}
	now := s.now()
	h := TokenHash(token)
	ss, u, err := s.store.Session(ctx, h, now)
	if err != nil {
		return Principal{}, err
	}
	if u.Disabled {
		return Principal{}, assess.Errorf(assess.KindUnauthenticated, "this account is disabled")
	}
	if ss.ExpiresAt.Sub(now) < ttl/sessionRefreshRatio {
		if err := s.store.ExtendSession(ctx, h, now.Add(ttl)); err != nil {
			return Principal{}, err
		}
	}
	if now.Sub(ss.LastUsedAt) >= sessionTouchEvery {
		if err := s.store.TouchSession(ctx, h, now); err != nil {
			return Principal{}, err
		}
	}
	return Principal{User: u, session: h}, nil
}

// EndSession signs a browser out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, TokenHash(token))
}

// ChangePassword sets a user's own password after checking the current
// one, and signs them out everywhere else.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	if !p.isAccount() {
		return assess.Errorf(assess.KindUnauthenticated, "sign in to change your password (the command line sets passwords with \"isogap user password\")")
	}
	_, hash, err := s.store.UserByLogin(ctx, p.User.Login)
	if err != nil {
		return err
	}
	errs := &assess.FieldErrors{Context: "password"}
	if !CheckPassword(hash, current) {
		errs.Add("current", "", "the current password is wrong", "")
	}
	validatePassword(errs, "new", next)
	if err := errs.Err(); err != nil {
		return err
	}
	return s.setPassword(ctx, p.User.ID, next, assess.EventPasswordChanged, "")
}

// setPassword stores a new password, signs the account out everywhere and
// records the event (kind) in its security history.
func (s *Service) setPassword(ctx context.Context, id int64, pw, kind, detail string) error {
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(st store.Store) error {
		if err := st.SetPassword(ctx, id, hash); err != nil {
			return err
		}
		if err := s.event(ctx, st, id, kind, detail, ""); err != nil {
			return err
		}
		return st.DeleteSessions(ctx, id)
	})
}

// SetUserPassword is an administrator setting someone's password (a reset);
// the user is signed out everywhere.
func (s *Service) SetUserPassword(ctx context.Context, p Principal, login, pw string) error {
	u, err := s.adminTarget(ctx, p, login, "set another person's password")
	if err != nil {
		return err
	}
	errs := &assess.FieldErrors{Context: "password"}
	validatePassword(errs, "password", pw)
	if err := errs.Err(); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, pw, assess.EventPasswordSet, "by "+p.Name())
}

// adminTarget is the account an administrator (or the command line) acts
// on, by login.
func (s *Service) adminTarget(ctx context.Context, p Principal, login, what string) (assess.User, error) {
	if err := requireAdmin(p, what); err != nil {
		return assess.User{}, err
	}
	if err := requireWriter(p); err != nil {
		return assess.User{}, err
	}
	u, _, err := s.store.UserByLogin(ctx, NormalizeLogin(login))
	return u, err
}

// Users lists every account (administrators only).
func (s *Service) Users(ctx context.Context, p Principal) ([]assess.User, error) {
	if err := requireAdmin(p, "list accounts"); err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx)
}

// UserByLogin finds an account by login (administrators only).
func (s *Service) UserByLogin(ctx context.Context, p Principal, login string) (assess.User, error) {
	if err := requireAdmin(p, "look up accounts"); err != nil {
		return assess.User{}, err
	}
	u, _, err := s.store.UserByLogin(ctx, NormalizeLogin(login))
	return u, err
}

// UpdateUser changes an account's name, e-mail, admin flag, right to start
// assessments and disabled flag (administrators only). An administrator cannot demote or disable
// themselves, so a site always keeps one.
func (s *Service) UpdateUser(ctx context.Context, p Principal, u assess.User) (assess.User, error) {
	if err := requireAdmin(p, "change accounts"); err != nil {
		return u, err
	}
	if err := requireWriter(p); err != nil {
		return u, err
	}
	cur, err := s.store.GetUser(ctx, u.ID)
	if err != nil {
		return u, err
	}
	u.Login, u.CreatedAt = cur.Login, cur.CreatedAt
	u.Name, u.Email = strings.TrimSpace(u.Name), strings.TrimSpace(u.Email)
	errs := &assess.FieldErrors{Context: "account " + cur.Login}
	validateUser(errs, u)
	keepsOwnAdmin(errs, p, cur, u)
	if err := errs.Err(); err != nil {
		return u, err
	}
	return u, s.store.InTx(ctx, func(st store.Store) error {
		if err := st.UpdateUser(ctx, u); err != nil {
			return err
		}
		if u.Disabled {
			return st.DeleteSessions(ctx, u.ID) // a disabled account is signed out everywhere
		}
		return nil
	})
}

// RandomPassword makes a password for the demo and for accounts created
// without one: 16 characters from an alphabet without look-alikes.
func RandomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
