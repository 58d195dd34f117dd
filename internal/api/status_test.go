package api

import (
	"testing"

	"github.com/isogap/isogap/internal/assess"
)

// TestEveryKindHasAStatus keeps kindStatus exhaustive: a kind added to
// package assess fails here until the web app and the API know how to answer it.
func TestEveryKindHasAStatus(t *testing.T) {
	known := map[assess.Kind]bool{}
	for _, k := range assess.Kinds() {
		known[k] = true
		s, ok := kindStatus[k]
		if !ok {
			t.Errorf("kind %q has no HTTP status in kindStatus", k)
			continue
		}
		if s < 400 || s > 599 {
			t.Errorf("kind %q answers %d, not an error status", k, s)
		}
		if Status(k) != s {
			t.Errorf("Status(%q) = %d, the table says %d", k, Status(k), s)
		}
	}
	for k := range kindStatus {
		if !known[k] {
			t.Errorf("kindStatus maps Kind(%d), which assess.Kinds() does not list", int(k))
		}
	}
}
