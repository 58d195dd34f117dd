package store

import (
	"context"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

// UserStore keeps accounts, sessions, memberships and failed sign-ins, in
// the database so that several isogap instances share them.
type UserStore interface {
	// CreateUser stores a new user with a password hash and returns it with
	// its id; a login already taken fails with kind Conflict. With
	// onlyIfNoUsers set it fails with kind Conflict when any user exists
	// (the first-run setup, safe against two browsers at once).
	CreateUser(ctx context.Context, u assess.User, passwordHash string, onlyIfNoUsers bool) (assess.User, error)
	GetUser(ctx context.Context, id int64) (assess.User, error)
	// UserByLogin finds a user and their password hash.
	UserByLogin(ctx context.Context, login string) (assess.User, string, error)
	ListUsers(ctx context.Context) ([]assess.User, error)
	CountUsers(ctx context.Context) (int, error)
	// UpdateUser stores name, email, admin, creates-assessments and disabled.
	UpdateUser(ctx context.Context, u assess.User) error
	SetPassword(ctx context.Context, userID int64, passwordHash string) error

	CreateSession(ctx context.Context, s assess.Session) error
	// Session returns a session (of stage "") that has not expired at now,
	// and its user.
	Session(ctx context.Context, tokenHash string, now time.Time) (assess.Session, assess.User, error)
	// StepSession returns a half-way sign-in (a session of a stage other
	// than "") that has not expired at now, and its user.
	StepSession(ctx context.Context, tokenHash string, now time.Time) (assess.Session, assess.User, error)
	// TakeSession deletes a session or half-way sign-in and fails with kind
	// Unauthenticated when there was none, so it is used once.
	TakeSession(ctx context.Context, tokenHash string) error
	// TouchSession records that a session was used at at.
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	// SetCeremony keeps a passkey ceremony's state on a session.
	SetCeremony(ctx context.Context, tokenHash, ceremony string) error
	// UserSessions lists a user's sessions (stage "") not expired at now,
	// most recently used first.
	UserSessions(ctx context.Context, userID int64, now time.Time) ([]assess.Session, error)
	// DeleteSessionByID ends one of a user's sessions by its ID (kind
	// NotFound when the user has none such).
	DeleteSessionByID(ctx context.Context, userID int64, id string) error
	// DeleteOtherSessions ends a user's sessions but the one kept.
	DeleteOtherSessions(ctx context.Context, userID int64, keepHash string) error

	// AddFactor stores a second factor and returns it with its id.
	AddFactor(ctx context.Context, f assess.Factor) (assess.Factor, error)
	// Factors lists a user's factors, oldest first, unconfirmed included.
	Factors(ctx context.Context, userID int64) ([]assess.Factor, error)
	// ConfirmFactor marks a user's factor confirmed, with its name (kind
	// NotFound when the user has none such).
	ConfirmFactor(ctx context.Context, userID, id int64, name string, at time.Time) error
	// UseFactorStep records a TOTP factor's time step as used, only if it
	// is later than the last one used (kind Unauthenticated otherwise: a
	// replayed code).
	UseFactorStep(ctx context.Context, id, step int64, at time.Time) error
	// UpdateFactorSecret stores a factor's secret (a passkey's credential
	// after a sign-in, with its counter) and records its use.
	UpdateFactorSecret(ctx context.Context, id int64, secret string, at time.Time) error
	// DeleteFactor removes one of a user's factors (kind NotFound when the
	// user has none such).
	DeleteFactor(ctx context.Context, userID, id int64) error
	// DeleteFactors removes all of a user's factors and recovery codes.
	DeleteFactors(ctx context.Context, userID int64) error
	// FactorCounts counts each user's confirmed factors, by user id (users
	// without any are absent).
	FactorCounts(ctx context.Context) (map[int64]int, error)
	// SetRecoveryCodes replaces a user's recovery codes with these hashes.
	SetRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	// UseRecoveryCode marks an unused code of a user used at at (kind
	// Unauthenticated when there is no such unused code).
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) error
	// RecoveryCodesLeft counts a user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)
	ExtendSession(ctx context.Context, tokenHash string, expiresAt time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteSessions signs a user out everywhere.
	DeleteSessions(ctx context.Context, userID int64) error
	// DeleteExpired drops sessions and failed sign-ins older than now/before.
	DeleteExpired(ctx context.Context, now, failuresBefore time.Time) error

	// CreateToken stores a personal access token and returns it with its id.
	CreateToken(ctx context.Context, t assess.APIToken) (assess.APIToken, error)
	// Tokens lists a user's tokens, newest first, revoked and expired ones
	// included.
	Tokens(ctx context.Context, userID int64) ([]assess.APIToken, error)
	// TokenByHash finds a token by its secret's hash, with its owner (kind
	// Unauthenticated when there is none); the caller checks it is active.
	TokenByHash(ctx context.Context, tokenHash string) (assess.APIToken, assess.User, error)
	// RevokeToken marks one of a user's tokens revoked at at (kind NotFound
	// when the user has no such token; revoking twice keeps the first time).
	RevokeToken(ctx context.Context, userID, id int64, at time.Time) error
	// TouchToken records that a token was used at at.
	TouchToken(ctx context.Context, id int64, at time.Time) error

	// Settings returns the site settings stored, by key.
	Settings(ctx context.Context) (map[string]string, error)
	// PutSetting stores one site setting.
	PutSetting(ctx context.Context, key, value, by string, at time.Time) error
	// AddSecurityEvent records an event of an account's security history.
	AddSecurityEvent(ctx context.Context, e assess.SecurityEvent) error
	// SecurityEvents returns an account's newest events, newest first, at
	// most limit, and only those before beforeID when it is not 0.
	SecurityEvents(ctx context.Context, userID int64, beforeID int64, limit int) ([]assess.SecurityEvent, error)

	// SSOProviders lists the single sign-on providers by name, secrets
	// included (the service keeps them from every listing).
	SSOProviders(ctx context.Context) ([]assess.SSOProvider, error)
	// SSOProvider returns one provider (kind NotFound when there is none).
	SSOProvider(ctx context.Context, name string) (assess.SSOProvider, error)
	// PutSSOProvider adds or replaces a provider.
	PutSSOProvider(ctx context.Context, p assess.SSOProvider) error
	// DeleteSSOProvider removes a provider and its links (kind NotFound
	// when there is none).
	DeleteSSOProvider(ctx context.Context, name string) error
	// IdentityUser finds the account linked to a provider's subject (kind
	// NotFound when none is).
	IdentityUser(ctx context.Context, provider, subject string) (assess.User, error)
	// Identities lists an account's links, by provider.
	Identities(ctx context.Context, userID int64) ([]assess.Identity, error)
	// LinkIdentity stores a link; a subject linked already, or an account
	// linked to the provider already, fails with kind Conflict.
	LinkIdentity(ctx context.Context, id assess.Identity) error
	// UnlinkIdentity removes an account's link to a provider (kind NotFound
	// when there is none).
	UnlinkIdentity(ctx context.Context, userID int64, provider string) error
	// PutSSOState keeps a sign-in under way.
	PutSSOState(ctx context.Context, st assess.SSOState) error
	// TakeSSOState removes and returns a sign-in under way that has not
	// expired at now: a second take of the same state finds nothing (kind
	// NotFound), on every instance.
	TakeSSOState(ctx context.Context, stateHash string, now time.Time) (assess.SSOState, error)
	// ClaimIdempotencyKey records that rec's create is under way (Status
	// 0), dropping the user's records created before since first. When a
	// record of the key is left, it returns that one and false instead.
	ClaimIdempotencyKey(ctx context.Context, rec IdempotencyRecord, since time.Time) (IdempotencyRecord, bool, error)
	// FinishIdempotencyKey stores the answer of a claimed create.
	FinishIdempotencyKey(ctx context.Context, rec IdempotencyRecord) error
	// ReleaseIdempotencyKey drops a claim whose create failed, so the
	// request may be sent again.
	ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error

	// PutMembership adds or replaces a user's membership of an assessment.
	PutMembership(ctx context.Context, m assess.Membership) error
	DeleteMembership(ctx context.Context, assessmentID string, userID int64) error
	// Membership returns one membership (kind NotFound if there is none).
	Membership(ctx context.Context, assessmentID string, userID int64) (assess.Membership, error)
	// Members lists an assessment's memberships with their users, by name.
	Members(ctx context.Context, assessmentID string) ([]assess.Membership, error)
	// MembershipsOf lists a user's memberships.
	MembershipsOf(ctx context.Context, userID int64) ([]assess.Membership, error)

	// RecordLoginFailure counts a failed sign-in against a key (an account
	// or an address).
	RecordLoginFailure(ctx context.Context, key string, at time.Time) error
	// LoginFailures counts a key's failures at or after since.
	LoginFailures(ctx context.Context, key string, since time.Time) (int, error)
	ClearLoginFailures(ctx context.Context, key string) error
}

// IdempotencyRecord is the first answer to a user's create sent with an
// idempotency key.
type IdempotencyRecord struct {
	UserID      int64
	Key         string
	RequestHash string
	// Status is the answer's HTTP status; 0 while the create runs.
	Status    int
	Body      []byte
	Location  string
	CreatedAt time.Time
}
