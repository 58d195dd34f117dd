package api

import (
	"context"
	"time"

	"github.com/isogap/isogap/internal/app"
)

// resolve finds the principal behind a bearer token.
func (h *Handler) resolve(ctx context.Context, secret string) (app.Principal, error) {
	return h.svc.ResolveSession(ctx, secret, 24*time.Hour)
}

// limitKey names the bucket a principal's requests are counted in.
func limitKey(p app.Principal) string {
	return "u" + itoa64(p.User.ID)
}

// tokenOf is the token a principal came with.
func tokenOf(p app.Principal) *TokenInfo { return nil }
