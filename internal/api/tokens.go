package api

import (
	"context"

	"github.com/isogap/isogap/internal/app"
)

// resolve finds the principal behind a bearer token.
func (h *Handler) resolve(ctx context.Context, secret string) (app.Principal, error) {
	return h.svc.ResolveToken(ctx, secret)
}

// limitKey names the bucket a principal's requests are counted in: each
// token has its own.
func limitKey(p app.Principal) string {
	if p.Token != nil {
		return "t" + itoa64(p.Token.ID)
	}
	return "u" + itoa64(p.User.ID)
}

// tokenOf is the token a principal came with.
func tokenOf(p app.Principal) *TokenInfo {
	if p.Token == nil {
		return nil
	}
	return &TokenInfo{ID: p.Token.ID, Name: p.Token.Name, ReadOnly: p.Token.ReadOnly}
}
