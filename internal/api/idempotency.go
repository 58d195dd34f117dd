package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/isogap/isogap/internal/app"
)

// create runs a create use case on the request's body and says what to
// answer.
type create func(body []byte) (status int, out any, err error)

// idempotent runs a create whose request is its JSON body.
func (h *Handler) idempotent(w http.ResponseWriter, r *http.Request, p app.Principal, fn create) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	return h.idempotentBody(w, r, p, body, fn)
}

// idempotentBody runs a create once per Idempotency-Key (app.Idempotent):
// the same key with the same request replays the first answer, marked
// with Idempotent-Replayed. Without a key it just runs.
func (h *Handler) idempotentBody(w http.ResponseWriter, r *http.Request, p app.Principal, body []byte, fn create) error {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		status, out, err := fn(body)
		if err != nil {
			return err
		}
		h.writeJSON(w, status, out)
		return nil
	}
	request := append([]byte(r.Method+" "+r.URL.Path+"\n"), body...)
	ans, replayed, err := h.svc.Idempotent(r.Context(), p, key, request, func() (app.Answer, error) {
		status, out, err := fn(body)
		if err != nil {
			return app.Answer{}, err
		}
		b, err := json.Marshal(out)
		return app.Answer{Status: status, Body: append(b, '\n'), Location: w.Header().Get("Location")}, err
	})
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if ans.Location != "" {
		w.Header().Set("Location", ans.Location)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(ans.Body)))
	w.WriteHeader(ans.Status)
	w.Write(ans.Body)
	return nil
}
