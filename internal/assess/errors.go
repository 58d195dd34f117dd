package assess

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Kind classifies an error for every surface. The domain only names the
// kinds; what each one means to a surface lives at that edge: the HTTP status
// in package web, the exit code in package cli.
type Kind int

const (
	KindInternal        Kind = iota // a bug or an unavailable dependency
	KindInvalid                     // bad input: a field, a cell, a line
	KindNotFound                    // no such assessment, item, user …
	KindConflict                    // an edit based on an older version
	KindForbidden                   // authenticated, but not allowed
	KindUnauthenticated             // no valid session
	KindSchema                      // the database schema is unknown or outdated
	KindUsage                       // a command line that does not parse
	KindRateLimited                 // too many attempts (sign-in); try again later

	numKinds // not a kind: new kinds go above it
)

var kindNames = [numKinds]string{
	KindInternal:        "internal error",
	KindInvalid:         "invalid input",
	KindNotFound:        "not found",
	KindConflict:        "conflict",
	KindForbidden:       "forbidden",
	KindUnauthenticated: "not signed in",
	KindSchema:          "database schema mismatch",
	KindUsage:           "usage error",
	KindRateLimited:     "too many attempts",
}

func (k Kind) String() string {
	if k < 0 || k >= numKinds {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// Kinds lists every kind, so each edge's table can be checked to map them all.
func Kinds() []Kind {
	ks := make([]Kind, numKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// Error is a domain error of a known kind.
type Error struct {
	Kind Kind
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg != "" {
		return e.Msg + ": " + e.Err.Error()
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a domain error of a kind.
func Errorf(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Wrap attaches a kind to an error, keeping its message.
func Wrap(k Kind, err error, msg string) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Msg: msg, Err: err}
}

// ErrNotFound is matched with errors.Is by callers that only need to know.
var ErrNotFound = &Error{Kind: KindNotFound, Msg: "not found"}

// KindOf finds the kind of any error; unknown errors are internal.
func KindOf(err error) Kind {
	if err == nil {
		return KindInternal
	}
	var fe *FieldErrors
	if errors.As(err, &fe) {
		return KindInvalid
	}
	var ce *ConflictError
	if errors.As(err, &ce) {
		return KindConflict
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// FieldError says what was wrong with one value and what was expected.
// Where names the place: a field ("score"), a cell ("Gap Checklist!H12"), a line.
type FieldError struct {
	Where    string `json:"where"`
	Value    string `json:"value,omitempty"`
	Problem  string `json:"problem"`
	Expected string `json:"expected,omitempty"`
}

func (f FieldError) String() string {
	var b strings.Builder
	b.WriteString(f.Where)
	b.WriteString(": ")
	b.WriteString(f.Problem)
	if f.Value != "" {
		fmt.Fprintf(&b, " (got %q)", f.Value)
	}
	if f.Expected != "" {
		b.WriteString("; expected ")
		b.WriteString(f.Expected)
	}
	return b.String()
}

// FieldErrors collects every problem of one input, so a user fixes them all at once.
type FieldErrors struct {
	Context string       `json:"context,omitempty"`
	List    []FieldError `json:"errors"`
}

func (e *FieldErrors) Add(where, value, problem, expected string) {
	e.List = append(e.List, FieldError{Where: where, Value: value, Problem: problem, Expected: expected})
}

// Err returns nil when nothing was added.
func (e *FieldErrors) Err() error {
	if e == nil || len(e.List) == 0 {
		return nil
	}
	return e
}

func (e *FieldErrors) Error() string {
	var b strings.Builder
	if e.Context != "" {
		b.WriteString(e.Context)
		b.WriteString(": ")
	}
	if len(e.List) == 1 {
		b.WriteString(e.List[0].String())
		return b.String()
	}
	fmt.Fprintf(&b, "%d problems:", len(e.List))
	for _, f := range e.List {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return b.String()
}

// ConflictError is returned when an edit was based on an older version of an
// item than the one stored. It carries both sides so nothing is lost.
type ConflictError struct {
	Ref       string `json:"ref"`
	Current   Item   `json:"current"`
	Attempted Item   `json:"attempted"`
	// BaseVersion is the version the edit was based on.
	BaseVersion int `json:"base_version"`
	// Theirs are the changes recorded since BaseVersion to the fields the
	// edit sets, oldest first: who saved what the edit would overwrite. The
	// item's last saver may have changed other fields only.
	Theirs []Change `json:"theirs,omitempty"`
}

func (e *ConflictError) Error() string {
	if len(e.Theirs) == 0 {
		return fmt.Sprintf("conflict on %s: it was changed to version %d (by %s at %s) since version %d that this edit was based on; reload and apply the edit again",
			e.Ref, e.Current.Version, orUnknown(e.Current.UpdatedBy), e.Current.UpdatedAt.Format("2006-01-02 15:04:05 MST"), e.BaseVersion)
	}
	var saved []string
	for _, c := range e.LastSaved() {
		saved = append(saved, fmt.Sprintf("%s changed %s (version %d, %s)", orUnknown(c.Actor), c.Field, c.Version, c.At.Format("2006-01-02 15:04:05 MST")))
	}
	return fmt.Sprintf("conflict on %s: since version %d that this edit was based on, %s; reload and apply the edit again",
		e.Ref, e.BaseVersion, strings.Join(saved, ", "))
}

// LastSaved is the newest of Theirs for each field, in the order the
// fields were last changed.
func (e *ConflictError) LastSaved() []Change {
	var out []Change
	for i, c := range e.Theirs {
		newer := slices.ContainsFunc(e.Theirs[i+1:], func(n Change) bool { return n.Field == c.Field })
		if !newer {
			out = append(out, c)
		}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "someone"
	}
	return s
}
