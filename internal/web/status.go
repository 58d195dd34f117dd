package web

import (
	"github.com/isogap/isogap/internal/api"
	"github.com/isogap/isogap/internal/assess"
)

// httpStatus is the status the web app answers an error of kind k with:
// the one table the web app and the API share (api.Status).
func httpStatus(k assess.Kind) int { return api.Status(k) }
