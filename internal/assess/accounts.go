package assess

import (
	"fmt"
	"strings"
	"time"
)

// User is a person who signs in to the web app.
type User struct {
	ID int64 `json:"id"`
	// Login is the name typed at sign-in: lower case, unique.
	Login string `json:"login"`
	// Name is the person's name as shown and recorded in the history; it is
	// also what an item's owner field is matched against.
	Name  string `json:"name"`
	Email string `json:"email"`
	// Admin marks a site administrator: manages users and sees every assessment.
	Admin bool `json:"admin"`
	// CreatesAssessments lets an account that is not an administrator start
	// assessments (and bring them in from an export).
	CreatesAssessments bool      `json:"creates_assessments"`
	Disabled           bool      `json:"disabled"`
	CreatedAt          time.Time `json:"created_at"`
}

// Role is what a member may do in one assessment.
type Role string

const (
	// RoleAssessor leads an assessment: edits everything, manages members.
	RoleAssessor Role = "assessor"
	// RoleContributor edits the items of their departments or assigned to them.
	RoleContributor Role = "contributor"
	// RoleViewer reads, without evidence files.
	RoleViewer Role = "viewer"
	// RoleAuditor reads everything, evidence files included, until an expiry date.
	RoleAuditor Role = "auditor"
)

// Roles lists the roles from most to least powerful.
var Roles = []Role{RoleAssessor, RoleContributor, RoleViewer, RoleAuditor}

// Label is the role's display name.
func (r Role) Label() string {
	if r == "" {
		return ""
	}
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}

// Describe says in a sentence what the role may do.
func (r Role) Describe() string {
	switch r {
	case RoleAssessor:
		return "Leads the assessment: edits scope and every item, manages members."
	case RoleContributor:
		return "Scores and documents the items of their departments or assigned to them, attaches evidence."
	case RoleViewer:
		return "Reads scores, the dashboard and the Statement of Applicability; no evidence files."
	case RoleAuditor:
		return "Reads everything, evidence files and history included, until the access expires."
	}
	return ""
}

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, r := range Roles {
		if t == string(r) {
			return r, nil
		}
	}
	return "", fmt.Errorf("want one of assessor, contributor, viewer, auditor")
}

// Membership gives a user a role in one assessment.
type Membership struct {
	AssessmentID string `json:"assessment_id"`
	UserID       int64  `json:"user_id"`
	Role         Role   `json:"role"`
	// Departments a contributor answers for.
	Departments []string `json:"departments"`
	// Refs are items explicitly assigned to a contributor.
	Refs []string `json:"refs"`
	// Expires ends an auditor's access (the zero Date never expires); the
	// access lasts through that day, UTC.
	Expires Date `json:"expires"`
	// Pending is an invitation the user has not accepted yet: it gives no
	// access and shows the assessment nowhere.
	Pending   bool      `json:"pending,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// User is filled in by listings.
	User User `json:"user"`
}

// Expired reports whether the membership's expiry date has passed at now.
func (m Membership) Expired(now time.Time) bool {
	return !m.Expires.IsZero() && DateOf(now.UTC()).t.After(m.Expires.t)
}

// Session is a signed-in browser. The token itself is never stored, only
// its hash.
type Session struct {
	TokenHash string    `json:"-"`
	UserID    int64     `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// LastUsedAt is when the session was last used, recorded at most once
	// a minute.
	LastUsedAt time.Time `json:"last_used_at"`
	// Addr and Agent are the client's address and browser at sign-in.
	Addr  string `json:"addr,omitempty"`
	Agent string `json:"agent,omitempty"`
	// Stage is "" for a session; SessionSecondStep or SessionEnrol for the
	// short half-way state of a sign-in, which opens nothing but that step.
	Stage string `json:"stage,omitempty"`
	// Ceremony is a passkey ceremony in progress (the library's state).
	Ceremony string `json:"-"`
}

// The stages of a half-way sign-in.
const (
	SessionSecondStep = "second-step"
	SessionEnrol      = "enrol"
)

// ID names a session to its owner without revealing anything that
// would let one use it: the start of its token's hash.
func (s Session) ID() string {
	if len(s.TokenHash) < SessionIDLen {
		return s.TokenHash
	}
	return s.TokenHash[:SessionIDLen]
}

// SessionIDLen is how long a session's ID is.
const SessionIDLen = 16

// APIToken is a personal access token: a user's key for scripts and other
// tools to use the REST API in their name. The secret is shown once when
// the token is made; only its hash is stored. A token never has more
// rights than its owner, and a read-only one writes nothing.
type APIToken struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	// Prefix is the secret's first characters, to tell tokens apart.
	Prefix     string    `json:"prefix"`
	TokenHash  string    `json:"-"`
	ReadOnly   bool      `json:"read_only"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// Active reports a token that is neither revoked nor expired at now.
func (t APIToken) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt)
}

// SecurityEvent is one event of an account's security history: a sign-in,
// a failed one, a password or factor changed, a token made. People see
// their own; site administrators see everyone's.
type SecurityEvent struct {
	ID     int64     `json:"id"`
	UserID int64     `json:"user_id"`
	Kind   string    `json:"kind"`
	Detail string    `json:"detail,omitempty"`
	Addr   string    `json:"addr,omitempty"`
	At     time.Time `json:"at"`
}

// The kinds of security event.
const (
	EventSignIn           = "sign-in"
	EventSignInFailed     = "sign-in-failed"
	EventFirstFactor      = "first-factor-accepted" // a second step follows
	EventPasswordChanged  = "password-changed"
	EventPasswordSet      = "password-set"
	EventTokenCreated     = "token-created"
	EventTokenRevoked     = "token-revoked"
	EventFactorAdded      = "factor-added"
	EventFactorRemoved    = "factor-removed"
	EventRecoveryUsed     = "recovery-code-used"
	EventSignedOutAll     = "signed-out-everywhere"
	EventIdentityLinked   = "identity-linked"
	EventIdentityUnlinked = "identity-unlinked"
)

// SSOProvider is an OpenID Connect provider people sign in with.
type SSOProvider struct {
	// Name is the provider's slug, in URLs and on the command line.
	Name string `json:"name"`
	// DisplayName is what the sign-in button says ("Sign in with …").
	DisplayName string `json:"display_name"`
	Issuer      string `json:"issuer"`
	ClientID    string `json:"client_id"`
	// ClientSecret is sent to the provider only; listings leave it empty
	// and say whether one is set (SecretSet).
	ClientSecret string   `json:"-"`
	SecretSet    bool     `json:"secret_set"`
	Scopes       []string `json:"scopes"`
	// JIT creates an account at the first sign-in of a person whose
	// verified e-mail address is in one of AllowedDomains.
	JIT            bool     `json:"jit"`
	AllowedDomains []string `json:"allowed_domains"`
	// GroupClaim names the ID-token claim that lists the person's groups;
	// AdminGroups make a site administrator, CreatorGroups may start
	// assessments. Applied at each sign-in, both ways.
	GroupClaim    string    `json:"group_claim,omitempty"`
	AdminGroups   []string  `json:"admin_groups"`
	CreatorGroups []string  `json:"creator_groups"`
	Enabled       bool      `json:"enabled"`
	UpdatedAt     time.Time `json:"updated_at"`
	UpdatedBy     string    `json:"updated_by"`
}

// Identity links an account to a provider's subject.
type Identity struct {
	Provider string    `json:"provider"`
	Subject  string    `json:"subject"`
	UserID   int64     `json:"user_id"`
	Email    string    `json:"email,omitempty"`
	LinkedAt time.Time `json:"linked_at"`
}

// SSOState is a single sign-on under way, between the redirect to the
// provider and its answer. StateHash is the hash of the state sent.
type SSOState struct {
	StateHash string
	Provider  string
	Nonce     string
	Verifier  string
	// LinkUserID is the signed-in account to link to (0: a sign-in).
	LinkUserID int64
	Next       string
	ExpiresAt  time.Time
}
