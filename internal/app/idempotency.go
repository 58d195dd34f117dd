package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// IdempotencyWindow is how long the first answer to a create sent with an
// idempotency key is kept for a retry to replay.
const IdempotencyWindow = 24 * time.Hour

const maxIdempotencyKey = 200

// Answer is what a create answered: the status, body and location a retry
// with the same idempotency key gets again.
type Answer struct {
	Status   int
	Body     []byte
	Location string
}

// Idempotent runs create once per idempotency key of p's account. The key
// is claimed before create runs; a later call with the same key and the
// same request (its method, path and body) returns the first answer with
// replayed set, one with another request is refused, and one while the
// first still runs is a conflict. A create that fails frees the key.
func (s *Service) Idempotent(ctx context.Context, p Principal, key string, request []byte, create func() (Answer, error)) (ans Answer, replayed bool, err error) {
	if err := requireSignedIn(p); err != nil {
		return ans, false, err
	}
	if p.System || p.Interview != nil {
		return ans, false, assess.Errorf(assess.KindForbidden, "idempotency keys are for accounts")
	}
	if key == "" || len(key) > maxIdempotencyKey {
		return ans, false, &assess.FieldErrors{List: []assess.FieldError{{Where: "Idempotency-Key", Value: assess.Shown(key), Problem: "not a usable key",
			Expected: "1 to 200 characters, unique to this create (a UUID, say)"}}}
	}
	sum := sha256.Sum256(request)
	now := s.now()
	rec := store.IdempotencyRecord{UserID: p.User.ID, Key: key, RequestHash: hex.EncodeToString(sum[:]), CreatedAt: now}
	got, claimed, err := s.store.ClaimIdempotencyKey(ctx, rec, now.Add(-IdempotencyWindow))
	switch {
	case err != nil:
		return ans, false, err
	case !claimed && got.RequestHash != rec.RequestHash:
		return ans, false, &assess.FieldErrors{List: []assess.FieldError{{Where: "Idempotency-Key", Value: assess.Shown(key),
			Problem: "already used with another request", Expected: "a new key for a new create (a key is kept 24 hours)"}}}
	case !claimed && got.Status == 0:
		return ans, false, assess.Errorf(assess.KindConflict, "the request with Idempotency-Key %q is still being answered: try again in a moment", key)
	case !claimed:
		return Answer{Status: got.Status, Body: got.Body, Location: got.Location}, true, nil
	}
	if ans, err = create(); err != nil {
		// Freed even when the request is gone: the create did not happen.
		_ = s.store.ReleaseIdempotencyKey(context.WithoutCancel(ctx), p.User.ID, key)
		return ans, false, err
	}
	rec.Status, rec.Body, rec.Location = ans.Status, ans.Body, ans.Location
	return ans, false, s.store.FinishIdempotencyKey(context.WithoutCancel(ctx), rec)
}
