package assess

import "time"

// Factor is a second factor of an account: a TOTP authenticator app or a
// passkey (security key).
type Factor struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	// Secret is the TOTP secret, or the passkey's credential (JSON); never
	// shown after enrolment.
	Secret string `json:"-"`
	// CredentialID is a passkey's credential id (base64url), "" for TOTP.
	CredentialID string `json:"-"`
	// LastStep is the last TOTP time step accepted: a code of that step or
	// an earlier one is refused.
	LastStep   int64     `json:"-"`
	Confirmed  bool      `json:"confirmed"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// The kinds of second factor.
const (
	FactorTOTP    = "totp"
	FactorPasskey = "passkey"
)

// Label names the factor's kind for people.
func (f Factor) Label() string {
	if f.Kind == FactorPasskey {
		return "Passkey"
	}
	return "Authenticator app"
}
