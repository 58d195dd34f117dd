package web

import (
	"net/http"

	"github.com/isogap/isogap/internal/assess"
)

// kindStatus is the one table from an error's kind to the status the web app
// and API answer with; the domain names kinds, this edge gives them meaning.
var kindStatus = map[assess.Kind]int{
	assess.KindInternal:        http.StatusInternalServerError,
	assess.KindInvalid:         http.StatusUnprocessableEntity,
	assess.KindNotFound:        http.StatusNotFound,
	assess.KindConflict:        http.StatusConflict,
	assess.KindForbidden:       http.StatusForbidden,
	assess.KindUnauthenticated: http.StatusUnauthorized,
	assess.KindSchema:          http.StatusServiceUnavailable,
	assess.KindUsage:           http.StatusBadRequest,
	assess.KindRateLimited:     http.StatusTooManyRequests,
}

// httpStatus is the status for an error of kind k. A kind missing from the
// table (a test forbids it) answers as an internal error.
func httpStatus(k assess.Kind) int {
	if s, ok := kindStatus[k]; ok {
		return s
	}
	return http.StatusInternalServerError
}
