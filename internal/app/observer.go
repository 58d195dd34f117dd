package app

import (
	"errors"

	"github.com/isogap/isogap/internal/assess"
)

// Observer hears of the events an operator counts: saves refused as
// conflicts, sign-ins and imports. The service calls it once per use case,
// after its transaction, never inside one that may be re-run. It must be
// safe for concurrent use and quick: it runs on the request's goroutine.
type Observer interface {
	// SaveConflict: an edit of an item was refused because someone changed
	// the same fields since the version the editor saw.
	SaveConflict()
	// SignIn: an attempt to sign in ended with outcome.
	SignIn(outcome SignInOutcome)
	// Import: an import of format (ImportFormatJSON, ImportFormatWorkbook) ended with
	// outcome. Dry runs are not imports.
	Import(format string, outcome ImportOutcome)
}

// SignInOutcome is how a sign-in ended.
type SignInOutcome string

const (
	SignInOK SignInOutcome = "ok"
	// SignInFailed: wrong login or password, or a disabled account.
	SignInFailed SignInOutcome = "failed"
	// SignInThrottled: refused unchecked, after too many failures.
	SignInThrottled SignInOutcome = "throttled"
)

// SignInOutcomes lists every SignInOutcome.
var SignInOutcomes = []SignInOutcome{SignInOK, SignInFailed, SignInThrottled}

// ImportOutcome is how an import ended.
type ImportOutcome string

const (
	ImportOK ImportOutcome = "ok"
	// ImportConflict: refused because the data changed on both sides (a
	// workbook) or already exists (an assessment's id).
	ImportConflict ImportOutcome = "conflict"
	// ImportRefused: refused for any other reason (a bad file, a role
	// without the right, a failure); nothing was written.
	ImportRefused ImportOutcome = "refused"
)

// ImportOutcomes lists every ImportOutcome.
var ImportOutcomes = []ImportOutcome{ImportOK, ImportConflict, ImportRefused}

// The import formats an Observer hears of.
const (
	ImportFormatJSON     = "json"
	ImportFormatWorkbook = "workbook"
)

// ImportFormats lists every import format.
var ImportFormats = []string{ImportFormatJSON, ImportFormatWorkbook}

// noObserver is the Observer of a service told of none.
type noObserver struct{}

func (noObserver) SaveConflict()                {}
func (noObserver) SignIn(SignInOutcome)         {}
func (noObserver) Import(string, ImportOutcome) {}

// signInOutcome classifies what Authenticate returned; ok is false for an
// error that says nothing of the attempt (the database failed).
func signInOutcome(err error) (SignInOutcome, bool) {
	switch assess.KindOf(err) {
	case assess.KindUnauthenticated:
		return SignInFailed, true
	case assess.KindRateLimited:
		return SignInThrottled, true
	}
	return SignInOK, err == nil
}

// importOutcome classifies what an import returned.
func importOutcome(err error) ImportOutcome {
	switch {
	case err == nil:
		return ImportOK
	case assess.KindOf(err) == assess.KindConflict:
		return ImportConflict
	}
	return ImportRefused
}

// isSaveConflict reports an edit refused as a conflict of fields.
func isSaveConflict(err error) bool {
	var ce *assess.ConflictError
	return errors.As(err, &ce)
}
